#include "ddr/cmd_devices.hpp"

#include "devices/ckd_devices.hpp"
#include "devices/fba_devices.hpp"
#include "devices/tape_devices.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace ddr {

void add_devices_command(CLI::App& app, CommandAction& action)
{
    auto options = std::make_shared<DevicesOptions>();
    CLI::App* cmd = app.add_subcommand("devices", "list the CKD, FBA and tape device types ddr knows");
    cmd->add_flag("--names", options->names_only, "only the names (and aliases), one per line");
    cmd->callback([options, &action] { action = [options](Reporter& r) { return run_devices(*options, r); }; });
}

namespace {

std::string row(const char* format, auto... values)
{
    char buf[160];
    std::snprintf(buf, sizeof buf, format, values...);
    return buf;
}

// The names a device answers to, canonical first.
template <class Device> std::vector<std::string> names_of(const Device& d)
{
    std::vector<std::string> names{std::string(d.name)};
    for (std::string_view alias : d.aliases)
        if (!alias.empty())
            names.emplace_back(alias);
    return names;
}

template <class Device> Json names_json(const Device& d)
{
    Json list = Json::array();
    for (const std::string& n : names_of(d))
        list.push(Json(n));
    return list;
}

void list_ckd(Reporter& reporter)
{
    reporter.listing("CKD        cylinders  +alt  heads  track slot   capacity (Hercules image)");
    Json& all = reporter.facts()["ckd"] = Json::array();
    for (const CkdDevice& d : ckd_devices()) {
        const uint64_t image = uint64_t(d.cylinders) * d.heads * d.hercules_track_size() + 512;
        reporter.listing(row("%-10s %9u %5u %6u %11u   %s%s", std::string(d.name).c_str(), unsigned(d.cylinders),
                             unsigned(d.alt_cylinders), unsigned(d.heads), unsigned(d.hercules_track_size()),
                             human_bytes(image).c_str(), d.eav ? " (largest EAV)" : ""));
        Json j;
        j["names"] = names_json(d);
        j["devtype"] = row("%04X", unsigned(d.devtype));
        j["cylinders"] = d.cylinders;
        j["alternate_cylinders"] = unsigned(d.alt_cylinders);
        j["heads"] = unsigned(d.heads);
        j["track_slot_bytes"] = d.hercules_track_size();
        j["image_bytes"] = image;
        j["eav"] = d.eav;
        all.push(std::move(j));
    }
}

void list_fba(Reporter& reporter)
{
    reporter.listing("FBA        blocks       capacity");
    Json& all = reporter.facts()["fba"] = Json::array();
    for (const FbaDevice& d : fba_devices()) {
        reporter.listing(d.any_size() ? row("%-10s %-12s %s", std::string(d.name).c_str(), "any", "any")
                                      : row("%-10s %-12u %s", std::string(d.name).c_str(), unsigned(d.blocks),
                                            human_bytes(d.bytes()).c_str()));
        Json j;
        j["names"] = names_json(d);
        j["devtype"] = row("%04X", unsigned(d.devtype));
        j["blocks"] = d.any_size() ? Json() : Json(d.blocks);
        all.push(std::move(j));
    }
}

void list_tapes(Reporter& reporter)
{
    reporter.listing("Tape (--reel-size)        capacity   largest block");
    Json& all = reporter.facts()["tape"] = Json::array();
    for (const TapeReel& t : tape_reels()) {
        reporter.listing(row("%-24s %10s %15u", t.name().c_str(), human_bytes(t.capacity).c_str(), unsigned(t.max_block)));
        Json j;
        j["name"] = t.name();
        j["capacity_bytes"] = t.capacity;
        j["max_block"] = t.max_block;
        all.push(std::move(j));
    }
}

} // namespace

int run_devices(const DevicesOptions& options, Reporter& reporter)
{
    if (options.names_only) {
        for (const CkdDevice& d : ckd_devices())
            for (const std::string& n : names_of(d))
                reporter.listing(n);
        for (const FbaDevice& d : fba_devices())
            for (const std::string& n : names_of(d))
                reporter.listing(n);
        for (const std::string& n : tape_reel_names())
            reporter.listing(n);
        return 0;
    }
    list_ckd(reporter);
    reporter.listing("");
    list_fba(reporter);
    reporter.listing("");
    list_tapes(reporter);
    return 0;
}

} // namespace ddr
