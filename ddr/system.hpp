// A system for a whole-system run (`ddr dump --system`, `--images`): its DASD volumes,
// each with the address, device type and image its Hercules configuration statement
// gives (or only an image, from a plain list), the volser read from its label, and the
// selection of some of them (--include/--exclude rules, --shard K/N).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct SystemVolume {
    std::string address;               // "0130" (4 hex digits, upper case); "" from a plain list
    std::string devtype;               // as the statement names it ("3390"); from a list: the image's
    std::string image;                 // the image file as written (relative to the current folder)
    std::optional<std::string> sf;     // the statement's sf= option (CCKD shadow files)
    unsigned line = 0;                 // the statement's line in the configuration (list: its line)
    std::string volser;                // from the volume label; "" if none or unreadable
    std::string label_error;           // why the image could not be read ("" if it could)
    uint64_t units = 0;                // tracks or FBA blocks of the image (0 if unreadable)
    std::string name;                  // the tape file's name without extension: "0130-VMRES1"
};

struct SystemDefinition {
    std::string path;                  // the configuration (or list) file as given
    std::string text;                  // its text, kept in the catalog
    bool configuration = true;         // a Hercules configuration (false: a list of images)
    std::vector<SystemVolume> volumes; // in the file's order
};

// The DASD statements of the Hercules configuration `path` (device types CKD or FBA
// devices table knows; every other statement is passed over), each volume's label read.
// Error(ReadFailed) if the file cannot be read, Error(Usage) "PATH line N: ..." for a
// statement that cannot be read, a DASD statement naming no file, or two statements
// naming the same address or image.  An image that cannot be opened is no error here:
// its volume is kept with label_error set, and fails when it is dumped.
SystemDefinition load_system_configuration(const std::string& path);

// A plain list of images, one a line ("#" starts a comment), as load_system_configuration.
SystemDefinition load_system_list(const std::string& path);

// One --include or --exclude rule: a pattern with * (any run) and ? (any character),
// matched without regard to case against a volume's volser, address and device type.
struct SelectionRule {
    bool include = true;
    std::string pattern;
};

bool pattern_matches(const std::string& pattern, const std::string& text);

// Whether `v` is selected: the last rule matching it decides; a volume no rule matches is
// selected when no rule is an --include.
bool volume_selected(const SystemVolume& v, const std::vector<SelectionRule>& rules);

// --shard K/N, K from 1 to N.
struct Shard {
    unsigned index = 1;
    unsigned count = 1;
    std::string str() const { return std::to_string(index) + "/" + std::to_string(count); }
};
// "K/N"; Error(Usage) for anything else, K outside 1..N or N above 10000.
Shard parse_shard(const std::string& text);

// The selected volumes of `system`, in address order (a list: in its order), then only
// the Kth of every N of them (the 1st, N+1th, ... for K = 1): a rule every host of a
// sharded run applies alike, so the N shards together are the whole selection.
std::vector<SystemVolume> select_volumes(const SystemDefinition& system, const std::vector<SelectionRule>& rules,
                                         const Shard& shard);

// The volser as it may stand in a file name: letters, digits, and '_' for anything else.
std::string file_safe(const std::string& text);

} // namespace ddr
