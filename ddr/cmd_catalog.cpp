#include "ddr/cmd_catalog.hpp"

#include "ddr/catalog.hpp"
#include "formats/io/error.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>

namespace ddr {

namespace {

struct MergeOptions {
    std::string out;
    std::vector<std::string> inputs;
    bool force = false;
};

// Error(Usage) unless every catalog stands in the folder of OUT (their tape names are
// relative to it) and describes the same system; Error(Refused) for a shard given twice.
void check_mergeable(const MergeOptions& o, const std::vector<Catalog>& catalogs)
{
    const auto folder = std::filesystem::weakly_canonical(std::filesystem::absolute(o.out).parent_path());
    for (size_t i = 0; i < catalogs.size(); ++i) {
        const Catalog& c = catalogs[i];
        if (std::filesystem::weakly_canonical(std::filesystem::absolute(c.folder)) != folder)
            fail(ErrorKind::Usage, c.path + ": not in the folder of " + o.out +
                                       " (a catalog names its tapes in its own folder: gather the tapes and catalogs first)");
        if (c.config_text() != catalogs[0].config_text())
            fail(ErrorKind::Refused, file_place(c.path), "its configuration text differs from " + catalogs[0].path +
                                                             "'s: not shards of one run");
        for (size_t j = 0; j < i; ++j) {
            const Json* a = c.run.find("shard");
            const Json* b = catalogs[j].run.find("shard");
            if (a && b && a->is_string() && *a == *b)
                fail(ErrorKind::Refused, file_place(c.path), "shard " + a->as_string() + " is also " + catalogs[j].path);
        }
    }
}

// Merges; returns 0.  Volumes listed by two catalogs (same address or name) are refused.
int run_catalog_merge(const MergeOptions& o, Reporter& reporter)
{
    std::vector<Catalog> catalogs;
    for (const std::string& path : o.inputs)
        catalogs.push_back(read_catalog(path));
    check_mergeable(o, catalogs);
    Json volumes = Json::array();
    Json shards = Json::array();
    std::vector<std::string> statuses;
    std::vector<std::pair<std::string, const Catalog*>> seen;  // name, catalog
    for (const Catalog& c : catalogs) {
        shards.push(c.run);
        for (const CatalogVolume& v : c.volumes) {
            for (const auto& [name, other] : seen)
                if (name == v.name)
                    fail(ErrorKind::Refused, file_place(c.path),
                         "volume " + v.label() + " is also in " + other->path + ": the catalogs overlap");
            seen.emplace_back(v.name, &c);
            statuses.push_back(v.status);
            volumes.push(v.entry);
        }
    }
    Json run = catalogs[0].run;
    for (const Catalog& c : catalogs) {
        if (c.run.contains("start") && c.run.at("start").is_string() && c.run.at("start").as_string() < run.at("start").as_string())
            run["start"] = c.run.at("start");
        if (c.run.contains("end") && c.run.at("end").is_string() && c.run.at("end").as_string() > run.at("end").as_string())
            run["end"] = c.run.at("end");
    }
    run["shard"] = Json();
    run["result"] = run_result(statuses);
    run["merged_from"] = std::move(shards);
    Json doc = Json::object();
    doc["catalog_version"] = kCatalogVersion;
    doc["run"] = std::move(run);
    doc["volumes"] = std::move(volumes);
    // Address order, as a whole run lists them.
    Json::Array sorted = doc.at("volumes").items();
    std::stable_sort(sorted.begin(), sorted.end(), [](const Json& a, const Json& b) {
        const Json* x = a.find("address");
        const Json* y = b.find("address");
        return x && y && x->is_string() && y->is_string() && x->as_string() < y->as_string();
    });
    Json ordered = Json::array();
    for (Json& v : sorted)
        ordered.push(std::move(v));
    doc["volumes"] = std::move(ordered);
    write_catalog(o.out, doc, o.force);
    reporter.facts() = doc;
    reporter.note("merged " + std::to_string(catalogs.size()) + " catalogs (" + std::to_string(seen.size()) +
                  " volumes) into " + o.out + ": " + doc.at("run").at("result").as_string());
    return 0;
}

} // namespace

void add_catalog_command(CLI::App& app, CommandAction& action)
{
    auto options = std::make_shared<MergeOptions>();
    CLI::App* cmd = app.add_subcommand("catalog", "work with the catalogs of whole-system runs");
    cmd->require_subcommand(1);
    CLI::App* merge = cmd->add_subcommand("merge", "join the catalogs of the shards of one run (dump --shard K/N)");
    merge->add_option("OUT", options->out, "the merged catalog (in the folder of the others)")->required();
    merge->add_option("CATALOG", options->inputs, "the shards' catalogs")->required();
    merge->add_flag("--force", options->force, "replace OUT if it exists");
    merge->callback([options, &action] { action = [options](Reporter& r) { return run_catalog_merge(*options, r); }; });
}

} // namespace ddr
