#include "ddr/cmd_dump_system.hpp"

#include "ddr/catalog.hpp"
#include "ddr/exit_codes.hpp"
#include "ddr/jobs.hpp"
#include "ddr/system.hpp"
#include "ddr/version.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/interrupt.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <unistd.h>

namespace ddr {

void add_dump_system_options(CLI::App* dump, SystemDumpOptions& options)
{
    dump->add_option("--system", options.system,
                     "dump every DASD volume of this Hercules configuration (with --to; see WHOLE-SYSTEM RUNS)");
    dump->add_option("--images", options.images, "dump every image of this list (one a line), as --system does");
    dump->add_option("--to", options.to, "--system: a folder for the tapes and catalog.json; repeat for identical copies")
        ->allow_extra_args(false);
    dump->add_option("--shard", options.shard, "--system: dump only the Kth of N slices of the selected volumes (K/N)");
    add_selection_options(dump, options.selection);
}

std::string catalog_file_name(const std::string& shard)
{
    if (shard.empty())
        return "catalog.json";
    const Shard s = parse_shard(shard);
    return "catalog-" + std::to_string(s.index) + "-of-" + std::to_string(s.count) + ".json";
}

namespace {

// What one volume's job came to.
struct VolumeOutcome {
    std::string status = "failed";       // complete, changed or failed (of the first copy)
    std::string error;
    Json facts = Json::object();
    std::vector<std::string> messages;
    std::vector<std::string> set_errors; // per copy: "" if it was written
};

// The time now as ISO 8601 UTC, "2026-12-04T05:07:09Z".
std::string utc_now()
{
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm {};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string host_name()
{
    char buf[256] = {};
    return ::gethostname(buf, sizeof buf - 1) == 0 ? buf : "";
}

// Error(Usage) for the single-volume dump's options that a system dump cannot take.
void refuse_single_volume_options(const DumpOptions& base, const SystemDumpOptions& options)
{
    if (options.system && options.images)
        fail(ErrorKind::Usage, "give --system or --images, not both");
    if (!options.system && !options.images)
        fail(ErrorKind::Usage, "--to goes with --system CNF (or --images LIST)");
    if (options.to.empty())
        fail(ErrorKind::Usage, "--system: give --to DIR, the folder for the tapes and the catalog");
    if (!base.source.empty() || !base.tapes.empty())
        fail(ErrorKind::Usage, "--system dumps the volumes of the configuration: give no SOURCE or TAPE");
    if (!base.extents.empty() || !base.blocks.empty() || base.reorder || base.cpvol || base.nucleus || base.volser ||
        base.devtype || base.manifest || base.tape.append || !base.reel_sizes.empty() || base.eot_margin)
        fail(ErrorKind::Usage, "--system dumps whole volumes, one tape file each: --cylinders, --blocks, --reorder, "
                               "--cpvol, --nucleus, --volser, --devtype, --manifest, --append, --reel-size and "
                               "--eot-margin go with a single volume");
    for (const std::string& dir : options.to)
        if (dir == "-")
            fail(ErrorKind::Usage, "--to names a folder, not standard output");
}

// The folders exist (made if need be) and hold no catalog or tape of this run's names,
// unless --overwrite.  Error(Refused) naming the first file in the way.
void prepare_destinations(const std::vector<std::string>& dirs, const std::vector<SystemVolume>& volumes,
                          const std::string& catalog_name, const std::string& extension, bool overwrite)
{
    for (size_t i = 0; i < dirs.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (std::filesystem::weakly_canonical(dirs[i]) == std::filesystem::weakly_canonical(dirs[j]))
                fail(ErrorKind::Usage, "--to " + dirs[i] + " is given twice: each copy needs a folder of its own");
    for (const std::string& dir : dirs) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec || !std::filesystem::is_directory(dir))
            fail(ErrorKind::WriteFailed, file_place(dir), "cannot make the folder: " + ec.message());
        if (overwrite)
            continue;
        if (path_exists(dir + "/" + catalog_name))
            fail(ErrorKind::Refused, file_place(dir + "/" + catalog_name),
                 "a catalog of an earlier run is here (--overwrite replaces the run; or use a new folder)");
        for (const SystemVolume& v : volumes)
            if (path_exists(dir + "/" + v.name + extension))
                fail(ErrorKind::Refused, file_place(dir + "/" + v.name + extension),
                     "the tape file already exists (--overwrite replaces it)");
    }
}

// Dumps one volume into every folder (the first folder's tape, the others as mirrors of
// the same read); never throws an Error: a failure is the volume's outcome.
VolumeOutcome dump_volume(const DumpOptions& base, const SystemVolume& v, const std::vector<std::string>& dirs,
                          const std::string& extension, Reporter::ProgressObserver observer)
{
    VolumeOutcome out;
    DumpOptions o = base;
    o.source = v.image;
    o.tapes = {dirs[0] + "/" + v.name + extension};
    for (size_t d = 1; d < dirs.size(); ++d)
        o.mirror_tapes.push_back({dirs[d] + "/" + v.name + extension});
    o.sf = v.sf;
    Reporter job = Reporter::for_job(std::move(observer));
    int code = kExitInternal;
    try {
        code = run_dump(o, job);
        out.status = code == kExitSourceChanged ? "changed" : "complete";
    } catch (const Error& e) {
        out.error = e.what();
    }
    out.facts = job.facts();
    out.messages = job.messages();
    if (const Json* changed = out.facts.find("source_changed"); changed && changed->type() == Json::Type::Bool &&
                                                               changed->as_bool() && out.status == "complete")
        out.status = "changed";
    out.set_errors.assign(dirs.size(), out.status == "failed" ? out.error : "");
    if (const Json* sets = out.facts.find("sets"); sets && sets->is_array())
        for (size_t d = 0; d < sets->size() && d < dirs.size(); ++d)
            if (const Json* err = sets->items()[d].find("error"); err && err->is_string() && !err->as_string().empty())
                out.set_errors[d] = err->as_string();
    return out;
}

// One volume's catalog entry for the copy in `dir_index`: the system's fields, then every
// fact of the dump's report, its reels named as plain files of that folder.
Json volume_entry(const SystemVolume& v, const VolumeOutcome& out, size_t dir_index, const std::string& extension)
{
    Json e = Json::object();
    e["address"] = v.address.empty() ? Json() : Json(v.address);
    e["devtype"] = v.devtype;
    e["volser"] = v.volser;
    e["image"] = v.image;
    e["sf"] = v.sf ? Json(*v.sf) : Json();
    e["line"] = v.line;
    e["name"] = v.name;
    const std::string& set_error = out.set_errors[dir_index];
    e["status"] = set_error.empty() ? out.status : "failed";
    e["error"] = set_error.empty() ? Json() : Json(set_error);
    Json tapes = Json::array();
    if (set_error.empty())
        tapes.push(v.name + extension);
    e["tapes"] = tapes;
    for (const auto& [key, value] : out.facts.members()) {
        if (e.contains(key) || key == "sets")
            continue;
        e[key] = value;
    }
    if (e.contains("reels") && e.at("reels").is_array()) {
        Json renamed = Json::array();
        for (Json reel : e.at("reels").items()) {
            reel["file"] = v.name + extension;
            renamed.push(std::move(reel));
        }
        e["reels"] = std::move(renamed);
    }
    Json messages = Json::array();
    for (const std::string& m : out.messages)
        messages.push(m);
    e["messages"] = messages;
    return e;
}

// The run record of a catalog.
Json run_record(const SystemDefinition& system, const SystemDumpOptions& options, const std::string& start,
                unsigned jobs, const std::string& result)
{
    Json run = Json::object();
    run["start"] = start;
    run["end"] = utc_now();
    run["host"] = host_name();
    run["config"] = system.path;
    run["config_kind"] = system.configuration ? "configuration" : "list";
    run["config_text"] = system.text;
    Json rules = Json::array();
    for (const std::string& r : rules_text(options.selection.rules()))
        rules.push(r);
    run["rules"] = rules;
    run["jobs"] = jobs;
    run["shard"] = options.shard.empty() ? Json() : Json(options.shard);
    run["result"] = result;
    run["ddr_version"] = kDdrVersion;
    return run;
}

// One line a volume that is not complete, and the summary; returns the exit code.
int summarize(const std::vector<SystemVolume>& volumes, const std::vector<VolumeOutcome>& outcomes,
              const RunProgress& progress, Reporter& reporter)
{
    size_t complete = 0, changed = 0, failed = 0;
    std::string failed_names, changed_names;
    for (size_t i = 0; i < volumes.size(); ++i) {
        const VolumeOutcome& o = outcomes[i];
        const std::string who = volumes[i].name;
        std::string line = who + ": " + o.status;
        for (size_t d = 0; d < o.set_errors.size(); ++d)
            if (o.status != "failed" && !o.set_errors[d].empty())
                line += "; copy " + std::to_string(d + 1) + " failed: " + o.set_errors[d];
        if (o.status == "failed") {
            ++failed;
            failed_names += " " + who;
            line += ": " + o.error;
        } else if (o.status == "changed") {
            ++changed;
            changed_names += " " + who;
            line += " (the image changed while it was read)";
        } else {
            ++complete;
        }
        reporter.listing(line);
    }
    reporter.end_listing();
    reporter.note(std::to_string(volumes.size()) + " volumes: " + std::to_string(complete) + " complete, " +
                  std::to_string(changed) + " changed, " + std::to_string(failed) + " failed; " +
                  human_bytes(progress.bytes()) + " in " + clock_text(progress.seconds()));
    if (failed)
        reporter.warn("failed:" + failed_names);
    if (changed)
        reporter.warn("changed while dumped:" + changed_names);
    return failed ? kExitSomeFailed : changed ? kExitSourceChanged : kExitOk;
}

} // namespace

int run_dump_system(const DumpOptions& base, const SystemDumpOptions& options, Reporter& reporter)
{
    refuse_single_volume_options(base, options);
    const std::string start = utc_now();
    const SystemDefinition system =
        options.system ? load_system_configuration(*options.system) : load_system_list(*options.images);
    const Shard shard = options.shard.empty() ? Shard{} : parse_shard(options.shard);
    const std::vector<SystemVolume> volumes = select_volumes(system, options.selection.rules(), shard);
    const std::string extension = base.tape.format == "HET" ? ".het" : ".aws";
    const std::string catalog_name = catalog_file_name(options.shard);
    prepare_destinations(options.to, volumes, catalog_name, extension, base.tape.overwrite);
    const unsigned jobs = options.selection.job_count();
    reporter.note("dumping " + std::to_string(volumes.size()) + " of " + std::to_string(system.volumes.size()) +
                  " volumes of " + system.path + (options.shard.empty() ? "" : " (shard " + shard.str() + ")") +
                  ", " + std::to_string(jobs) + " at a time, to " + std::to_string(options.to.size()) + " folder" +
                  (options.to.size() == 1 ? "" : "s"));

    std::vector<uint64_t> estimates;
    for (const SystemVolume& v : volumes)
        estimates.push_back(v.units);
    RunProgress progress(estimates, shows_run_progress(reporter), "dump");
    std::vector<VolumeOutcome> outcomes(volumes.size());
    run_jobs(volumes.size(), jobs, [&](size_t i) {
        outcomes[i] = dump_volume(base, volumes[i], options.to, extension, progress.observer(i));
    }, progress);
    for (VolumeOutcome& o : outcomes)
        if (o.error.empty() && o.status == "failed")
            o.error = "not dumped: the run was interrupted";

    Json first_catalog;
    for (size_t d = 0; d < options.to.size(); ++d) {
        Json doc = Json::object();
        doc["catalog_version"] = kCatalogVersion;
        std::vector<std::string> statuses;
        Json entries = Json::array();
        for (size_t i = 0; i < volumes.size(); ++i) {
            Json e = volume_entry(volumes[i], outcomes[i], d, extension);
            statuses.push_back(e.at("status").as_string());
            entries.push(std::move(e));
        }
        doc["run"] = run_record(system, options, start, jobs, interrupted() ? "interrupted" : run_result(statuses));
        doc["volumes"] = std::move(entries);
        write_catalog(options.to[d] + "/" + catalog_name, doc, base.tape.overwrite);
        if (d == 0)
            first_catalog = doc;
    }
    reporter.facts() = first_catalog;
    const int code = summarize(volumes, outcomes, progress, reporter);
    check_interrupted();
    return code;
}

} // namespace ddr
