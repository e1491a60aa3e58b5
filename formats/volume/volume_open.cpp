// The volume.hpp entry points: which container a file is comes from its first bytes,
// never from its name.
#include "formats/volume/cckd/image.hpp"
#include "formats/volume/cckd/cfba_image.hpp"
#include "formats/volume/ckd_image.hpp"
#include "formats/volume/fba_image.hpp"
#include "formats/io/file.hpp"
#include "formats/volume/volume.hpp"

#include <cstring>

namespace ddr {

namespace {

// Compressed containers (CCKD / CFBA) live in their own modules.
std::unique_ptr<CkdVolumeReader> open_compressed_ckd(const std::string& path, const std::optional<std::string>& sf)
{
    return open_cckd_volume(path, sf);
}
CckdOptions cckd_options(int compression)
{
    CckdOptions o;
    o.compression = compression == 0 ? CckdCompression::None : compression == 2 ? CckdCompression::Bzip2 : CckdCompression::Zlib;
    return o;
}
std::unique_ptr<CkdVolumeWriter> create_compressed_ckd(const std::string& path, const NewCkdVolume& spec)
{
    return create_cckd_volume(path, spec, cckd_options(spec.compression));
}
std::unique_ptr<CkdVolumeWriter> update_compressed_ckd(const std::string& path) { return update_cckd_volume(path); }
std::unique_ptr<FbaVolumeReader> open_compressed_fba(const std::string& path, const std::optional<std::string>& sf)
{
    return open_cfba_volume(path, sf);
}
std::unique_ptr<FbaVolumeWriter> create_compressed_fba(const std::string& path, const NewFbaVolume& spec)
{
    return create_cfba_volume(path, spec, cckd_options(spec.compression));
}
std::unique_ptr<FbaVolumeWriter> update_compressed_fba(const std::string& path) { return update_cfba_volume(path); }

} // namespace

std::string container_kind(const std::string& format)
{
    static constexpr struct {
        const char* magic;
        const char* kind;
    } kinds[] = {
        {"CKD_P370", "CKD"},   {"CKD_P064", "CKD64"},  {"CKD_C370", "CCKD"}, {"CKD_C064", "CCKD64"},
        {"CKD_S370", "CCKD"},  {"CKD_S064", "CCKD64"}, {"CKD_E064", "EAV"},  {"FBA", "FBA"},
        {"FBA_C370", "CFBA"},  {"FBA_C064", "CFBA64"}, {"FBA_S370", "CFBA"}, {"FBA_S064", "CFBA64"},
    };
    for (const auto& k : kinds)
        if (format == k.magic)
            return k.kind;
    return format;
}

namespace {

enum class Container {
    CkdPlain,        // CKD_P370, CKD_P064
    CkdBusy,         // DDR_BUSY: a plain CKD image a ddr update did not finish
    CkdCompressed,   // CKD_C370, CKD_C064
    CkdEav,          // CKD_E064: ddr's own EAV container, read and written by the CCKD code
    CkdShadow,       // CKD_S370, CKD_S064
    FbaCompressed,   // FBA_C370, FBA_C064
    FbaShadow,       // FBA_S370, FBA_S064
    FbaPlain,        // no magic, a whole number of 512-byte blocks
    NotAVolume,
};

struct Probe {
    Container container = Container::NotAVolume;
    std::string magic;  // the first 8 bytes when they are a known magic
    uint64_t size = 0;
};

Probe probe(const std::string& path)
{
    UniqueFd fd = open_existing(path, false);
    Probe p;
    p.size = file_size(fd.get(), path);
    uint8_t head[8] = {};
    size_t got = pread_some(fd.get(), MutableByteSpan(head, 8), 0, file_place(path));
    std::string magic(reinterpret_cast<const char*>(head), got);
    static constexpr struct {
        const char* magic;
        Container container;
    } known[] = {
        {"CKD_P370", Container::CkdPlain},      {"CKD_P064", Container::CkdPlain},
        {"DDR_BUSY", Container::CkdBusy},       {"CKD_C370", Container::CkdCompressed},
        {"CKD_C064", Container::CkdCompressed}, {"CKD_S370", Container::CkdShadow},
        {"CKD_S064", Container::CkdShadow},     {"FBA_C370", Container::FbaCompressed},
        {"FBA_C064", Container::FbaCompressed}, {"FBA_S370", Container::FbaShadow},
        {"FBA_S064", Container::FbaShadow},     {"CKD_E064", Container::CkdEav},
    };
    for (const auto& k : known) {
        if (magic == k.magic) {
            p.container = k.container;
            p.magic = magic;
            return p;
        }
    }
    // Hercules takes anything else for a plain FBA image.
    if (p.size > 0 && p.size % kFbaBlockSize == 0)
        p.container = Container::FbaPlain;
    return p;
}

bool is_ckd(Container c)
{
    return c == Container::CkdPlain || c == Container::CkdBusy || c == Container::CkdCompressed ||
           c == Container::CkdEav || c == Container::CkdShadow;
}

[[noreturn]] void shadow_not_supported(const std::string& path, const std::string& magic)
{
    fail(ErrorKind::Unreadable, file_place(path),
          "is a Hercules shadow file (" + magic +
             "), which holds only the changes to a base image; open the base with --sf (Hercules' sf= name) to read it");
}

// Hercules takes shadow files (sf=) only for compressed images; so do we.
void refuse_shadows_of_plain(const std::string& path, const VolumeOpenOptions& options, const std::string& what)
{
    if (options.shadow_files)
        fail(ErrorKind::Unreadable, file_place(path),
             "is " + what + "; Hercules keeps shadow files (sf=" + *options.shadow_files +
                 ") only for compressed images (CCKD, CFBA), so none are read for it");
}

[[noreturn]] void not_a_volume(const std::string& path, const Probe& p)
{
    fail(ErrorKind::Unreadable, file_place(path),
         "is not a volume image: it has no CKD header and its size, " + std::to_string(p.size) +
             " bytes, is not a whole number of 512-byte blocks");
}

// The CKD containers the openers tell apart.
enum class CkdContainer {
    Plain,       // CKD_P370, CKD_P064
    Busy,        // DDR_BUSY: plain, marked by a restore that did not finish
    Compressed,  // CKD_C370, CKD_C064, CKD_E064: the CCKD code's
};

// Which CKD container `path`, probed as `p`, is.  Any other file is refused here, with
// what it is instead: a shadow file or not a volume (Error(Unreadable)), an FBA image
// (Error(Device)).
CkdContainer ckd_container(const std::string& path, const Probe& p)
{
    switch (p.container) {
    case Container::CkdPlain:
        return CkdContainer::Plain;
    case Container::CkdBusy:
        return CkdContainer::Busy;
    case Container::CkdCompressed:
    case Container::CkdEav:
        return CkdContainer::Compressed;
    case Container::CkdShadow:
    case Container::FbaShadow:
        shadow_not_supported(path, p.magic);
    case Container::FbaCompressed:
        fail(ErrorKind::Device, file_place(path), "is a compressed FBA volume image (" + p.magic + "), not CKD");
    case Container::FbaPlain:
        fail(ErrorKind::Device, file_place(path),
             "is not a CKD volume image (it looks like FBA: no CKD header, " + std::to_string(p.size / kFbaBlockSize) +
                 " blocks of 512 bytes)");
    case Container::NotAVolume:
        break;
    }
    not_a_volume(path, p);
}

// The FBA containers the openers tell apart.
enum class FbaContainer {
    Plain,       // no magic, a whole number of 512-byte blocks
    Compressed,  // FBA_C370, FBA_C064
};

// Which FBA container `path`, probed as `p`, is.  Any other file is refused here, with
// what it is instead: a shadow file or not a volume (Error(Unreadable)), a CKD image
// (Error(Device)).
FbaContainer fba_container(const std::string& path, const Probe& p)
{
    switch (p.container) {
    case Container::FbaPlain:
        return FbaContainer::Plain;
    case Container::FbaCompressed:
        return FbaContainer::Compressed;
    case Container::CkdShadow:
    case Container::FbaShadow:
        shadow_not_supported(path, p.magic);
    case Container::CkdPlain:
    case Container::CkdBusy:
    case Container::CkdCompressed:
    case Container::CkdEav:
        fail(ErrorKind::Device, file_place(path), "is a CKD volume image (" + p.magic + "), not FBA");
    case Container::NotAVolume:
        break;
    }
    not_a_volume(path, p);
}

// Error(Device) unless the unfinished restore `u` found at `path` holds the kind of
// volume the caller opens (CKD if `want_ckd`, else FBA).
void check_unfinished_kind(const std::string& path, const UnfinishedRestore& u, bool want_ckd)
{
    if (u.ckd == want_ckd)
        return;
    fail(ErrorKind::Device, file_place(path),
         std::string(u.ckd ? "is a CKD volume image, not FBA" : "is an FBA volume image, not CKD") +
             " (a restore into it did not finish; it is named " + u.file_now + ")");
}

// Before failing on a missing file, say if it is the name of a split CKD volume.
void check_exists_for_ckd(const std::string& path)
{
    if (path_exists(path))
        return;
    std::vector<std::string> names = ckd_split_file_names(path, 2);
    if (names.front() != path && path_exists(names.front()))
        fail(ErrorKind::ReadFailed, file_place(path),
             "does not exist, but " + names.front() + " does: a multi-file CKD volume is opened by its first file");
}

// The unfinished restore a reader meets instead of the image: NAME is missing (or marked
// DDR_BUSY) and NAME.ddr-busy holds the volume.  When NAME exists too, NAME is read.
std::optional<UnfinishedRestore> unfinished_instead_of(const std::string& path)
{
    std::optional<UnfinishedRestore> u = find_unfinished_restore(path);
    if (u && u->name_taken)
        return std::nullopt;
    return u;
}

// True if `path` is a plain CKD image whose magic reads DDR_BUSY; false for anything that
// cannot be read as a volume (a device, a folder: its readers say what it is).
bool marked_busy_in_place(const std::string& path)
{
    try {
        return probe(path).container == Container::CkdBusy;
    } catch (const Error&) {
        return false;
    }
}

// A new image never takes the name of one a restore did not finish.
void refuse_new_over_unfinished(const std::string& path)
{
    const std::string busy = busy_image_name(path);
    if (path_exists(busy))
        fail(ErrorKind::Refused, file_place(busy),
             "exists: a restore into " + path + " did not finish; run it again to finish it, or remove " + busy);
}

} // namespace

std::unique_ptr<CkdVolumeReader> open_ckd_volume(const std::string& path, const VolumeOpenOptions& options)
{
    if (auto u = unfinished_instead_of(path)) {
        if (!options.allow_unfinished)
            fail_unfinished(path, *u);
        check_unfinished_kind(path, *u, true);
        refuse_shadows_of_plain(path, options, "a plain CKD image");
        return std::make_unique<CkdImageReader>(path, true);
    }
    check_exists_for_ckd(path);
    const Probe p = probe(path);
    const CkdContainer c = ckd_container(path, p);
    if (c == CkdContainer::Busy)  // marked in place, with NAME.ddr-busy beside it
        fail_unfinished(path, UnfinishedRestore{path, path, true, true, ckd_restore_record(path)});
    if (c == CkdContainer::Compressed)
        return open_compressed_ckd(path, options.shadow_files);
    refuse_shadows_of_plain(path, options, "a plain CKD image (" + p.magic + ")");
    return std::make_unique<CkdImageReader>(path);
}

std::unique_ptr<CkdVolumeWriter> create_ckd_volume(const std::string& path, const NewCkdVolume& spec)
{
    refuse_new_over_unfinished(path);
    if (spec.format == "CKD_P370" || spec.format == "CKD_P064")
        return CkdImageWriter::create(path, spec);
    if (spec.format == "CKD_C370" || spec.format == "CKD_C064" || spec.format == "CKD_E064")
        return create_compressed_ckd(path, spec);
    fail(ErrorKind::Internal, file_place(path), "unknown CKD container format \"" + spec.format + "\"");
}

std::unique_ptr<CkdVolumeWriter> update_ckd_volume(const std::string& path, const std::optional<RestoreRecord>& record)
{
    if (auto u = find_unfinished_restore(path)) {
        if (u->name_taken)
            fail_both_names(path, *u);
        check_unfinished_kind(path, *u, true);
        return CkdImageWriter::update(path, record);  // an earlier restore did not finish: this one redoes it
    }
    check_exists_for_ckd(path);
    if (ckd_container(path, probe(path)) == CkdContainer::Compressed)
        return update_compressed_ckd(path);
    return CkdImageWriter::update(path, record);  // plain, or marked DDR_BUSY in place: the update finishes it
}

uint64_t CkdVolumeWriter::sync_written()
{
    fail(ErrorKind::Internal, file_place(info().files.empty() ? std::string("-") : info().files.front()),
         "this container cannot be continued by --resume");
}

uint64_t FbaVolumeWriter::sync_written()
{
    fail(ErrorKind::Internal, file_place(info().files.empty() ? std::string("-") : info().files.front()),
         "this container cannot be continued by --resume");
}

std::unique_ptr<CkdVolumeWriter> resume_ckd_volume(const std::string& path, const std::vector<std::string>& temporaries,
                                                  uint64_t frontier)
{
    refuse_new_over_unfinished(path);
    return CkdImageWriter::resume(path, temporaries, frontier);
}

std::unique_ptr<FbaVolumeWriter> resume_fba_volume(const std::string& path, const std::string& temporary)
{
    refuse_new_over_unfinished(path);
    return FbaImageWriter::resume(path, temporary);
}

std::vector<std::string> existing_shadow_files(const std::string& sf) { return cckd::find_shadow_files(sf); }

bool looks_like_ckd_volume(const std::string& path)
{
    try {
        if (auto u = unfinished_instead_of(path))
            return u->ckd;
        return is_ckd(probe(path).container);
    } catch (const Error&) {
        return false;
    }
}

std::unique_ptr<FbaVolumeReader> open_fba_volume(const std::string& path, const VolumeOpenOptions& options)
{
    if (auto u = unfinished_instead_of(path)) {
        if (!options.allow_unfinished)
            fail_unfinished(path, *u);
        check_unfinished_kind(path, *u, false);
        refuse_shadows_of_plain(path, options, "a plain FBA image");
        return std::make_unique<FbaImageReader>(path, true);
    }
    if (fba_container(path, probe(path)) == FbaContainer::Compressed)
        return open_compressed_fba(path, options.shadow_files);
    refuse_shadows_of_plain(path, options, "a plain FBA image");
    return std::make_unique<FbaImageReader>(path);
}

std::unique_ptr<FbaVolumeWriter> create_fba_volume(const std::string& path, const NewFbaVolume& spec)
{
    refuse_new_over_unfinished(path);
    if (spec.format == "FBA")
        return FbaImageWriter::create(path, spec);
    if (spec.format == "FBA_C370" || spec.format == "FBA_C064")
        return create_compressed_fba(path, spec);
    fail(ErrorKind::Internal, file_place(path), "unknown FBA container format \"" + spec.format + "\"");
}

std::unique_ptr<FbaVolumeWriter> update_fba_volume(const std::string& path, const std::optional<RestoreRecord>& record)
{
    if (auto u = find_unfinished_restore(path)) {
        if (u->name_taken)
            fail_both_names(path, *u);
        check_unfinished_kind(path, *u, false);
        return FbaImageWriter::update(path, record);  // an earlier restore did not finish: this one redoes it
    }
    if (fba_container(path, probe(path)) == FbaContainer::Compressed)
        return update_compressed_fba(path);
    return FbaImageWriter::update(path, record);
}

void refuse_unfinished(const std::string& path)
{
    if (path == "-")
        return;
    if (auto u = unfinished_instead_of(path))
        fail_unfinished(path, *u);
}

std::optional<UnfinishedRestore> find_unfinished_restore(const std::string& path)
{
    UnfinishedRestore u;
    u.image = path_exists(path) ? ckd_first_file_name(path) : path;
    u.file_now = busy_image_name(u.image);
    const bool have_image = path_exists(u.image);
    if (path_exists(u.file_now))
        u.name_taken = have_image;
    else if (have_image && marked_busy_in_place(u.image))
        u.file_now = u.image;  // as ddr 0.1 did
    else
        return std::nullopt;
    const Container c = probe(u.file_now).container;
    u.ckd = is_ckd(c);
    if (c == Container::CkdBusy)
        u.record = ckd_restore_record(u.file_now);
    else if (c == Container::FbaPlain || c == Container::NotAVolume)
        u.record = fba_restore_record(u.file_now);
    return u;
}

} // namespace ddr
