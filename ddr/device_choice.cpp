#include "ddr/device_choice.hpp"

#include "formats/io/error.hpp"
#include "formats/io/wording.hpp"

#include <algorithm>

namespace ddr {

namespace {
// The matches worth naming: those whose MREC and CYLA are exactly the VHR's (a whole
// pack dumped by IBM's DDR), else those whose MREC is, else all that fit.
std::vector<VhrMatch> best_matches(const DdrVolumeHeader& vhr)
{
    auto all = ckd_devices_for_vhr(vhr.mrec, vhr.cyla, vhr.mtck);
    for (int tier = 0; tier < 2; ++tier) {
        std::vector<VhrMatch> some;
        for (const VhrMatch& m : all)
            if (m.mrec_matches && (tier == 1 || m.cyla_matches))
                some.push_back(m);
        if (!some.empty())
            return some;
    }
    return all;
}

// "3330, 3330-11, ...": every CKD device name, for a message.
std::string known_names()
{
    std::string names;
    for (const CkdDevice& d : ckd_devices()) {
        if (!names.empty())
            names += ", ";
        names += d.name;
    }
    return names;
}

// The CKD device `name` names.  Error(Device), listing the known names, for none.
const CkdDevice& named_device(const std::string& name)
{
    const CkdDevice* dev = find_ckd_device(name);
    if (!dev)
        fail(ErrorKind::Device, "unknown CKD device type '" + name + "' (known: " + known_names() + ")");
    return *dev;
}
} // namespace

const CkdDevice& device_for_image(const CkdVolumeInfo& info, const std::optional<std::string>& devtype,
                                  const std::string& image_name)
{
    Place where = file_place(image_name);
    if (devtype) {
        const CkdDevice& dev = named_device(*devtype);
        if (dev.hercules_devtype() != info.devtype_byte)
            fail(ErrorKind::Device, where,
                 "the image is " + describe_image(info) + "; " + std::string(dev.name) + " is another device type");
        if (dev.heads != info.heads)
            fail(ErrorKind::Device, where, "the image has " + std::to_string(info.heads) + " heads; a " +
                                               std::string(dev.name) + " has " + std::to_string(dev.heads));
        if (!dev.eav && info.cylinders > dev.total_cylinders())
            fail(ErrorKind::Device, where, "the image has " + std::to_string(info.cylinders) +
                                               " cylinders, more than a " + std::string(dev.name) + " (" +
                                               std::to_string(dev.total_cylinders()) + ")");
        return dev;
    }
    // A CKD_E064 image always holds a 3390-A; Hercules' size rule would call one of
    // 65,521 to 65,523 cylinders a 3390-54 (its alternates) and lose its last cylinders.
    const CkdDevice* dev = info.format == "CKD_E064" ? find_ckd_device("3390-A")
                                                     : ckd_device_for_image(info.devtype_byte, info.cylinders);
    if (!dev)
        fail(ErrorKind::Device, where, "no known CKD device has device type byte " + hex_byte(info.devtype_byte) +
                                           " and " + std::to_string(info.cylinders) + " cylinders");
    if (dev->heads != info.heads)
        fail(ErrorKind::Device, where, "the image has " + std::to_string(info.heads) + " heads; a " +
                                           std::string(dev->name) + " has " + std::to_string(dev->heads));
    return *dev;
}

const CkdDevice& device_for_dump(const DdrVolumeHeader& vhr, const std::optional<std::string>& devtype,
                                 std::string* how)
{
    auto matches = ckd_devices_for_vhr(vhr.mrec, vhr.cyla, vhr.mtck);
    if (devtype) {
        const CkdDevice& dev = named_device(*devtype);
        bool fits = false;
        for (const VhrMatch& m : matches)
            fits = fits || m.device == &dev;
        if (!fits)
            fail(ErrorKind::Device, "the dump's VHR (MREC " + std::to_string(vhr.mrec) + ", CYLA " +
                                        std::to_string(vhr.cyla) + ", MTCK " + std::to_string(vhr.mtck) +
                                        ") does not describe a " + std::string(dev.name) +
                                        (matches.empty() ? std::string() : " (it fits " + devices_fitting(vhr) + ")"));
        if (how)
            *how = "given by --devtype";
        return dev;
    }
    if (matches.empty())
        fail(ErrorKind::Device, "no known CKD device fits the dump's VHR (MREC " + std::to_string(vhr.mrec) + ", CYLA " +
                                    std::to_string(vhr.cyla) + ", MTCK " + std::to_string(vhr.mtck) +
                                    "); give --devtype");
    auto best = best_matches(vhr);
    if (how)
        *how = "inferred from the VHR (MREC " + std::to_string(vhr.mrec) + ", CYLA " + std::to_string(vhr.cyla) +
               ", MTCK " + std::to_string(vhr.mtck) + ")" +
               (best.size() > 1 ? "; it fits " + devices_fitting(vhr) + ": use --devtype to choose another" : "");
    return *best.front().device;
}

std::string hex_devtype(uint16_t value)
{
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string text(4, '0');
    for (size_t i = 4; i-- > 0; value = uint16_t(value >> 4))
        text[i] = kDigits[value & 15];
    return text;
}

std::string describe_image(const CkdVolumeInfo& info)
{
    if (const CkdDevice* d = ckd_device_for_image(info.devtype_byte, info.cylinders))
        return "a " + std::string(d->name) + " (" + std::to_string(info.cylinders) + " cylinders, " +
               std::to_string(info.heads) + " heads)";
    return "a device type " + hex_byte(info.devtype_byte) + " volume of " + std::to_string(info.heads) + " heads";
}

void fill_vhr_geometry(DdrVolumeHeader& vhr, const CkdDevice& dev, uint32_t cylinders)
{
    vhr.mrec = dev.ddr.mrec;
    vhr.cyla = dev.ddr.cyla;
    vhr.mtck = dev.ddr.mtck;
    if (dev.eav)
        vhr.set_eav_last_cylinder(cylinders - 1);
}

std::string devices_fitting(const DdrVolumeHeader& vhr)
{
    std::string out;
    for (const std::string& name : device_names_fitting(vhr))
        out += (out.empty() ? "" : ", ") + name;
    return out;
}

std::vector<std::string> device_names_fitting(const DdrVolumeHeader& vhr)
{
    std::vector<std::string> names;
    for (const VhrMatch& m : best_matches(vhr))
        names.emplace_back(m.device->name);
    return names;
}

std::string ckd_container_for(const std::string& format, const CkdDevice& dev)
{
    if (dev.eav)
        return "CKD_E064";
    if (format == "ckd")
        return "CKD_P370";
    if (format == "cckd")
        return "CKD_C370";
    if (format == "cckd64")
        return "CKD_C064";
    fail(ErrorKind::Usage, "--format takes ckd, cckd or cckd64, not '" + format + "'");
}

bool hercules_cckd_flags(const TrackImage& track, uint32_t heads)
{
    std::vector<CkdRecord> recs;
    track.records(recs);
    if (track.size() <= 37) {
        // FMT1 (R0 of 8 zero bytes) and FMT0 (plus an end-of-file R1) are stored as null tracks.
        const bool zero_r0 = recs[0].data.size() == 8 && std::all_of(recs[0].data.begin(), recs[0].data.end(),
                                                                       [](uint8_t b) { return b == 0; });
        const bool r0_plain = zero_r0 && recs[0].key.empty() && recs[0].cchh() == track.home_cchh();
        const bool fmt0 = recs.size() == 2 && recs[1].is_end_of_file() && recs[1].record_number() == 1 &&
                          recs[1].cchh() == track.home_cchh();
        return !(r0_plain && (recs.size() == 1 || fmt0));
    }
    for (size_t i = 1; i < recs.size(); ++i)
        if (hh_of(recs[i].cchh()) >= heads || recs[i].record_number() == 0)
            return true;
    return false;
}

bool restores_r0_from_tape(const CkdDevice& dev)
{
    return dev.devtype == 0x2311 || dev.devtype == 0x2314 || dev.devtype == 0x2305;
}

} // namespace ddr
