// Whole-system runs: the configuration and list readers, volume selection (--include,
// --exclude, --shard) and the catalog reader (ddr/system.*, ddr/catalog.*).
#include "ddr/catalog.hpp"
#include "ddr/system.hpp"
#include "formats/io/json.hpp"
#include "tests/unit/error_testing.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <set>

using namespace ddr;
using ddr::test::TempDir;

namespace {

void write_text(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

SystemVolume volume(std::string address, std::string devtype, std::string volser)
{
    SystemVolume v;
    v.address = std::move(address);
    v.devtype = std::move(devtype);
    v.volser = std::move(volser);
    return v;
}

std::vector<std::string> addresses(const std::vector<SystemVolume>& volumes)
{
    std::vector<std::string> out;
    for (const SystemVolume& v : volumes)
        out.push_back(v.address);
    return out;
}

// A catalog with one complete volume, `entry_changes` applied to its entry.
std::string catalog_text(const std::function<void(Json&)>& entry_changes = {})
{
    Json entry = Json::object();
    entry["address"] = "0130";
    entry["devtype"] = "3390";
    entry["volser"] = "VMRES1";
    entry["image"] = "vmres.3390";
    entry["name"] = "0130-VMRES1";
    entry["status"] = "complete";
    Json tapes = Json::array();
    tapes.push(Json("0130-VMRES1.aws"));
    entry["tapes"] = tapes;
    entry["tod"] = "DA1B2C3D4E5F6071";
    entry["units"] = 150;
    Json reels = Json::array();
    Json reel = Json::object();
    reel["reel_hash"] = "00112233445566778899aabbccddeeff";
    reels.push(reel);
    entry["reels"] = reels;
    if (entry_changes)
        entry_changes(entry);
    Json doc = Json::object();
    doc["catalog_version"] = kCatalogVersion;
    Json run = Json::object();
    run["config_text"] = "0130 3390 vmres.3390\n";
    doc["run"] = run;
    Json volumes = Json::array();
    volumes.push(entry);
    doc["volumes"] = volumes;
    return doc.dump(2);
}

} // namespace

TEST_CASE("pattern_matches: * any run, ? any character, without regard to case")
{
    CHECK(pattern_matches("VMRES1", "vmres1"));
    CHECK(pattern_matches("VM*", "VMRES1"));
    CHECK(pattern_matches("*RES*", "VMRES1"));
    CHECK(pattern_matches("*", ""));
    CHECK(pattern_matches("01?0", "0130"));
    CHECK(pattern_matches("3390*", "3390-3"));
    CHECK(pattern_matches("a*b*c", "aXXbYYbc"));  // the first '*' must give back what it took
    CHECK_FALSE(pattern_matches("VM*", "XVMRES"));
    CHECK_FALSE(pattern_matches("01?0", "010"));
    CHECK_FALSE(pattern_matches("VMRES", "VMRES1"));
    CHECK_FALSE(pattern_matches("", "A"));
}

TEST_CASE("volume_selected: no rule selects all; an --include selects only what it matches; the last match wins")
{
    const SystemVolume res = volume("0130", "3390", "VMRES1");
    const SystemVolume spool = volume("0131", "3390", "VMSPL1");
    const SystemVolume fba = volume("0200", "9336", "FBA001");
    const SystemVolume unlabelled = volume("0300", "3380", "");

    CHECK(volume_selected(res, {}));
    CHECK(volume_selected(unlabelled, {}));
    // Only --exclude rules: everything else is selected.
    CHECK_FALSE(volume_selected(fba, {{false, "9336"}}));
    CHECK(volume_selected(res, {{false, "9336"}}));
    // An --include: only what a rule includes.
    CHECK(volume_selected(res, {{true, "VM*"}}));
    CHECK_FALSE(volume_selected(fba, {{true, "VM*"}}));
    // By address and by device type as well as by volser.
    CHECK(volume_selected(fba, {{true, "02??"}}));
    CHECK(volume_selected(unlabelled, {{true, "3380"}}));
    // The last matching rule decides.
    const std::vector<SelectionRule> rules{{true, "VM*"}, {false, "VMSPL*"}};
    CHECK(volume_selected(res, rules));
    CHECK_FALSE(volume_selected(spool, rules));
    const std::vector<SelectionRule> reversed{{false, "VMSPL*"}, {true, "VM*"}};
    CHECK(volume_selected(spool, reversed));
    // An empty volser matches no volser pattern, but "*" still matches its device type.
    CHECK_FALSE(volume_selected(unlabelled, {{true, "?*"}, {false, "3380"}}));
}

TEST_CASE("parse_shard: K/N with 1 <= K <= N <= 10000, anything else a usage error")
{
    const Shard s = parse_shard("2/3");
    CHECK(s.index == 2);
    CHECK(s.count == 3);
    CHECK(s.str() == "2/3");
    CHECK(parse_shard("10000/10000").count == 10000);
    for (const char* bad : {"", "1", "0/3", "4/3", "1/0", "a/3", "1/3x", "-1/3", "1/10001", "1//3", "123456/123456"})
        CHECK_ERROR(parse_shard(bad), ErrorKind::Usage, "--shard");
}

TEST_CASE("select_volumes: address order, and the N shards are disjoint and together the whole selection")
{
    SystemDefinition system;
    for (const char* a : {"0203", "0130", "0201", "0131", "0200", "0202", "0132"})
        system.volumes.push_back(volume(a, "3390", std::string("V") + a));
    system.volumes.push_back(volume("0300", "9336", "FBA"));
    const std::vector<SelectionRule> rules{{false, "9336"}};

    const std::vector<SystemVolume> all = select_volumes(system, rules, {1, 1});
    CHECK(addresses(all) == std::vector<std::string>{"0130", "0131", "0132", "0200", "0201", "0202", "0203"});
    for (unsigned n : {2u, 3u, 7u, 9u}) {
        std::multiset<std::string> joined;
        for (unsigned k = 1; k <= n; ++k) {
            const std::vector<SystemVolume> shard = select_volumes(system, rules, {k, n});
            CHECK(shard.size() <= (all.size() + n - 1) / n);
            for (const SystemVolume& v : shard)
                joined.insert(v.address);
        }
        CHECK(joined == std::multiset<std::string>{"0130", "0131", "0132", "0200", "0201", "0202", "0203"});
    }
    CHECK(addresses(select_volumes(system, rules, {2, 3})) == std::vector<std::string>{"0131", "0201"});

    // A plain list keeps its own order.
    system.configuration = false;
    CHECK(select_volumes(system, rules, {1, 1}).front().address == "0203");
}

TEST_CASE("load_system_configuration: DASD statements with address, type, image and sf=; others passed over")
{
    TempDir dir;
    const std::string cnf = dir.file("hercules.cnf");
    write_text(cnf, "# a system\n"
                    "ARCHMODE z/Arch\n"
                    "0009 3215-C / noprompt\n"
                    "0130 3390 " + dir.file("res.cckd") + " sf=" + dir.file("res_*.shadow") + "\n"
                    "0200 9336 " + dir.file("fba.img") + "\n"
                    "0580 3420 " + dir.file("tape.aws") + "\n");
    const SystemDefinition system = load_system_configuration(cnf);
    CHECK(system.configuration);
    CHECK(system.text.find("ARCHMODE") != std::string::npos);
    REQUIRE(system.volumes.size() == 2);
    const SystemVolume& res = system.volumes[0];
    CHECK(res.address == "0130");
    CHECK(res.devtype == "3390");
    CHECK(res.image == dir.file("res.cckd"));
    REQUIRE(res.sf.has_value());
    CHECK(*res.sf == dir.file("res_*.shadow"));
    CHECK(res.line == 4);
    // The images do not exist: that is no error here, it is kept for the dump to fail.
    CHECK_FALSE(res.label_error.empty());
    CHECK(res.name == "0130");
    CHECK(system.volumes[1].address == "0200");
    CHECK_FALSE(system.volumes[1].sf.has_value());
}

TEST_CASE("load_system_configuration: two statements for one address or one image, and an unreadable file, refused")
{
    TempDir dir;
    const std::string cnf = dir.file("hercules.cnf");
    write_text(cnf, "0130 3390 a.3390\n0131 3390 b.3390\n0130 3390 c.3390\n");
    CHECK_ERROR(load_system_configuration(cnf), ErrorKind::Usage, "line 3: address 0130 is defined twice");
    write_text(cnf, "0130 3390 a.3390\n0131 3390 a.3390\n");
    CHECK_ERROR(load_system_configuration(cnf), ErrorKind::Usage, "line 2: image a.3390 is already the volume of line 1");
    CHECK_ERROR(load_system_configuration(dir.file("none.cnf")), ErrorKind::ReadFailed, "none.cnf");
}

TEST_CASE("load_system_list: one image a line, # comments and blank lines skipped, numbered names")
{
    TempDir dir;
    const std::string list = dir.file("images.txt");
    write_text(list, "# weekly\n\n  a.3390  \nb.fba # the FBA one\n");
    const SystemDefinition system = load_system_list(list);
    CHECK_FALSE(system.configuration);
    REQUIRE(system.volumes.size() == 2);
    CHECK(system.volumes[0].image == "a.3390");
    CHECK(system.volumes[0].line == 3);
    CHECK(system.volumes[0].name == "001");
    CHECK(system.volumes[1].image == "b.fba");
    CHECK(system.volumes[1].name == "002");
    CHECK(system.volumes[0].address.empty());
}

TEST_CASE("file_safe: letters and digits kept, anything else '_'")
{
    CHECK(file_safe("VMRES1") == "VMRES1");
    CHECK(file_safe("A/B.C D") == "A_B_C_D");
    CHECK(file_safe("") == "");
}

TEST_CASE("parse_catalog: a well-formed catalog is read; its folder is the catalog's own")
{
    const Catalog c = parse_catalog(catalog_text(), "/dr/2026-12-04/catalog.json");
    CHECK(c.folder == "/dr/2026-12-04");
    CHECK(c.configuration());
    CHECK(c.config_text() == "0130 3390 vmres.3390\n");
    REQUIRE(c.volumes.size() == 1);
    const CatalogVolume& v = c.volumes[0];
    CHECK(v.label() == "0130 VMRES1");
    CHECK(v.dumped());
    CHECK(v.tapes == std::vector<std::string>{"0130-VMRES1.aws"});
    CHECK(v.tod == "DA1B2C3D4E5F6071");
    CHECK(parse_catalog(catalog_text(), "catalog.json").folder == ".");
}

TEST_CASE("parse_catalog: what a catalog from elsewhere must not say, refused naming the volume")
{
    struct Case {
        const char* what;
        std::function<void(Json&)> change;
        const char* expected;
    };
    const std::vector<Case> cases{
        {"a tape outside its folder", [](Json& e) { e["tapes"] = Json::array(); e["tapes"].push(Json("../etc/x.aws")); },
         "not a plain file name"},
        {"a hidden tape name", [](Json& e) { e["tapes"] = Json::array(); e["tapes"].push(Json(".x.aws")); },
         "not a plain file name"},
        {"a name with a folder", [](Json& e) { e["name"] = "a/b"; }, "name 'a/b' is not a plain file name"},
        {"an unknown status", [](Json& e) { e["status"] = "fine"; }, "status 'fine' is none of"},
        {"a short TOD", [](Json& e) { e["tod"] = "DA1B"; }, "tod 'DA1B' is not 16 hexadecimal digits"},
        {"an address that is not hex", [](Json& e) { e["address"] = "01G0"; }, "is not 4 hexadecimal digits"},
        {"reels not matching tapes", [](Json& e) { e["reels"] = Json::array(); }, "its reels do not match its tapes"},
        {"no units", [](Json& e) { e["units"] = "many"; }, "no units"},
        {"no image", [](Json& e) { e["image"] = Json(); }, "no image"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        CHECK_ERROR(parse_catalog(catalog_text(c.change), "cat.json"), ErrorKind::Unreadable, "cat.json: volume 1 (01");
        CHECK_ERROR(parse_catalog(catalog_text(c.change), "cat.json"), ErrorKind::Unreadable, c.expected);
    }
    // A failed volume needs neither TOD nor reels.
    const Catalog failed = parse_catalog(catalog_text([](Json& e) {
                                             e["status"] = "failed";
                                             e["tod"] = Json();
                                             e["tapes"] = Json::array();
                                         }),
                                         "cat.json");
    CHECK_FALSE(failed.volumes[0].dumped());
}

TEST_CASE("parse_catalog: not a catalog, another version, a volume listed twice")
{
    CHECK_ERROR(parse_catalog("[]", "c.json"), ErrorKind::Unreadable, "not a ddr catalog");
    CHECK_ERROR(parse_catalog("{\"volumes\": []}", "c.json"), ErrorKind::Unreadable, "no catalog_version");
    CHECK_ERROR(parse_catalog("{\"catalog_version\": 2}", "c.json"), ErrorKind::Unreadable, "this ddr reads version 1");
    CHECK_ERROR(parse_catalog("{\"catalog_version\": 1, \"volumes\": []}", "c.json"), ErrorKind::Unreadable, "no run record");
    CHECK_ERROR(parse_catalog("{\"catalog_version\": 1,", "c.json"), ErrorKind::Unreadable, "c.json");
    Json doc = parse_json(catalog_text(), "c.json");
    Json volumes = doc.at("volumes");
    volumes.push(volumes.items()[0]);
    doc["volumes"] = volumes;
    CHECK_ERROR(parse_catalog(doc.dump(0), "c.json"), ErrorKind::Unreadable, "volume 2 (0130 VMRES1): listed twice");
}

TEST_CASE("selected_volumes and run_result")
{
    const Catalog c = parse_catalog(catalog_text(), "c.json");
    CHECK(selected_volumes(c, {}).size() == 1);
    CHECK(selected_volumes(c, {{false, "VMRES1"}}).empty());
    CHECK(selected_volumes(c, {{true, "3390"}}).size() == 1);
    CHECK(run_result({"complete", "complete"}) == "complete");
    CHECK(run_result({"complete", "changed"}) == "changed");
    CHECK(run_result({"changed", "failed", "complete"}) == "failed");
    CHECK(run_result({}) == "complete");
}
