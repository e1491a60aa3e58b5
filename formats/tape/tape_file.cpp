#include "formats/tape/tape_file.hpp"

#include "formats/io/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ddr::tapeio {

namespace {

// Large enough that a disk sees few, big writes; small enough to be irrelevant in memory.
constexpr size_t kOutputBuffer = size_t(2) << 20;

// Callers pass errno directly: the other arguments must not allocate (which could
// change errno before it is read), hence `const char*`.
[[noreturn]] void write_failed(const std::string& name, uint64_t offset, const char* what, int err)
{
    Place place;
    place.file = name;
    place.offset = offset;
    fail(ErrorKind::WriteFailed, place, std::string(what) + ": " + os_error_text(err));
}

} // namespace

UniqueFd open_for_reading(const std::string& path)
{
    if (path == "-")
        return UniqueFd::borrowed(STDIN_FILENO);
    UniqueFd fd = open_existing(path, false);
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode))
        (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    return fd;
}

// ---- BufferedInput ----

namespace {
// Pages more than this far behind the reading position are given back to the system.
constexpr size_t kKeepBehind = size_t(32) << 20;
} // namespace

BufferedInput::BufferedInput(std::string name, UniqueFd fd, size_t buffer_size)
    : name_(std::move(name)), fd_(std::move(fd))
{
    struct stat st {};
    if (::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void* m = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd_.get(), 0);
        if (m != MAP_FAILED) {
            map_ = static_cast<const uint8_t*>(m);
            map_size_ = size_t(st.st_size);
            ::madvise(m, map_size_, MADV_SEQUENTIAL);
            return;
        }
    }
    buffer_.resize(std::max<size_t>(buffer_size, 64));
}

BufferedInput::BufferedInput(BufferedInput&& other) noexcept
    : name_(std::move(other.name_)), fd_(std::move(other.fd_)), buffer_(std::move(other.buffer_)),
      begin_(other.begin_), end_(other.end_), at_end_(other.at_end_), offset_(other.offset_), map_(other.map_),
      map_size_(other.map_size_), released_(other.released_)
{
    other.map_ = nullptr;
}

BufferedInput& BufferedInput::operator=(BufferedInput&& other) noexcept
{
    if (this != &other) {
        if (map_)
            ::munmap(const_cast<uint8_t*>(map_), map_size_);
        name_ = std::move(other.name_);
        fd_ = std::move(other.fd_);
        buffer_ = std::move(other.buffer_);
        begin_ = other.begin_;
        end_ = other.end_;
        at_end_ = other.at_end_;
        offset_ = other.offset_;
        map_ = other.map_;
        map_size_ = other.map_size_;
        released_ = other.released_;
        other.map_ = nullptr;
    }
    return *this;
}

BufferedInput::~BufferedInput()
{
    if (map_)
        ::munmap(const_cast<uint8_t*>(map_), map_size_);
}

void BufferedInput::release_behind()
{
    if (offset_ < released_ + 2 * kKeepBehind)
        return;
    const size_t page = size_t(::sysconf(_SC_PAGESIZE));
    size_t upto = (size_t(offset_) - kKeepBehind) / page * page;
    // Only the pages are dropped, not the mapping: touched again, they are read in again.
    ::madvise(const_cast<uint8_t*>(map_) + released_, upto - released_, MADV_DONTNEED);
    released_ = upto;
}

ByteSpan BufferedInput::take(size_t n)
{
    size_t avail = map_size_ - std::min<size_t>(map_size_, size_t(offset_));
    ByteSpan out(map_ + offset_, std::min(n, avail));
    offset_ += out.size();
    release_behind();
    return out;
}

size_t BufferedInput::fill(uint8_t* out, size_t n)
{
    if (at_end_)
        return 0;
    for (;;) {
        ssize_t got = ::read(fd_.get(), out, n);
        if (got > 0)
            return size_t(got);
        if (got == 0) {
            at_end_ = true;
            return 0;
        }
        const int err = errno;
        if (err == EINTR)
            continue;
        Place place;
        place.file = name_;
        place.offset = offset_ + (end_ - begin_);
        fail(ErrorKind::ReadFailed, place, "read error: " + os_error_text(err));
    }
}

ByteSpan BufferedInput::peek(size_t n)
{
    if (map_) {
        size_t avail = map_size_ - std::min<size_t>(map_size_, size_t(offset_));
        return ByteSpan(map_ + offset_, std::min(n, avail));
    }
    n = std::min(n, buffer_.size());
    if (end_ - begin_ < n) {
        if (begin_ > 0) {
            std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        while (end_ < n) {
            size_t got = fill(buffer_.data() + end_, buffer_.size() - end_);
            if (got == 0)
                break;
            end_ += got;
        }
    }
    return ByteSpan(buffer_.data() + begin_, std::min(n, end_ - begin_));
}

void BufferedInput::consume(size_t n)
{
    if (map_) {
        offset_ += std::min<uint64_t>(n, map_size_ - std::min<uint64_t>(map_size_, offset_));
        release_behind();
        return;
    }
    n = std::min(n, end_ - begin_);
    begin_ += n;
    offset_ += n;
    if (begin_ == end_)
        begin_ = end_ = 0;
}

size_t BufferedInput::read(uint8_t* out, size_t n)
{
    if (n == 0)
        return 0;  // an empty block: `out` may be null, and memcpy must not see it
    if (map_) {
        ByteSpan got = take(n);
        std::memcpy(out, got.data(), got.size());
        return got.size();
    }
    size_t done = std::min(n, end_ - begin_);
    std::memcpy(out, buffer_.data() + begin_, done);
    consume(done);
    while (done < n) {
        size_t want = n - done;
        size_t got;
        if (want >= buffer_.size() / 2) {
            // Big reads go straight to the caller, without a copy through the buffer.
            got = fill(out + done, want);
            offset_ += got;
        } else {
            ByteSpan more = peek(want);
            got = more.size();
            std::memcpy(out + done, more.data(), got);
            consume(got);
        }
        if (got == 0)
            break;
        done += got;
    }
    return done;
}

// ---- TapeOutput ----

TapeOutput::TapeOutput(Mode mode, std::string name, uint64_t start)
    : mode_(mode), name_(std::move(name)), keep_(start), buffer_start_(start)
{
    // Room for a full buffer plus the largest block, so steady-state writes never allocate.
    buffer_.reserve(kOutputBuffer + (size_t(4) << 20));
}

TapeOutput::TapeOutput(TapeOutput&& other) noexcept
    : mode_(other.mode_), name_(std::move(other.name_)), pending_(std::move(other.pending_)),
      stream_(std::move(other.stream_)), keep_(other.keep_), buffer_(std::move(other.buffer_)),
      buffer_start_(other.buffer_start_), hold_from_(other.hold_from_), finished_(other.finished_)
{
    other.pending_.reset();
    other.finished_ = true;
}

// An unfinished file is discarded by its PendingFile; a tape being appended to was
// never touched.
TapeOutput::~TapeOutput() = default;

bool TapeOutput::is_stream_path(const std::string& path)
{
    if (path == "-")
        return true;
    const FileKind kind = file_status(path).kind;
    return kind == FileKind::Fifo || kind == FileKind::CharDevice;
}

TapeOutput TapeOutput::create_file(const std::string& path, bool replace)
{
    const FileStatus st = file_status(path);
    if (st.kind == FileKind::Folder)
        fail(ErrorKind::Refused, file_place(path), "is a folder, not a tape file");
    if (st.exists() && !replace)
        fail(ErrorKind::Refused, file_place(path), "the tape file already exists");
    TapeOutput out(Mode::NewFile, path, 0);
    out.pending_.emplace(path, replace ? CommitRule::Replace : CommitRule::NoReplace);
    return out;
}

TapeOutput TapeOutput::append_file(const std::string& path, uint64_t keep)
{
    UniqueFd source(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!source)
        write_failed(path, 0, "cannot open for appending", errno);
    struct stat st {};
    if (::fstat(source.get(), &st) != 0)
        write_failed(path, 0, "cannot open for appending", errno);
    if (uint64_t(st.st_size) < keep)
        fail(ErrorKind::Internal, "cannot keep " + std::to_string(keep) + " bytes of " + path + ", which holds " +
                                      std::to_string(st.st_size));
    TapeOutput out(Mode::Append, path, keep);
    out.pending_.emplace(path, CommitRule::Replace, unsigned(st.st_mode) & 07777u);
    const int fd = out.pending_->fd();
    // The new version keeps the tape's permissions and, where we may, its owner.
    (void)::fchmod(fd, st.st_mode & 07777);
    (void)::fchown(fd, st.st_uid, st.st_gid);
    if (int err = copy_file_prefix(source.get(), fd, keep))
        write_failed(path, 0, ("cannot copy the tape into " + out.pending_->temp_path() + " to append to it").c_str(), err);
    return out;
}

TapeOutput TapeOutput::open_stream(const std::string& path)
{
    if (path == "-") {
        TapeOutput out(Mode::Stream, "standard output", 0);
        out.stream_ = UniqueFd::borrowed(STDOUT_FILENO);
        return out;
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        write_failed(path, 0, "cannot open", errno);
    TapeOutput out(Mode::Stream, path, 0);
    out.stream_ = UniqueFd(fd);
    return out;
}

void TapeOutput::write(ByteSpan bytes)
{
    if (finished_)
        fail(ErrorKind::Internal, "write to a tape that is already finished: " + name_);
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    if (buffer_.size() >= kOutputBuffer)
        flush(false);
}

void TapeOutput::write_out(const uint8_t* data, size_t size, uint64_t at)
{
    const ByteSpan bytes(data, size);
    const Transfer t = mode_ == Mode::Stream ? write_full(fd(), bytes) : pwrite_full(fd(), bytes, at);
    if (t.done < size)
        write_failed(name_, at + t.done, "write error", t.error != 0 ? t.error : EIO);
}

void TapeOutput::flush(bool everything)
{
    size_t count = buffer_.size();
    if (!everything && mode_ == Mode::Stream && hold_from_ != UINT64_MAX)
        count = hold_from_ > buffer_start_ ? size_t(std::min<uint64_t>(hold_from_ - buffer_start_, count)) : 0;
    if (count == 0)
        return;
    write_out(buffer_.data(), count, buffer_start_);
    buffer_start_ += count;
    buffer_.erase(buffer_.begin(), buffer_.begin() + std::ptrdiff_t(count));
}

void TapeOutput::hold_from(uint64_t pos)
{
    if (mode_ == Mode::Stream)
        hold_from_ = pos;
}

void TapeOutput::truncate(uint64_t pos)
{
    if (pos > position())
        fail(ErrorKind::Internal, "cannot truncate " + name_ + " forward to " + std::to_string(pos));
    if (pos >= buffer_start_) {
        buffer_.resize(size_t(pos - buffer_start_));
        return;
    }
    if (mode_ == Mode::Stream)
        fail(ErrorKind::Internal, "cannot take back bytes already sent to " + name_);
    if (mode_ == Mode::Append && pos < keep_)
        fail(ErrorKind::Internal, "cannot truncate " + name_ + " into the tape it held before");
    buffer_.clear();
    if (::ftruncate(fd(), off_t(pos)) != 0)
        write_failed(name_, pos, "cannot truncate", errno);
    buffer_start_ = pos;
}

void TapeOutput::finish()
{
    if (finished_)
        return;
    flush(true);
    if (pending_) {
        // The file ends where our writing ends (a rewind may have left more behind).
        if (::ftruncate(fd(), off_t(position())) != 0)
            write_failed(name_, position(), "cannot cut the file where the tape ends", errno);
        try {
            pending_->commit();
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::Refused)
                fail(ErrorKind::Refused, e.place(), "the tape file appeared while it was being written; left as it was");
            throw;
        }
    } else {
        struct stat st {};
        if (::fstat(fd(), &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd()) != 0)
            write_failed(name_, position(), "cannot sync to disk", errno);
        if (const int err = stream_.close(); err != 0)
            write_failed(name_, position(), "cannot close", err);
    }
    finished_ = true;
}

} // namespace ddr::tapeio
