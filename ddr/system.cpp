#include "ddr/system.hpp"

#include "devices/ckd_devices.hpp"
#include "devices/fba_devices.hpp"
#include "devices/names.hpp"
#include "formats/io/error.hpp"
#include "formats/io/hercules_config.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace ddr {

namespace {

// The whole text of `path`.  Error(ReadFailed) if it cannot be read.
std::string read_text(const std::string& path, const char* what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(ErrorKind::ReadFailed, file_place(path), std::string("cannot read the ") + what);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Fills the volser and the size of `v` from its image (the label on track 0 or FBA block
// 1); an image that cannot be read is noted in label_error, not thrown.
void read_label(SystemVolume& v)
{
    try {
        if (looks_like_ckd_volume(v.image)) {
            auto volume = open_ckd_volume(v.image, VolumeOpenOptions{false, v.sf});
            TrackImage track0;
            volume->read_track({0, 0}, track0);
            if (auto label = find_ckd_volume_label(track0))
                v.volser = label->volser;
            v.units = volume->info().tracks();
            if (v.devtype.empty())
                if (const CkdDevice* dev = ckd_device_for_image(volume->info().devtype_byte, volume->info().cylinders))
                    v.devtype = std::string(dev->name);
        } else {
            auto volume = open_fba_volume(v.image, VolumeOpenOptions{false, v.sf});
            Bytes block1(512);
            volume->read_blocks(1, block1);
            v.volser = find_fba_volser(block1).value_or("");
            v.units = volume->info().blocks;
            if (v.devtype.empty())
                if (const FbaDevice* dev = fba_device_for_blocks(v.units))
                    v.devtype = std::string(dev->name);
        }
    } catch (const Error& e) {
        v.label_error = e.what();
    }
}

// Each volume's name (ADDR-VOLSER, or NNN-VOLSER from a list), its label read; Error(Usage)
// naming both lines if two volumes have the same address or image.
void finish_volumes(SystemDefinition& system)
{
    std::set<std::string> seen_addresses;
    std::vector<const SystemVolume*> seen_images;
    unsigned index = 0;
    for (SystemVolume& v : system.volumes) {
        ++index;
        for (const SystemVolume* other : seen_images)
            if (other->image == v.image)
                fail(ErrorKind::Usage, system.path + " line " + std::to_string(v.line) + ": image " + v.image +
                                           " is already the volume of line " + std::to_string(other->line));
        seen_images.push_back(&v);
        if (!v.address.empty() && !seen_addresses.insert(v.address).second)
            fail(ErrorKind::Usage, system.path + " line " + std::to_string(v.line) + ": address " + v.address +
                                       " is defined twice");
        read_label(v);
        char number[16];
        std::snprintf(number, sizeof number, "%03u", index);
        v.name = v.address.empty() ? std::string(number) : v.address;
        if (!v.volser.empty())
            v.name += "-" + file_safe(v.volser);
    }
}

bool is_dasd_type(const std::string& devtype)
{
    return find_ckd_device(devtype) != nullptr || find_fba_device(devtype) != nullptr;
}

} // namespace

SystemDefinition load_system_configuration(const std::string& path)
{
    SystemDefinition system;
    system.path = path;
    system.text = read_text(path, "configuration file");
    for (HerculesDevice& d : parse_hercules_config(system.text, path)) {
        if (!is_dasd_type(d.devtype))
            continue;
        if (d.file.empty())
            fail(ErrorKind::Usage, path + " line " + std::to_string(d.line) + ": the " + d.devtype +
                                       " statement names no image file");
        SystemVolume v;
        char address[8];
        std::snprintf(address, sizeof address, "%04X", unsigned(d.unit));
        v.address = address;
        v.devtype = d.devtype;
        v.image = d.file;
        if (std::string sf = hercules_option(d.options, "sf"); !sf.empty())
            v.sf = sf;
        v.line = d.line;
        system.volumes.push_back(std::move(v));
    }
    finish_volumes(system);
    return system;
}

SystemDefinition load_system_list(const std::string& path)
{
    SystemDefinition system;
    system.path = path;
    system.configuration = false;
    system.text = read_text(path, "list of images");
    std::istringstream lines(system.text);
    std::string line;
    for (unsigned number = 1; std::getline(lines, line); ++number) {
        if (size_t hash = line.find('#'); hash != std::string::npos)
            line.erase(hash);
        const size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos)
            continue;
        SystemVolume v;
        v.image = line.substr(first, line.find_last_not_of(" \t\r") + 1 - first);
        v.line = number;
        system.volumes.push_back(std::move(v));
    }
    finish_volumes(system);
    return system;
}

bool pattern_matches(const std::string& pattern, const std::string& text)
{
    // Iterative wildcard match: on a mismatch after a '*', that '*' takes one more character.
    size_t p = 0, t = 0, star = std::string::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || ascii_upper(pattern[p]) == ascii_upper(text[t]))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

bool volume_selected(const SystemVolume& v, const std::vector<SelectionRule>& rules)
{
    bool selected = std::none_of(rules.begin(), rules.end(), [](const SelectionRule& r) { return r.include; });
    for (const SelectionRule& r : rules) {
        const bool matches = (!v.volser.empty() && pattern_matches(r.pattern, v.volser)) ||
                             (!v.address.empty() && pattern_matches(r.pattern, v.address)) ||
                             pattern_matches(r.pattern, v.devtype);
        if (matches)
            selected = r.include;
    }
    return selected;
}

Shard parse_shard(const std::string& text)
{
    Shard shard;
    const size_t slash = text.find('/');
    auto number = [&](const std::string& digits) {
        if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos)
            fail(ErrorKind::Usage, "--shard " + text + ": give K/N, the Kth of N slices (1 <= K <= N)");
        return unsigned(std::stoul(digits));
    };
    if (slash == std::string::npos)
        number("");
    shard.index = number(text.substr(0, slash));
    shard.count = number(text.substr(slash + 1));
    if (shard.index < 1 || shard.index > shard.count || shard.count > 10000)
        fail(ErrorKind::Usage, "--shard " + text + ": give K/N, the Kth of N slices (1 <= K <= N <= 10000)");
    return shard;
}

std::vector<SystemVolume> select_volumes(const SystemDefinition& system, const std::vector<SelectionRule>& rules,
                                         const Shard& shard)
{
    std::vector<SystemVolume> selected;
    for (const SystemVolume& v : system.volumes)
        if (volume_selected(v, rules))
            selected.push_back(v);
    if (system.configuration)
        std::stable_sort(selected.begin(), selected.end(),
                         [](const SystemVolume& a, const SystemVolume& b) { return a.address < b.address; });
    std::vector<SystemVolume> slice;
    for (size_t i = shard.index - 1; i < selected.size(); i += shard.count)
        slice.push_back(selected[i]);
    return slice;
}

std::string file_safe(const std::string& text)
{
    std::string out;
    for (char c : text)
        out += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
    return out;
}

} // namespace ddr
