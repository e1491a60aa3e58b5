#include "ddr/cmd_init.hpp"

#include "ddr/device_choice.hpp"
#include "ddr/outputs.hpp"
#include "devices/ckd_devices.hpp"
#include "devices/fba_devices.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include <CLI/CLI.hpp>

#include <memory>

namespace ddr {

void add_init_command(CLI::App& app, CommandAction& action)
{
    // The options live as long as the action that reads them.
    auto options = std::make_shared<InitOptions>();
    CLI::App* cmd = app.add_subcommand("init", "make an empty formatted volume image (like dasdinit)");
    cmd->add_option("TARGET", options->target, "the image to create")->required();
    cmd->add_option("DEVTYPE", options->devtype, "device type and model, e.g. 3390-3, or an FBA type: 3370, 9336, FB-512")
        ->required();
    cmd->add_option("VOLSER", options->volser, "volume serial, 1-6 characters")->required()->transform(upper_case);
    cmd->add_option("--cylinders", options->cylinders, "cylinders (default: the model's primary cylinders)");
    cmd->add_flag("-a,--alternates", options->alternates, "add the model's alternate cylinders");
    cmd->add_option("--blocks", options->blocks, "FBA: blocks (default: the model's)");
    cmd->add_option("--format", options->format,
                    "container: ckd (default), cckd or cckd64 (a 3390-A is always CKD_E064); FBA: fba or cfba")
        ->check(CLI::IsMember({"ckd", "cckd", "cckd64", "fba", "cfba"}));
    cmd->callback([options, &action] { action = [options](Reporter& r) { return run_init(*options, r); }; });
}

namespace {

// The report of init (man/ddr.1, JSON REPORTS) but the size; returns it.
Json& report_init(const InitOptions& options, std::string_view devtype, const std::string& format, Json& facts)
{
    facts["target"] = options.target;
    facts["devtype"] = devtype;
    facts["volser"] = options.volser;
    facts["container"] = container_kind(format);
    facts["image_format"] = format;
    return facts;
}

// run_init for an FBA device: --blocks (default the model's) checked against it, the
// container fba or cfba, and dasdinit's block 1 with the volser.  Error(Usage) otherwise.
int init_fba(const InitOptions& options, const FbaDevice& dev, Reporter& reporter)
{
    if (options.cylinders)
        fail(ErrorKind::Usage, "an FBA volume is sized in --blocks, not --cylinders");
    volser_to_ebcdic(options.volser);  // checks it
    const uint64_t blocks = options.blocks.value_or(dev.blocks);
    if (blocks < 2)
        fail(ErrorKind::Usage, dev.any_size() ? "an FB-512 volume needs --blocks N" : "an FBA volume needs at least 2 blocks");
    if (!dev.any_size() && blocks > dev.blocks)
        fail(ErrorKind::Usage, "a " + std::string(dev.name) + " has " + std::to_string(dev.blocks) + " blocks, not " +
                                   std::to_string(blocks));
    NewFbaVolume spec;
    if (options.format != "ckd" && options.format != "fba" && options.format != "cfba")
        fail(ErrorKind::Usage, "--format for an FBA volume is fba or cfba");
    spec.format = options.format == "cfba" ? "FBA_C370" : "FBA";
    spec.blocks = blocks;
    spec.devtype = dev.devtype;
    auto volume = create_fba_volume(options.target, spec);
    auto block1 = dasdinit_fba_block1(options.volser);
    volume->write_blocks(1, block1);
    volume->commit();
    reporter.note("made " + options.target + ": a " + std::string(dev.name) + " of " + std::to_string(blocks) +
                  " blocks, volser " + options.volser);
    report_init(options, dev.name, spec.format, reporter.facts())["blocks"] = blocks;
    return 0;
}

} // namespace

// Makes TARGET, an empty volume of DEVTYPE labelled VOLSER, as Hercules' dasdinit does.
// Returns 0; Error(Device) for an unknown type, Error(Usage) for a size or container the
// type cannot have.
int run_init(const InitOptions& options, Reporter& reporter)
{
    clear_leftovers_beside(options.target, reporter);
    if (const FbaDevice* fba = find_fba_device(options.devtype))
        return init_fba(options, *fba, reporter);
    const CkdDevice* dev = find_ckd_device(options.devtype);
    if (!dev)
        fail(ErrorKind::Device, "unknown device type '" + options.devtype + "'");
    if (options.blocks)
        fail(ErrorKind::Usage, "a CKD volume is sized in --cylinders, not --blocks");
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
    Json& facts = report_init(options, dev->name, spec.format, reporter.facts());
    facts["cylinders"] = cylinders;
    facts["heads"] = dev->heads;
    return 0;
}

} // namespace ddr
