#include "ddr/cmd_verify_catalog.hpp"

#include "ddr/catalog.hpp"
#include "ddr/exit_codes.hpp"
#include "ddr/jobs.hpp"
#include "formats/ddrtape/stream.hpp"
#include "formats/io/error.hpp"
#include "formats/io/interrupt.hpp"
#include "formats/tape/tape.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace ddr {

void add_verify_catalog_options(CLI::App* verify, CatalogVerifyOptions& options)
{
    verify->add_option("--catalog", options.catalog,
                       "verify every tape of a whole-system run (its catalog.json); --against CNF compares each with "
                       "the live volume too");
    add_selection_options(verify, options.selection);
}

namespace {

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return s;
}

// The dump TOD of the VHR the tape `path` starts with, as 16 hex digits.
std::string tape_tod(const std::string& path)
{
    auto tape = open_tape_reader(path);
    DdrStreamReader stream(*tape);
    if (stream.next() != DdrEvent::Header)
        fail(ErrorKind::Unreadable, file_place(path), "the tape does not start with a DDR volume header");
    char hex[20];
    std::snprintf(hex, sizeof hex, "%016llX", static_cast<unsigned long long>(stream.header().tod));
    return hex;
}

// Where what the verify report says differs from the catalog's entry (its tod, units
// and reel hashes, where both name them); "" when it does not.
std::string catalog_difference(const CatalogVolume& v, const std::string& tod, const Json& facts)
{
    if (upper(tod) != upper(v.tod))
        return "the tape's dump TOD " + tod + " is not the catalog's " + v.tod + " (another dump under its name)";
    const Json* units = facts.find("units");
    const Json* listed = v.entry.find("units");
    if (units && units->is_number() && listed && !(*units == *listed))
        return "the tape holds " + units->dump(0) + " units, the catalog says " + listed->dump(0);
    const Json* reels = facts.find("reels");
    const Json* listed_reels = v.entry.find("reels");
    if (!reels || !listed_reels)
        return "";
    for (size_t i = 0; i < reels->size() && i < listed_reels->size(); ++i) {
        const Json* a = reels->items()[i].find("reel_hash");
        const Json* b = listed_reels->items()[i].find("reel_hash");
        if (a && b && !(*a == *b))
            return "reel " + std::to_string(i + 1) + "'s hash " + a->dump(0) + " is not the catalog's " + b->dump(0);
    }
    return "";
}

// The live image of each volume, by address (by image for a list), from --against CNF.
std::map<std::string, SystemVolume> live_images(const std::string& config)
{
    std::map<std::string, SystemVolume> images;
    for (const SystemVolume& v : load_system_configuration(config).volumes)
        images[v.address.empty() ? v.image : v.address] = v;
    return images;
}

struct VerifyOutcome {
    bool intact = false;
    std::string line;
};

// Verifies one volume's tapes; never throws an Error: a failure is the outcome's line.
VerifyOutcome verify_volume(const Catalog& catalog, const CatalogVolume& v, const VerifyOptions& base,
                            const std::map<std::string, SystemVolume>& live, Reporter::ProgressObserver observer)
{
    VerifyOutcome out;
    VerifyOptions o;
    for (const std::string& t : v.tapes)
        o.inputs.push_back(catalog.folder + "/" + t);
    if (base.against) {
        const auto image = live.find(v.address.empty() ? v.image : v.address);
        if (image == live.end()) {
            out.line = "DAMAGED: " + *base.against + " has no volume at " + v.label();
            return out;
        }
        o.against = image->second.image;
        o.sf = image->second.sf;
    }
    Reporter job = Reporter::for_job(std::move(observer));
    try {
        run_verify(o, job);
        const std::string diff = catalog_difference(v, tape_tod(o.inputs[0]), job.facts());
        if (!diff.empty()) {
            out.line = "DAMAGED: " + diff;
            return out;
        }
        out.intact = true;
        out.line = std::string("intact") + (o.against ? ", equal to " + *o.against : "");
    } catch (const Error& e) {
        out.line = "DAMAGED: " + std::string(e.what());
    }
    return out;
}

} // namespace

int run_verify_catalog(const VerifyOptions& base, const CatalogVerifyOptions& options, Reporter& reporter)
{
    if (!base.inputs.empty() || base.manifest)
        fail(ErrorKind::Usage, "--catalog verifies the tapes the catalog lists: give no INPUT or --manifest");
    const Catalog catalog = read_catalog(*options.catalog);
    const std::map<std::string, SystemVolume> live =
        base.against ? live_images(*base.against) : std::map<std::string, SystemVolume>{};
    const std::vector<const CatalogVolume*> volumes = selected_volumes(catalog, options.selection.rules());
    std::vector<uint64_t> estimates(volumes.size(), 0);
    RunProgress progress(estimates, shows_run_progress(reporter), "verify");
    std::vector<VerifyOutcome> outcomes(volumes.size());
    run_jobs(volumes.size(), options.selection.job_count(), [&](size_t i) {
        if (volumes[i]->dumped())
            outcomes[i] = verify_volume(catalog, *volumes[i], base, live, progress.observer(i));
        else
            outcomes[i].line = "not dumped (the dump failed: no tape)";
    }, progress);
    check_interrupted();

    std::string damaged, not_dumped;
    Json facts = Json::array();
    for (size_t i = 0; i < volumes.size(); ++i) {
        const CatalogVolume& v = *volumes[i];
        reporter.listing(v.name + ": " + outcomes[i].line);
        if (!v.dumped())
            not_dumped += " " + v.name;
        else if (!outcomes[i].intact)
            damaged += " " + v.name;
        Json f = Json::object();
        f["name"] = v.name;
        f["address"] = v.address;
        f["volser"] = v.volser;
        f["intact"] = outcomes[i].intact;
        f["result"] = outcomes[i].line;
        facts.push(std::move(f));
    }
    reporter.end_listing();
    reporter.facts()["catalog"] = catalog.path;
    reporter.facts()["volumes"] = std::move(facts);
    if (!damaged.empty())
        fail(ErrorKind::Damaged, file_place(catalog.path), "not intact:" + damaged);
    reporter.note(catalog.path + ": every tape of " + std::to_string(volumes.size()) +
                  " volumes intact and equal to the catalog");
    if (!not_dumped.empty()) {
        reporter.warn("the catalog records volumes whose dump failed:" + not_dumped);
        return kExitSomeFailed;
    }
    return kExitOk;
}

} // namespace ddr
