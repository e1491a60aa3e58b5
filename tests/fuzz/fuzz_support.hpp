// Shared plumbing for the libFuzzer targets in tests/fuzz/.
//
// Every target feeds untrusted bytes to a parser and treats ddr::Error as the normal
// outcome.  What is not normal, and must crash so that libFuzzer keeps the input:
//   * a sanitizer report (ASan, UBSan) or any other signal;
//   * an exception that is not a ddr::Error;
//   * a ddr::Error of kind Internal, which the project reserves for its own bugs: our
//     harnesses call every API the way the program does, so input bytes must never
//     be able to raise it;
//   * an invariant a target checks itself (check()), e.g. a round trip that loses bytes.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/io/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ddr::fuzz {

// Aborts with `what` when `condition` is false (an invariant of the code under test).
void check(bool condition, const char* what);
[[noreturn]] void bug(const std::string& what);

// True if `token` is in $DDR_FUZZ_KNOWN (space-separated): a finding already reported,
// which run.sh lets through while fuzzing (tests/fuzz/known-issues.sh).
bool known_issue(const char* token);

// Called in every catch (const ddr::Error&): aborts on ErrorKind::Internal.
void expect_input_error(const Error& e);

// Reads fields from the fuzz input front to back; past the end every read gives zeros
// or an empty span, so targets never need to check sizes.
class Cursor {
public:
    Cursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    bool empty() const { return pos_ >= size_; }
    size_t left() const { return size_ - pos_; }
    uint8_t u8();
    uint16_t be16();
    uint32_t le32();
    // Up to `n` bytes (fewer at the end of the input).
    ByteSpan take(size_t n);
    ByteSpan rest() { return take(left()); }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// A file in memory (memfd) with a path that open(2) accepts ("/proc/self/fd/N"), so
// path-based readers can be fuzzed without touching a disk.  Rewritten per input.
class MemoryFile {
public:
    explicit MemoryFile(const char* name);
    ~MemoryFile();
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;

    void assign(ByteSpan bytes);
    const std::string& path() const { return path_; }

private:
    int fd_ = -1;
    std::string path_;
};

// A private folder for targets that need real file names (multi-file CKD volumes).
// Made under $TMPDIR (else /dev/shm, else /tmp) and removed at exit.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    void write(const std::string& name, ByteSpan bytes) const;
    Bytes read(const std::string& name) const;
    void remove(const std::string& name) const;
    // The names in the folder, sorted.
    std::vector<std::string> list() const;
    void clear() const;

private:
    std::string dir_;
};

// Which tracks or blocks a volume target reads, so that every input costs about the
// same: the first 32 in order, 16 spread over the rest, the last, then the first again
// (so cached L2 tables and block groups get replaced).
std::vector<uint64_t> units_to_read(uint64_t total);

// The block framing the DDR-level targets use, so that mutations change blocks rather
// than break the AWS container around them (the container has its own target):
//
//   [u16 big-endian length][that many bytes]   a data block (cut short at the end of input)
//   X'FFFF'                                    a tape mark
//   X'FFFE'                                    (fuzz_dump_scan) the next reel starts
//
// frame_to_aws() builds the AWS bytes of such a tape: each block one chunk, headers
// chained correctly.
inline constexpr uint16_t kFrameTapeMark = 0xFFFF;
inline constexpr uint16_t kFrameNextReel = 0xFFFE;

struct FramedTape {
    std::vector<Bytes> reels;  // AWS bytes of each reel
};
FramedTape frame_to_aws(Cursor& in, size_t max_reels);

} // namespace ddr::fuzz
