#include "ddr/catalog.hpp"

#include "ddr/system.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ddr {

namespace {

bool is_hex(const std::string& s, size_t length)
{
    return s.size() == length && s.find_first_not_of("0123456789ABCDEFabcdef") == std::string::npos;
}

// A tape's name as a catalog may give it: a plain file name (no folder, not hidden, no
// control characters), so that a catalog never points outside its own folder.
bool plain_file_name(const std::string& name)
{
    if (name.empty() || name.size() > 255 || name[0] == '.')
        return false;
    return std::none_of(name.begin(), name.end(), [](char c) { return c == '/' || c == '\\' || uint8_t(c) < 0x20; });
}

// Reads one volume entry; `fault` throws naming the catalog and the volume.
CatalogVolume read_volume(const Json& entry, size_t index, const std::string& path)
{
    CatalogVolume v;
    std::string who = "volume " + std::to_string(index + 1);
    auto fault = [&](const std::string& what) { fail(ErrorKind::Unreadable, file_place(path), who + ": " + what); };
    if (!entry.is_object())
        fault("not an object");
    auto text = [&](const char* key, bool required) -> std::string {
        const Json* j = entry.find(key);
        if (!j || j->is_null()) {
            if (required)
                fault(std::string("no ") + key);
            return "";
        }
        if (!j->is_string())
            fault(std::string(key) + " is not a string");
        return j->as_string();
    };
    v.address = text("address", false);
    v.volser = text("volser", false);
    who += " (" + (v.address.empty() ? std::string("") : v.address + " ") + (v.volser.empty() ? "no volser" : v.volser) + ")";
    if (!v.address.empty() && !is_hex(v.address, 4))
        fault("address '" + v.address + "' is not 4 hexadecimal digits");
    v.devtype = text("devtype", true);
    v.image = text("image", true);
    if (const std::string sf = text("sf", false); !sf.empty())
        v.sf = sf;
    v.name = text("name", true);
    if (!plain_file_name(v.name))
        fault("name '" + v.name + "' is not a plain file name");
    v.status = text("status", true);
    if (v.status != "complete" && v.status != "changed" && v.status != "failed")
        fault("status '" + v.status + "' is none of complete, changed, failed");
    if (const Json* line = entry.find("line"); line && !line->is_null())
        try {
            v.line = unsigned(std::min<uint64_t>(line->as_u64("line"), 0xFFFFFFFFu));
        } catch (const Error& e) {
            fault(e.detail());
        }
    const Json* tapes = entry.find("tapes");
    if (!tapes || !tapes->is_array())
        fault("no tapes list");
    for (const Json& t : tapes->items()) {
        if (!t.is_string() || !plain_file_name(t.as_string()))
            fault("a tape name is not a plain file name in the catalog's folder");
        v.tapes.push_back(t.as_string());
    }
    if (v.dumped()) {
        v.tod = text("tod", true);
        if (!is_hex(v.tod, 16))
            fault("tod '" + v.tod + "' is not 16 hexadecimal digits");
        if (v.tapes.empty())
            fault("a dumped volume with no tapes");
        const Json* units = entry.find("units");
        if (!units || !units->is_number())
            fault("no units");
        const Json* reels = entry.find("reels");
        if (!reels || !reels->is_array() || reels->size() != v.tapes.size())
            fault("its reels do not match its tapes");
        for (const Json& r : reels->items())
            if (!r.is_object() || (r.find("reel_hash") && !r.at("reel_hash").is_string()))
                fault("a reel is not an object with a reel_hash text");
    }
    v.entry = entry;
    return v;
}

} // namespace

std::string CatalogVolume::label() const
{
    if (address.empty() && volser.empty())
        return image;
    return address + (address.empty() || volser.empty() ? "" : " ") + volser;
}

bool Catalog::configuration() const
{
    const Json* kind = run.find("config_kind");
    return !kind || !kind->is_string() || kind->as_string() == "configuration";
}

const std::string& Catalog::config_text() const
{
    return run.at("config_text").as_string();
}

Catalog parse_catalog(std::string_view text, const std::string& path)
{
    Catalog c;
    c.path = path;
    c.folder = std::filesystem::path(path).parent_path().string();
    if (c.folder.empty())
        c.folder = ".";
    const Json doc = parse_json(text, path);
    auto fault = [&](const std::string& what) { fail(ErrorKind::Unreadable, file_place(path), what); };
    if (!doc.is_object())
        fault("not a ddr catalog (not a JSON object)");
    const Json* version = doc.find("catalog_version");
    if (!version || !version->is_number())
        fault("not a ddr catalog (no catalog_version)");
    if (version->type() != Json::Type::Integer || version->as_i64() != kCatalogVersion)
        fault("catalog_version " + version->dump(0) + ": this ddr reads version " + std::to_string(kCatalogVersion));
    const Json* run = doc.find("run");
    if (!run || !run->is_object())
        fault("no run record");
    const Json* config_text = run->find("config_text");
    if (!config_text || !config_text->is_string())
        fault("run: no config_text");
    c.run = *run;
    const Json* volumes = doc.find("volumes");
    if (!volumes || !volumes->is_array())
        fault("no volumes list");
    for (size_t i = 0; i < volumes->size(); ++i)
        c.volumes.push_back(read_volume(volumes->items()[i], i, path));
    for (size_t i = 0; i < c.volumes.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (c.volumes[i].name == c.volumes[j].name ||
                (!c.volumes[i].address.empty() && c.volumes[i].address == c.volumes[j].address))
                fault("volume " + std::to_string(i + 1) + " (" + c.volumes[i].label() + "): listed twice (also volume " +
                      std::to_string(j + 1) + ")");
    return c;
}

Catalog read_catalog(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(ErrorKind::ReadFailed, file_place(path), "cannot read the catalog");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_catalog(text.str(), path);
}

void write_text_file(const std::string& path, const std::string& text, bool replace)
{
    PendingFile file(path, replace ? CommitRule::Replace : CommitRule::NoReplace, 0666);
    pwrite_all(file.fd(), ByteSpan(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0, file_place(path));
    file.commit();
}

void write_catalog(const std::string& path, const Json& doc, bool replace)
{
    write_text_file(path, doc.dump(2) + "\n", replace);
}

std::vector<const CatalogVolume*> selected_volumes(const Catalog& catalog, const std::vector<SelectionRule>& rules)
{
    std::vector<const CatalogVolume*> volumes;
    for (const CatalogVolume& v : catalog.volumes) {
        SystemVolume s;
        s.address = v.address;
        s.volser = v.volser;
        s.devtype = v.devtype;
        if (volume_selected(s, rules))
            volumes.push_back(&v);
    }
    return volumes;
}

std::string run_result(const std::vector<std::string>& statuses)
{
    if (std::find(statuses.begin(), statuses.end(), "failed") != statuses.end())
        return "failed";
    if (std::find(statuses.begin(), statuses.end(), "changed") != statuses.end())
        return "changed";
    return "complete";
}

} // namespace ddr
