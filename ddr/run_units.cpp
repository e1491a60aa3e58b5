#include "ddr/run_units.hpp"

#include "ddr/device_choice.hpp"
#include "ddr/inputs.hpp"
#include "ddr/run_tapes.hpp"
#include "ddr/shadow_option.hpp"
#include "devices/ckd_devices.hpp"
#include "devices/fba_devices.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/hercules_config.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace ddr {

namespace {

bool file_exists(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool empty_file(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

// A byte count of a Hercules option: decimal digits times `unit`.
uint64_t option_bytes(const std::string& value, uint64_t unit, const UnitBinding& b, const char* key)
{
    if (value.empty() || value.size() > 15 || value.find_first_not_of("0123456789") != std::string::npos)
        fail(ErrorKind::Usage, b.origin + ": " + key + "=" + value + " is not a number of bytes");
    return std::stoull(value) * unit;
}

void check_dasd_type(const stmt::DeviceStatement& s, const std::string& path, const std::optional<std::string>& sf)
{
    const bool ckd_named = find_ckd_device(s.type.name) != nullptr;
    if (looks_like_ckd_volume(path)) {
        if (!ckd_named)
            fail(ErrorKind::Device, file_place(path), "the file is a CKD volume, not a " + s.type.name);
        device_for_image(open_ckd_volume(path, input_volume(sf))->info(), s.type.name, path);
        return;
    }
    const auto fba = open_fba_volume(path, input_volume(sf));
    const FbaDevice* dev = find_fba_device(s.type.name);
    if (!dev)
        fail(ErrorKind::Device, file_place(path), "the file is an FBA volume, not a " + s.type.name);
    if (!dev->any_size() && fba->info().blocks > dev->blocks)
        fail(ErrorKind::Device, file_place(path), "the volume has more blocks than a " + s.type.name);
}

} // namespace

void UnitTable::add_config(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(ErrorKind::ReadFailed, file_place(path), "cannot read the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    for (HerculesDevice& d : parse_hercules_config(text.str(), path)) {
        if (d.file.empty())
            continue;
        units_[d.unit] = {d.file, d.devtype, std::move(d.options), path + " line " + std::to_string(d.line)};
    }
}

void UnitTable::add_option(const std::string& value)
{
    const size_t eq = value.find('=');
    const auto unit = eq == std::string::npos ? std::nullopt : stmt::parse_unit(value.substr(0, eq));
    std::istringstream rest(eq == std::string::npos ? std::string() : value.substr(eq + 1));
    UnitBinding b;
    rest >> b.file;
    if (!unit || b.file.empty())
        fail(ErrorKind::Usage, "--unit " + value + ": give ADDR=FILE, e.g. 181=dump.aws");
    for (std::string o; rest >> o;)
        b.options.push_back(o);
    b.origin = "--unit " + stmt::unit_name(*unit);
    units_[*unit] = std::move(b);
}

const UnitBinding* UnitTable::find(uint16_t unit) const
{
    const auto it = units_.find(unit);
    return it == units_.end() ? nullptr : &it->second;
}

ReelOptions reel_options_of(const UnitBinding& unit)
{
    ReelOptions r;
    if (std::string v = hercules_option(unit.options, "maxsize"); !v.empty())
        r.size = option_bytes(v, 1, unit, "maxsize");
    if (std::string v = hercules_option(unit.options, "maxsizeK"); !v.empty())
        r.size = option_bytes(v, 1024, unit, "maxsizeK");
    if (std::string v = hercules_option(unit.options, "maxsizeM"); !v.empty())
        r.size = option_bytes(v, 1024 * 1024, unit, "maxsizeM");
    if (std::string v = hercules_option(unit.options, "eotmargin"); !v.empty())
        r.margin = option_bytes(v, 1, unit, "eotmargin");
    return r;
}

void check_unit_device(const stmt::DeviceStatement& s, const UnitBinding& unit)
{
    const bool tape = s.type.cls == stmt::DeviceClass::Tape;
    if (!unit.devtype.empty()) {
        const auto configured = stmt::find_device_type(unit.devtype);
        if (configured && configured->cls != s.type.cls)
            fail(ErrorKind::Device, unit.origin + " makes unit " + stmt::unit_name(s.unit) + " a " + unit.devtype +
                                        ", not a " + std::string(tape ? "tape" : "DASD"));
    }
    if (!file_exists(unit.file)) {
        if (s.output)
            return;  // made by the step that writes it
        fail(ErrorKind::ReadFailed, file_place(unit.file), "unit " + stmt::unit_name(s.unit) + " holds no such file");
    }
    if (tape) {
        // A drive is not opened here: reading it would rewind it, and the job must find
        // its tape where it stands (its first step asks the driver).
        if (file_status(unit.file).kind == FileKind::CharDevice)
            return;
        if (!empty_file(unit.file) && !is_tape_input(unit.file))
            fail(ErrorKind::Device, file_place(unit.file), "the file is not a tape (AWS or HET), so not a " + s.type.name);
        return;
    }
    if (is_tape_input(unit.file))
        fail(ErrorKind::Device, file_place(unit.file), "the file is a tape, not a " + s.type.name);
    const std::optional<std::string> sf = shadow_files_of(unit);
    if (s.output && sf) {
        const std::vector<std::string> shadows = existing_shadow_files(*sf);
        if (!shadows.empty())
            fail(ErrorKind::Refused, file_place(unit.file),
                 "unit " + stmt::unit_name(s.unit) + " has shadow files (" + shadows.front() +
                     "...): Hercules would read them over what is written to the base; merge or remove them first");
    }
    check_dasd_type(s, unit.file, sf);
}

std::optional<std::string> shadow_files_of(const UnitBinding& unit)
{
    std::string sf = hercules_option(unit.options, "sf");
    if (sf.empty())
        return std::nullopt;
    return sf;
}

std::optional<std::string> read_volume_volser(const std::string& path, const std::optional<std::string>& sf)
{
    if (looks_like_ckd_volume(path)) {
        TrackImage track0;
        open_ckd_volume(path, input_volume(sf))->read_track({0, 0}, track0);
        if (auto label = find_ckd_volume_label(track0))
            return label->volser;
        return std::nullopt;
    }
    const auto fba = open_fba_volume(path, input_volume(sf));
    if (fba->info().blocks < 2)
        return std::nullopt;
    Bytes block1(kFbaBlockSize);
    fba->read_blocks(1, block1);
    return find_fba_volser(block1);
}

std::optional<uint32_t> device_last_cylinder(const std::string& devtype)
{
    const CkdDevice* dev = find_ckd_device(devtype);
    if (!dev || dev->eav)
        return std::nullopt;
    return dev->ddr.cyla;
}

} // namespace ddr
