// The units of a `ddr run` job: which file each device address holds (--unit, or a
// Hercules configuration), and the checks that a file is the device a statement names.
#pragma once

#include "ddr/statements.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

// A file bound to a unit address, with the Hercules options given for it
// ("maxsize=880570", "eotmargin=65536", "ro"), and where the binding was made.
struct UnitBinding {
    std::string file;
    std::string devtype;               // the type a configuration gives it ("" from --unit)
    std::vector<std::string> options;
    std::string origin;                // "--unit 181", "hercules.cnf line 12"
};

class UnitTable {
public:
    // Binds the device statements of Hercules configuration `path`.  Error(Usage) with
    // the line of a statement that cannot be read; Error(ReadFailed) if it cannot be read.
    void add_config(const std::string& path);
    // Binds "ADDR=FILE [option ...]" (--unit); a later binding of an address replaces an
    // earlier one.  Error(Usage) for a malformed value.
    void add_option(const std::string& value);

    const UnitBinding* find(uint16_t unit) const;

private:
    std::map<uint16_t, UnitBinding> units_;
};

// The reel size and end-of-tape margin a tape unit's Hercules options give (maxsize=,
// maxsizeK=, maxsizeM=, eotmargin=), for the reel writer: 0 is no limit.  Error(Usage)
// for a value that is not a number.
struct ReelOptions {
    uint64_t size = 0;
    uint64_t margin = 0;
};
ReelOptions reel_options_of(const UnitBinding& unit);

// Checks that the file bound to the unit of `statement` is the device it names, before
// any step uses it: a DASD statement needs a volume of that type (an OUTPUT may name one
// not yet made; an INPUT is read with the shadow files its sf= option names, and an
// OUTPUT whose sf= finds shadow files is Error(Refused): they would hide what is written), a tape statement a tape (an OUTPUT may name a file not yet made; a
// character device is taken for a tape drive, not opened), and a
// configuration's device type must agree.  Error(Device) for a mismatch (IBM's 708E),
// Error(ReadFailed) if an INPUT volume is not there.
void check_unit_device(const stmt::DeviceStatement& statement, const UnitBinding& unit);

// The shadow file name a DASD unit's Hercules options give (sf=), or nullopt.
std::optional<std::string> shadow_files_of(const UnitBinding& unit);

// The volser in the label of the volume `path` (CKD: VOL1 on cylinder 0 head 0; FBA:
// block 1), read with the shadow files `sf` names (Hercules' sf=), or nullopt if it has none.
std::optional<std::string> read_volume_volser(const std::string& path, const std::optional<std::string>& sf);

// The last cylinder (CKD) the device named `devtype` has, alternates included, as IBM's
// DDR table gives it (CYLA); nullopt for a type that is not a CKD device.
std::optional<uint32_t> device_last_cylinder(const std::string& devtype);

} // namespace ddr
