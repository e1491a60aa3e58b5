#include "ddr/cmd_restore_catalog.hpp"

#include "ddr/catalog.hpp"
#include "ddr/exit_codes.hpp"
#include "ddr/jobs.hpp"
#include "devices/ckd_devices.hpp"
#include "devices/fba_devices.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/hercules_config.hpp"
#include "formats/io/interrupt.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <map>
#include <sstream>

namespace ddr {

void add_restore_catalog_options(CLI::App* restore, CatalogRestoreOptions& options)
{
    restore->add_option("--catalog", options.catalog,
                        "restore the volumes of a whole-system run (its catalog.json) into --to NEWDIR");
    restore->add_option("--to", options.to, "--catalog: the folder for the restored images and hercules.cnf");
    add_selection_options(restore, options.selection);
}

namespace {

// A file name as a Hercules statement takes it: in double quotes if it holds a blank, a
// '#' or a quote (a quote cannot be written, so such a name is refused).
std::string statement_file(const std::string& file)
{
    if (file.find('"') != std::string::npos)
        fail(ErrorKind::Usage, "an image name with a double quote cannot stand in a Hercules configuration: " + file);
    if (file.find_first_of(" \t#") != std::string::npos)
        return "\"" + file + "\"";
    return file;
}

// The lines of `text` (without their ends), and whether the text ended with one.
std::vector<std::string> split_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

bool continues(const std::string& line)
{
    const size_t last = line.find_last_not_of(" \t\r");
    return last != std::string::npos && line[last] == '\\';
}

bool is_fba(const std::string& devtype)
{
    return find_ckd_device(devtype) == nullptr && find_fba_device(devtype) != nullptr;
}

// The restored image's name in NEWDIR and the container it is written as.
std::pair<std::string, std::string> restored_name(const CatalogVolume& v, const std::string& format)
{
    const bool compressed = format == "cckd" || format == "cfba";
    if (is_fba(v.devtype))
        return {v.name + (compressed ? ".cfba" : ".fba"), compressed ? "cfba" : "fba"};
    return {v.name + (compressed ? ".cckd" : ".ckd"), compressed ? "cckd" : "ckd"};
}

struct RestoreOutcome {
    bool done = false;
    std::string line;
};

// Restores one volume; never throws an Error: a failure is the outcome's line.
RestoreOutcome restore_volume(const Catalog& catalog, const CatalogVolume& v, const RestoreOptions& base,
                              const std::string& dir, Reporter::ProgressObserver observer)
{
    RestoreOutcome out;
    const auto [file, format] = restored_name(v, base.format);
    RestoreOptions o;
    for (const std::string& t : v.tapes)
        o.tapes.push_back(catalog.folder + "/" + t);
    o.target = dir + "/" + file;
    o.format = format;
    o.force = base.force;
    Reporter job = Reporter::for_job(std::move(observer));
    try {
        if (!base.force && path_exists(o.target))
            fail(ErrorKind::Refused, file_place(o.target), "the image already exists (--force writes over it)");
        run_restore(o, job);
        out.done = true;
        out.line = "restored to " + o.target;
    } catch (const Error& e) {
        out.line = "FAILED: " + std::string(e.what());
    }
    return out;
}

// Error(Usage) for what restore --catalog does not take; the configuration refused if
// it is there (no --force).
void check_catalog_restore(const RestoreOptions& base, const CatalogRestoreOptions& options, const std::string& config)
{
    if (!options.to)
        fail(ErrorKind::Usage, "--catalog: give --to NEWDIR, the folder for the restored volumes");
    if (!base.tapes.empty() || !base.target.empty() || !base.extents.empty() || !base.blocks.empty() ||
        base.reorder || base.devtype || base.volser || base.nucleus || base.file != 1 || base.keep_going)
        fail(ErrorKind::Usage, "--catalog restores whole volumes: give no TAPE, TARGET, --file, --cylinders, --blocks, "
                               "--reorder, --devtype, --volser, --nucleus or --continue");
    if (base.format != "ckd" && base.format != "cckd")
        fail(ErrorKind::Usage, "--catalog: --format is ckd or cckd (FBA volumes become fba or cfba)");
    std::error_code ec;
    std::filesystem::create_directories(*options.to, ec);
    if (ec || !std::filesystem::is_directory(*options.to))
        fail(ErrorKind::WriteFailed, file_place(*options.to), "cannot make the folder: " + ec.message());
    if (!base.force && path_exists(config))
        fail(ErrorKind::Refused, file_place(config), "a configuration is already here (--force replaces it)");
}

} // namespace

std::string restored_configuration(const std::string& config_text, const std::vector<RestoredImage>& restored,
                                   const std::string& name)
{
    std::vector<std::string> lines = split_lines(config_text);
    std::map<unsigned, const RestoredImage*> by_line;
    for (const RestoredImage& r : restored)
        by_line[r.line] = &r;
    std::map<unsigned, const HerculesDevice*> dasd;
    const std::vector<HerculesDevice> devices = parse_hercules_config(config_text, name);
    for (const HerculesDevice& d : devices)
        if (!d.file.empty() && (find_ckd_device(d.devtype) || find_fba_device(d.devtype)))
            dasd[d.line] = &d;
    std::vector<std::string> out;
    for (size_t i = 0; i < lines.size(); ++i) {
        const auto d = dasd.find(unsigned(i + 1));
        if (d == dasd.end()) {
            out.push_back(lines[i]);
            continue;
        }
        size_t last = i;  // the statement's last line (continuations)
        while (continues(lines[last]) && last + 1 < lines.size())
            ++last;
        const auto r = by_line.find(unsigned(i + 1));
        if (r == by_line.end()) {
            for (size_t j = i; j <= last; ++j)
                out.push_back("# ddr: not restored: " + lines[j]);
        } else {
            const std::string address = lines[i].substr(0, lines[i].find_first_of(" \t"));
            std::string statement = address + " " + d->second->devtype + " " + statement_file(r->second->file);
            for (const std::string& opt : d->second->options)
                if (opt.rfind("sf=", 0) != 0)
                    statement += " " + opt;
            out.push_back(statement);
        }
        i = last;
    }
    std::string text;
    for (const std::string& l : out)
        text += l + "\n";
    return text;
}

int run_restore_catalog(const RestoreOptions& base, const CatalogRestoreOptions& options, Reporter& reporter)
{
    const Catalog catalog = read_catalog(*options.catalog);
    const std::string config = *options.to + "/hercules.cnf";
    check_catalog_restore(base, options, config);
    const std::vector<const CatalogVolume*> volumes = selected_volumes(catalog, options.selection.rules());
    RunProgress progress(std::vector<uint64_t>(volumes.size(), 0), shows_run_progress(reporter), "restore");
    std::vector<RestoreOutcome> outcomes(volumes.size());
    run_jobs(volumes.size(), options.selection.job_count(), [&](size_t i) {
        if (volumes[i]->dumped())
            outcomes[i] = restore_volume(catalog, *volumes[i], base, *options.to, progress.observer(i));
        else
            outcomes[i].line = "FAILED: not dumped (the dump failed: no tape)";
    }, progress);
    check_interrupted();

    std::vector<RestoredImage> restored;
    std::string failed;
    Json facts = Json::array();
    for (size_t i = 0; i < volumes.size(); ++i) {
        reporter.listing(volumes[i]->name + ": " + outcomes[i].line);
        if (outcomes[i].done)
            restored.push_back({volumes[i]->line, restored_name(*volumes[i], base.format).first});
        else
            failed += " " + volumes[i]->name;
        Json f = Json::object();
        f["name"] = volumes[i]->name;
        f["restored"] = outcomes[i].done;
        f["result"] = outcomes[i].line;
        facts.push(std::move(f));
    }
    reporter.end_listing();
    reporter.facts()["catalog"] = catalog.path;
    reporter.facts()["volumes"] = std::move(facts);
    if (catalog.configuration()) {
        write_text_file(config, restored_configuration(catalog.config_text(), restored, catalog.path), base.force);
        reporter.facts()["configuration"] = config;
        reporter.note("wrote " + config + " (start Hercules in " + *options.to + ": its image names are relative)");
    }
    reporter.note(std::to_string(restored.size()) + " of " + std::to_string(volumes.size()) + " volumes restored into " +
                  *options.to);
    if (!failed.empty()) {
        reporter.warn("not restored:" + failed);
        return kExitSomeFailed;
    }
    return kExitOk;
}

} // namespace ddr
