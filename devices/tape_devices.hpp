// Tape drives and the media they write, for planning how much of a dump fits on one reel
// (--reel-size).  A "reel" here is one drive writing one kind of medium.
//
// Names a user can type (any case):
//   DRIVE            the drive's standard medium: the first one listed for it
//   DRIVE-MEDIUM     e.g. 3420-1600, 3490E-ECCST, 3590H-K, 3592-E08-JC, TS1150-JC
// Media may also be named by their WORM twin (JW = JA, ...) or z/OS MEDIAn name.
// Capacities are native (uncompressed) and in IBM's decimal units (1 MB = 10^6 bytes).
// Sources and choices: devices/README.md.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ddr {

enum class CapacitySource : uint8_t {
    Documented,   // an IBM or other public source states it
    Computed,     // we derived it (3420 reels: see README.md)
    Unconfirmed,  // general knowledge not yet checked against an IBM source
};

struct TapeReel {
    std::string_view drive;        // "3592-E08"
    std::string_view drive_alias;  // "TS1150"; "" if none
    std::string_view medium;       // "JC"
    uint64_t capacity = 0;         // data bytes the medium holds
    uint32_t max_block = 0;        // largest tape block the drive accepts
    CapacitySource source = CapacitySource::Documented;

    std::string name() const;      // "3592-E08-JC"
};

// Every drive/medium pair a drive can write, grouped by drive, each drive's standard
// medium first.
std::span<const TapeReel> tape_reels();

// The reel a user's name means, or nullptr (unknown drive or medium, or a medium the
// drive cannot write).
const TapeReel* find_tape_reel(std::string_view name);

// The full name of every reel, for --help and error messages.
std::vector<std::string> tape_reel_names();

} // namespace ddr
