// fuzz_catalog: the input is the text of a catalog.json (a catalog may come from another
// host).  parse_catalog either throws ddr::Error of kind Unreadable or gives volumes whose
// tape names are plain names (no folder, not hidden), whose status is one of the three,
// and whose dumped volumes have a TOD of 16 hex digits.  A catalog read is written out
// and read back the same; its configuration text, turned into a restored configuration,
// throws at most Error(Usage).
#include "ddr/catalog.hpp"
#include "ddr/cmd_restore_catalog.hpp"
#include "formats/io/error.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <string_view>

using namespace ddr;

namespace {

void check_volumes(const Catalog& c)
{
    for (const CatalogVolume& v : c.volumes) {
        fuzz::check(v.status == "complete" || v.status == "changed" || v.status == "failed", "a status outside the three");
        for (const std::string& t : v.tapes)
            fuzz::check(!t.empty() && t[0] != '.' && t.find('/') == std::string::npos, "a tape name that is a path");
        fuzz::check(!v.dumped() || v.tod.size() == 16, "a dumped volume without its TOD");
    }
}

void restored(const Catalog& c)
{
    std::vector<RestoredImage> images;
    for (const CatalogVolume& v : c.volumes)
        images.push_back({v.line, v.name + ".ckd"});
    try {
        (void)restored_configuration(c.config_text(), images, c.path);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        fuzz::check(e.kind() == ErrorKind::Usage, "a configuration error that is not Usage");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const Catalog c = parse_catalog(text, "fuzz/catalog.json");
        check_volumes(c);
        Json doc = Json::object();
        doc["catalog_version"] = kCatalogVersion;
        doc["run"] = c.run;
        Json volumes = Json::array();
        for (const CatalogVolume& v : c.volumes)
            volumes.push(v.entry);
        doc["volumes"] = volumes;
        const Catalog again = parse_catalog(doc.dump(2), "fuzz/catalog.json");
        fuzz::check(again.volumes.size() == c.volumes.size(), "a catalog written out reads back otherwise");
        restored(c);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        fuzz::check(e.kind() == ErrorKind::Unreadable, "a catalog error that is not Unreadable");
    }
    return 0;
}
