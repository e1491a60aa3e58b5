// Errors shared by every module.
//
// An Error is a value: a kind (which decides the exit code), the place it was found
// (file, tape block, byte offset, cylinder/head, FBA block) and a one-line message.
// Formats and devices raise it; only ddr/main.cpp catches it and prints it, so the
// message, the place and the exit code are always consistent.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace ddr {

enum class ErrorKind {
    Usage,        // bad command line or control statement
    Unreadable,   // an input is not what it claims: truncated, not DDR, corrupt image
    Damaged,      // the input is well formed but its checksums or contents disagree
    Reel,         // a reel is missing, out of order or from another dump
    Refused,      // a safety check refused to touch the target (volser, size, exists)
    Device,       // unknown device type, or a CKD/FBA or geometry mismatch
    NotCpVolume,  // a volume is not CP-formatted as CPVOL or NUCLEUS need (IBM's 700E/722E/723E)
    WriteFailed,  // the output could not be written (disk full, I/O error)
    ReadFailed,   // the operating system failed to read an input (I/O error)
    Interrupted,  // SIGINT/SIGTERM
    Internal,     // a bug: an invariant of ours did not hold
};

// Where an error was found.  Every field is optional; str() prints the ones set,
// most general first: "tape.aws: reel 2: block 17 (offset 70238): cyl 6 head 15".
struct Place {
    std::string file;
    std::optional<unsigned> reel;          // 1-based reel number of a multi-reel dump
    std::optional<uint64_t> block;         // 1-based tape block number within the file
    std::optional<uint64_t> offset;        // byte offset in the file
    std::optional<uint32_t> cyl;
    std::optional<uint32_t> head;
    std::optional<uint64_t> fba_block;     // FBA block number
    // Set where `block` and `offset` count from the start of this 1-based tape file, not
    // of the tape: a drive that spaced over the files before it without reading them.
    std::optional<uint64_t> counted_from_file;

    std::string str() const;
    bool empty() const;

    // Builders: file_place(name).with_reel(2).with_block(17, offset).with_track(6, 15).
    Place with_reel(unsigned r) const { Place p = *this; p.reel = r; return p; }
    Place with_block(uint64_t b) const { Place p = *this; p.block = b; return p; }
    Place with_block(uint64_t b, uint64_t at) const { Place p = with_block(b); p.offset = at; return p; }
    Place with_offset(uint64_t at) const { Place p = *this; p.offset = at; return p; }
    Place with_cyl(uint32_t c) const { Place p = *this; p.cyl = c; return p; }
    Place with_track(uint32_t c, uint32_t h) const { Place p = with_cyl(c); p.head = h; return p; }
    Place with_fba_block(uint64_t b) const { Place p = *this; p.fba_block = b; return p; }
};

// A place in a file (a byte offset, if given); the builders above add the rest.
inline Place file_place(const std::string& file, std::optional<uint64_t> offset = std::nullopt)
{
    Place p;
    p.file = file;
    p.offset = offset;
    return p;
}

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, Place place, const std::string& message);
    Error(ErrorKind kind, const std::string& message);

    ErrorKind kind() const noexcept { return kind_; }
    const Place& place() const noexcept { return place_; }
    const std::string& detail() const noexcept { return detail_; }

    // Returns a copy whose place has the unset fields filled from `outer`.
    // Lets a low layer report "cyl 6 head 15" and the caller add the file name.
    Error within(const Place& outer) const;

private:
    ErrorKind kind_;
    Place place_;
    std::string detail_;
};

[[noreturn]] void fail(ErrorKind kind, const Place& place, const std::string& message);
[[noreturn]] void fail(ErrorKind kind, const std::string& message);

} // namespace ddr
