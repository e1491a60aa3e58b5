// Helpers shared by the AWS and HET tests: hand-made headers, test blocks, reading a
// whole tape back, catching an Error to look at its place, and running Hercules' tools.
#pragma once

#include "tests/unit/error_testing.hpp"

#include "formats/io/bytes.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"

#include <csignal>
#include <cstdio>
#include <optional>
#include <sys/resource.h>
#include <sys/wait.h>
#include <string>
#include <vector>

namespace ddr::test {

inline Bytes aws_header(uint16_t length, uint16_t previous, uint8_t flags1, uint8_t flags2 = 0)
{
    Bytes h(6);
    store_le16(h.data(), length);
    store_le16(h.data() + 2, previous);
    h[4] = flags1;
    h[5] = flags2;
    return h;
}

inline void append(Bytes& to, const Bytes& more)
{
    to.insert(to.end(), more.begin(), more.end());
}

// A test block of `size` bytes: half text-like (compresses well), half pseudo-random
// (does not), decided by the seed; the same seed always gives the same bytes.
inline Bytes test_block(size_t size, uint32_t seed, bool compressible = true)
{
    Bytes b(size);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = compressible && (i / 64) % 2 == 0 ? uint8_t(0xC1 + (i + seed) % 9) : uint8_t(x);
    }
    return b;
}

struct ReadRecord {
    TapeRecord kind;
    Bytes data;
    uint64_t block = 0;
    uint64_t offset = 0;
    uint64_t file = 0;
};

// Reads records up to and including EndOfData.
inline std::vector<ReadRecord> read_all(TapeReader& reader)
{
    std::vector<ReadRecord> out;
    Bytes block;
    for (;;) {
        TapeRecord r = reader.read(block);
        out.push_back({r, r == TapeRecord::Block ? block : Bytes{}, reader.block_number(), reader.offset(),
                       reader.file_number()});
        if (r == TapeRecord::EndOfData)
            return out;
    }
}

// Runs a shell command; returns its standard output and sets `rc` to its exit status.
inline std::string run_command(const std::string& command, int& rc)
{
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) {
        rc = -1;
        return out;
    }
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int status = ::pclose(p);
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

inline bool have_program(const std::string& name)
{
    int rc = 0;
    run_command("command -v " + name + " >/dev/null 2>&1", rc);
    return rc == 0;
}

// "File n: Blocks=b, block size min=x, max=y" lines of hetmap -t / tapemap, as
// {blocks, min, max} per file.
struct MapFile {
    unsigned blocks = 0, min = 0, max = 0;
    friend bool operator==(const MapFile&, const MapFile&) = default;
};
inline std::vector<MapFile> parse_tape_map(const std::string& text)
{
    std::vector<MapFile> files;
    size_t pos = 0;
    while ((pos = text.find("File ", pos)) != std::string::npos) {
        unsigned n = 0;
        MapFile f;
        if (std::sscanf(text.c_str() + pos, "File %u: Blocks=%u, block size min=%u, max=%u", &n, &f.blocks, &f.min,
                        &f.max) == 4)
            files.push_back(f);
        pos += 5;
    }
    return files;
}

// While in scope, writing any file past `bytes` fails with EFBIG, as on a full disk
// (RLIMIT_FSIZE; SIGXFSZ is ignored so that the write fails instead of the process).
class FileSizeLimit {
public:
    explicit FileSizeLimit(uint64_t bytes)
    {
        if (::getrlimit(RLIMIT_FSIZE, &saved_) != 0)
            return;
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = saved_;
        limit.rlim_cur = rlim_t(bytes);
        active_ = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
    }
    ~FileSizeLimit()
    {
        if (active_)
            (void)::setrlimit(RLIMIT_FSIZE, &saved_);
        if (old_handler_ != SIG_ERR)
            std::signal(SIGXFSZ, old_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    bool active() const { return active_; }

private:
    rlimit saved_ {};
    void (*old_handler_)(int) = SIG_ERR;
    bool active_ = false;
};

} // namespace ddr::test
