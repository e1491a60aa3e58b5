// Choosing the device type of a volume or a dump: from the image, from --devtype, or
// from a DDR volume header, with the checks that keep the three consistent.
#pragma once

#include "devices/ckd_devices.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/volume/volume.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

// The device type of a CKD image: --devtype if given (it must agree with the image's
// type byte, heads and size), else the model Hercules would infer.  Error(Device).
const CkdDevice& device_for_image(const CkdVolumeInfo& info, const std::optional<std::string>& devtype,
                                  const std::string& image_name);

// The device type a dump was taken from: --devtype if given (it must fit the VHR), else
// the best row that fits MREC/CYLA/MTCK.  `how` says which, for the user.
const CkdDevice& device_for_dump(const DdrVolumeHeader& vhr, const std::optional<std::string>& devtype,
                                 std::string* how);

// The VHR fields IBM DDR writes for a device (MREC, CYLA, MTCK from its DDR table row),
// and for an EAV of `cylinders` cylinders its last cylinder (set_eav_last_cylinder).
void fill_vhr_geometry(DdrVolumeHeader& vhr, const CkdDevice& dev, uint32_t cylinders);

// "3370", "0671": a two-byte device type, four hex digits.
std::string hex_devtype(uint16_t value);

// What a CKD image is, for messages: "a 3390-3", or "a device type X'90' volume".
std::string describe_image(const CkdVolumeInfo& info);

// "3330, 3330-11": every model a VHR fits; and the same as a list, for reports.
std::string devices_fitting(const DdrVolumeHeader& vhr);
std::vector<std::string> device_names_fitting(const DdrVolumeHeader& vhr);

// The container for a new CKD volume from --format: ckd (plain CKD_P370), cckd
// (CKD_C370), cckd64 (CKD_C064); an EAV always goes into CKD_E064.  Error(Usage).
std::string ckd_container_for(const std::string& format, const CkdDevice& dev);

// True if Hercules 3.13's cckdcdsk -3 would call this track of a compressed image invalid
// (and drop it): a non-empty track of 37 bytes or less (R0 data on an empty track), or a
// record whose count names a head beyond the device's or record number 0.  ddr keeps
// such tracks exactly; it warns, since Hercules' own tools would not.
bool hercules_cckd_flags(const TrackImage& track, uint32_t heads);

// IBM's restore writes HA and R0 from tape on these older devices (ddrtape(5) section 4, "Restore").
bool restores_r0_from_tape(const CkdDevice& dev);

} // namespace ddr
