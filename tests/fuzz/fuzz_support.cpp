#include "tests/fuzz/fuzz_support.hpp"

#include "formats/tape/aws_tape.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <ftw.h>
#include <sys/mman.h>
#include <unistd.h>

// Defaults for running a target by hand: any UBSan report stops it, like ASan's do.
// run.sh sets UBSAN_OPTIONS itself (adding the known-issue suppressions).
extern "C" const char* __ubsan_default_options()
{
    return "halt_on_error=1:print_stacktrace=1";
}

namespace ddr::fuzz {

void bug(const std::string& what)
{
    std::fprintf(stderr, "\n*** ddr fuzz: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

void check(bool condition, const char* what)
{
    if (!condition)
        bug(std::string("invariant broken: ") + what);
}

bool known_issue(const char* token)
{
    static const std::string known = [] {
        const char* v = std::getenv("DDR_FUZZ_KNOWN");
        return " " + std::string(v ? v : "") + " ";
    }();
    return known.find(" " + std::string(token) + " ") != std::string::npos;
}

void expect_input_error(const Error& e)
{
    if (e.kind() == ErrorKind::Internal)
        bug(std::string("input bytes raised an Internal error: ") + e.what());
}

// ---- Cursor ----

uint8_t Cursor::u8()
{
    return pos_ < size_ ? data_[pos_++] : 0;
}

uint16_t Cursor::be16()
{
    uint16_t hi = u8();
    return uint16_t(hi << 8 | u8());
}

uint32_t Cursor::le32()
{
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= uint32_t(u8()) << (8 * i);
    return v;
}

ByteSpan Cursor::take(size_t n)
{
    n = std::min(n, left());
    ByteSpan s(data_ + pos_, n);
    pos_ += n;
    return s;
}

// ---- MemoryFile ----

MemoryFile::MemoryFile(const char* name)
{
    fd_ = ::memfd_create(name, MFD_CLOEXEC);
    if (fd_ < 0)
        bug(std::string("memfd_create failed: ") + std::strerror(errno));
    path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemoryFile::~MemoryFile()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void MemoryFile::assign(ByteSpan bytes)
{
    if (::ftruncate(fd_, 0) != 0)
        bug("ftruncate of the memory file failed");
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, off_t(done));
        if (n <= 0)
            bug("write to the memory file failed");
        done += size_t(n);
    }
}

// ---- ScratchDir ----

ScratchDir::ScratchDir()
{
    std::string base;
    if (const char* t = std::getenv("TMPDIR"); t && *t)
        base = t;
    else if (::access("/dev/shm", W_OK) == 0)
        base = "/dev/shm";
    else
        base = "/tmp";
    std::string pattern = base + "/ddr-fuzz-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data()))
        bug("cannot make a scratch folder under " + base);
    dir_ = buf.data();
}

ScratchDir::~ScratchDir()
{
    ::nftw(
        dir_.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }, 8,
        FTW_DEPTH | FTW_PHYS);
}

void ScratchDir::write(const std::string& name, ByteSpan bytes) const
{
    const std::string p = path(name);
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        bug("cannot write " + p);
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0)
            bug("write to " + p + " failed");
        done += size_t(n);
    }
    ::close(fd);
}

Bytes ScratchDir::read(const std::string& name) const
{
    const std::string p = path(name);
    Bytes out;
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        bug("cannot read " + p);
    uint8_t buf[65536];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        out.insert(out.end(), buf, buf + n);
    ::close(fd);
    return out;
}

void ScratchDir::remove(const std::string& name) const
{
    ::unlink(path(name).c_str());
}

std::vector<std::string> ScratchDir::list() const
{
    std::vector<std::string> names;
    DIR* d = ::opendir(dir_.c_str());
    if (!d)
        bug("cannot list " + dir_);
    while (const dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..")
            names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

void ScratchDir::clear() const
{
    for (const std::string& n : list())
        remove(n);
}

// ---- units_to_read ----

std::vector<uint64_t> units_to_read(uint64_t total)
{
    constexpr uint64_t kFirst = 32;
    constexpr uint64_t kSpread = 16;
    std::vector<uint64_t> u;
    for (uint64_t i = 0; i < std::min(total, kFirst); ++i)
        u.push_back(i);
    if (total > kFirst) {
        for (uint64_t k = 1; k <= kSpread; ++k)
            u.push_back(kFirst + (total - kFirst) * k / (kSpread + 1));
        u.push_back(total - 1);
        u.push_back(0);
    }
    return u;
}

// ---- framing ----

namespace {
void put_header(Bytes& out, uint16_t length, uint16_t previous, uint8_t flags1)
{
    uint8_t h[kAwsHeaderSize];
    AwsHeader{length, previous, flags1, 0}.encode(h);
    out.insert(out.end(), h, h + kAwsHeaderSize);
}
} // namespace

FramedTape frame_to_aws(Cursor& in, size_t max_reels)
{
    FramedTape t;
    t.reels.emplace_back();
    uint16_t previous = 0;
    while (!in.empty()) {
        const uint16_t len = in.be16();
        Bytes& out = t.reels.back();
        if (len == kFrameTapeMark) {
            put_header(out, 0, previous, kAwsTapeMark);
            previous = 0;
        } else if (len == kFrameNextReel) {
            if (t.reels.size() < max_reels) {
                t.reels.emplace_back();
                previous = 0;
            }
        } else {
            ByteSpan block = in.take(len);
            put_header(out, uint16_t(block.size()), previous, kAwsStartOfBlock | kAwsEndOfBlock);
            out.insert(out.end(), block.begin(), block.end());
            previous = uint16_t(block.size());
        }
    }
    return t;
}

} // namespace ddr::fuzz
