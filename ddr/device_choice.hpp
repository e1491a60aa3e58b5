// Choosing the device type of a volume or a dump: from the image, from --devtype, or
// from a DDR volume header, with the checks that keep the three consistent.
#pragma once

#include "devices/ckd_devices.hpp"
#include "formats/ddr_records.hpp"
#include "formats/volume.hpp"

#include <optional>
#include <string>

namespace ddr {

// The device type of a CKD image: --devtype if given (it must agree with the image's
// type byte, heads and size), else the model Hercules would infer.  Error(Device).
const CkdDevice& device_for_image(const CkdVolumeInfo& info, const std::optional<std::string>& devtype,
                                  const std::string& image_name);

// The device type a dump was taken from: --devtype if given (it must fit the VHR), else
// the best row that fits MREC/CYLA/MTCK.  `how` says which, for the user.
const CkdDevice& device_for_dump(const DdrVolumeHeader& vhr, const std::optional<std::string>& devtype,
                                 std::string* how);

// The VHR fields IBM DDR writes for a device.
void fill_vhr_geometry(DdrVolumeHeader& vhr, const CkdDevice& dev);

// "X'90'": a device type byte as IBM writes hex.
std::string hex_byte(uint8_t value);

// What a CKD image is, for messages: "a 3390-3", or "a device type X'90' volume".
std::string describe_image(const CkdVolumeInfo& info);

// "3330, 3330-11": every model a VHR fits.
std::string devices_fitting(const DdrVolumeHeader& vhr);

// IBM's restore writes HA and R0 from tape on these older devices (ddrtape.md §4.6).
bool restores_r0_from_tape(const CkdDevice& dev);

} // namespace ddr
