#include "ddr/init.hpp"

#include "ddr/device_choice.hpp"
#include "devices/ckd_devices.hpp"
#include "formats/error.hpp"
#include "formats/volume.hpp"
#include "formats/volume_label.hpp"

namespace ddr {

int run_init(const InitOptions& options, Reporter& reporter)
{
    const CkdDevice* dev = find_ckd_device(options.devtype);
    if (!dev)
        fail(ErrorKind::Device, "unknown CKD device type '" + options.devtype + "'");
    volser_to_ebcdic(options.volser);  // checks it
    uint64_t cylinders = options.cylinders.value_or(dev->cylinders + (options.alternates ? dev->alt_cylinders : 0));
    if (cylinders == 0 || (!dev->eav && cylinders > 65536) || cylinders > kEavMaxCylinders ||
        (dev->eav && cylinders < kEavMinCylinders))
        fail(ErrorKind::Usage, "a " + std::string(dev->name) + " cannot have " + std::to_string(cylinders) + " cylinders");
    NewCkdVolume spec;
    spec.format = ckd_container_for(options.format, *dev);  // no Hercules format holds an EAV
    spec.devtype_byte = dev->hercules_devtype();
    spec.heads = dev->heads;
    spec.track_size = dev->hercules_track_size();
    spec.cylinders = uint32_t(cylinders);
    auto volume = create_ckd_volume(options.target, spec);
    volume->write_track({0, 0}, dasdinit_track0(options.volser));
    volume->commit();
    reporter.note("made " + options.target + ": a " + std::string(dev->name) + " of " + std::to_string(cylinders) +
                  " cylinders, volser " + options.volser);
    return 0;
}

} // namespace ddr
