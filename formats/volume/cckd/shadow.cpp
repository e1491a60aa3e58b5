#include "formats/volume/cckd/shadow.hpp"

#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

namespace ddr::cckd {

namespace {

// The index in `name` of the character the shadow number replaces, or npos when there
// is none.  `name` is the sf= value without its leading quote.
size_t number_place(const std::string& name, ShadowNaming naming)
{
    const size_t slash = name.rfind('/');
    const size_t file_start = slash == std::string::npos ? 0 : slash + 1;
    size_t dot;
    if (naming == ShadowNaming::FirstDot) {
        // Hercules 3.x looks from the last slash, or from the second character when the
        // name has none (so a leading dot is not taken for the extension's).
        const size_t from = slash == std::string::npos ? 1 : slash;
        dot = from <= name.size() ? name.find('.', from) : std::string::npos;
    } else {
        dot = name.rfind('.');
        if (dot != std::string::npos && dot < file_start)
            dot = std::string::npos;
    }
    const size_t end = dot == std::string::npos ? name.size() : dot;
    if (end <= file_start)
        return std::string::npos;
    return end - 1;
}

std::string without_quote(const std::string& sf) { return !sf.empty() && sf[0] == '"' ? sf.substr(1) : sf; }

const char* naming_text(ShadowNaming naming)
{
    return naming == ShadowNaming::FirstDot ? "Hercules 3.x: before the first dot" : "SDL Hyperion: before the last dot";
}

} // namespace

std::string shadow_file_name(const std::string& sf, unsigned n, ShadowNaming naming)
{
    if (n < 1 || n > kMaxShadowFiles)
        fail(ErrorKind::Internal, "shadow file number " + std::to_string(n) + " is outside 1-8");
    std::string name = without_quote(sf);
    const size_t at = number_place(name, naming);
    if (at == std::string::npos)
        fail(ErrorKind::Usage, "shadow file name \"" + sf +
                                   "\" has no character for Hercules to put the shadow number in (it goes just before "
                                   "the file name's extension, e.g. sf=shadow_*.cckd)");
    name[at] = char('0' + n);
    return name;
}

ShadowNaming shadow_naming_for(const std::string& sf)
{
    const std::string first = shadow_file_name(sf, 1, ShadowNaming::FirstDot);
    const std::string last = shadow_file_name(sf, 1, ShadowNaming::LastDot);
    if (first == last || !path_exists(last))
        return ShadowNaming::FirstDot;
    if (path_exists(first))
        fail(ErrorKind::Usage, file_place(last),
             "and " + first + " both exist: sf=" + sf + " names shadow file 1 either way (" +
                 naming_text(ShadowNaming::FirstDot) + "; " + naming_text(ShadowNaming::LastDot) +
                 "); rename one chain or give a name with a single dot");
    return ShadowNaming::LastDot;
}

std::vector<std::string> find_shadow_files(const std::string& sf)
{
    const ShadowNaming naming = shadow_naming_for(sf);
    std::vector<std::string> names;
    for (unsigned n = 1; n <= kMaxShadowFiles; ++n) {
        std::string name = shadow_file_name(sf, n, naming);
        if (!path_exists(name))  // as Hercules: the first missing number ends the chain
            break;
        names.push_back(std::move(name));
    }
    return names;
}

Chain::Chain(const std::string& base, const std::optional<std::string>& sf)
{
    files_.push_back(std::make_unique<Container>(base, FileRole::Base));
    if (!sf)
        return;
    if (this->base().kind().eav)
        fail(ErrorKind::Unreadable, file_place(base),
             "is ddr's EAV container (CKD_E064), which has no shadow files; Hercules shadows CCKD and CFBA images only");
    const std::vector<std::string> names = find_shadow_files(*sf);
    if (names.empty())
        missing_first_ = shadow_file_name(*sf, 1, shadow_naming_for(*sf));
    for (const std::string& name : names)
        add_shadow(name);
    // Hercules applies the top file's header null format to every file's null units.
    for (auto& file : files_)
        file->set_chain_null_format(files_.back()->header().nullfmt);
}

void Chain::add_shadow(const std::string& name)
{
    auto shadow = std::make_unique<Container>(name, FileRole::Shadow);
    const Container& b = base();
    const Kind& bk = b.kind();
    const Kind& sk = shadow->kind();
    const Place at = file_place(name);
    if (sk.flavor != bk.flavor || sk.wide != bk.wide)
        fail(ErrorKind::Device, at,
             "is a " + sk.magic + " shadow file, but its base " + b.path() + " is " + bk.magic +
                 " (a shadow of it is " + (bk.flavor == Flavor::Ckd ? "CKD_S" : "FBA_S") + (bk.wide ? "064" : "370") + ")");
    const DeviceHeader& bd = b.device_header();
    const DeviceHeader& sd = shadow->device_header();
    auto differs = [&](const std::string& what, uint64_t mine, uint64_t base_value) {
        fail(ErrorKind::Device, at,
             "is not a shadow of " + b.path() + ": its header says " + std::to_string(mine) + " " + what + ", the base's " +
                 std::to_string(base_value));
    };
    if (bk.flavor == Flavor::Ckd) {
        if (sd.devtype_byte != bd.devtype_byte)
            fail(ErrorKind::Device, at,
                 "is not a shadow of " + b.path() + ": its device type byte is " + std::to_string(sd.devtype_byte) +
                     ", the base's " + std::to_string(bd.devtype_byte));
        if (sd.heads != bd.heads)
            differs("heads per cylinder", sd.heads, bd.heads);
        if (sd.track_size != bd.track_size)
            differs("bytes per track", sd.track_size, bd.track_size);
    }
    if (shadow->header().cyls != b.header().cyls)
        differs(bk.flavor == Flavor::Ckd ? "cylinders" : "sectors", shadow->header().cyls, b.header().cyls);
    files_.push_back(std::move(shadow));
}

Chain::Found Chain::locate(uint64_t unit, const Place& where)
{
    for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
        Place in_file = where;
        in_file.file = (*it)->path();
        Found found{it->get(), (*it)->locate(unit, in_file), in_file};
        if (!found.slot.absent)
            return found;
    }
    // The base never answers "absent" (Container refuses the marker in a base).
    fail(ErrorKind::Internal, where, "no file of the shadow chain holds this unit");
}

void chain_files(const Chain& chain, std::vector<std::string>& files, uint64_t& bytes,
                 std::optional<std::string>& missing_shadow)
{
    files.clear();
    bytes = 0;
    for (const auto& file : chain.files()) {
        files.push_back(file->path());
        bytes += file->file_size();
    }
    missing_shadow = chain.missing_first_shadow();
}

} // namespace ddr::cckd
