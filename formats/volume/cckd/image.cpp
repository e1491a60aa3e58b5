#include "formats/volume/cckd/image.hpp"

#include "formats/io/error.hpp"
#include "formats/io/wording.hpp"
#include "formats/volume/cckd/eav_container.hpp"

#include <cstring>

namespace ddr {

using namespace cckd;

namespace {

bool fmt2_fits(uint32_t track_size) { return track_size >= null_track_size(kNullFmt2); }

CkdVolumeInfo info_of(const Container& c)
{
    CkdVolumeInfo info;
    info.format = c.kind().magic;
    info.devtype_byte = c.device_header().devtype_byte;
    info.cylinders = c.header().cyls;
    info.heads = c.device_header().heads;
    info.track_size = c.device_header().track_size;
    info.files = {c.path()};
    info.bytes = c.file_size();
    return info;
}

// The base's facts, with every file of the chain.
CkdVolumeInfo info_of(const Chain& chain)
{
    CkdVolumeInfo info = info_of(chain.base());
    chain_files(chain, info.files, info.bytes, info.missing_shadow);
    return info;
}

void build_null(uint8_t fmt, TrackAddress addr, const CkdVolumeInfo& info, TrackImage& out, const Place& where)
{
    if (fmt == kNullFmt2 && !fmt2_fits(info.track_size))
        fail(ErrorKind::Unreadable, where,
             "track is marked null format 2 (12 x 4096-byte records, 49,277 bytes), which does not fit the " +
                 std::to_string(info.track_size) + "-byte tracks of this image");
    build_null_track(fmt, addr, out.bytes);
    // A hostile header can declare track slots too small even for an empty track.
    if (out.bytes.size() > info.track_size)
        fail(ErrorKind::Unreadable, where,
             "the image's " + std::to_string(info.track_size) + "-byte tracks cannot hold its own null track (" +
                 std::to_string(out.bytes.size()) + " bytes)");
}

// The CCHH at `p` for messages: in EAV form in a CKD_E064 image.
std::string cchh_text(const uint8_t* p, bool eav)
{
    if (eav)
        return eav::describe_cchh(p);
    const TrackAddress a = decode_cchh(p, false);
    return "cyl " + std::to_string(a.cyl) + " head " + std::to_string(a.head);
}

// The checks of a new image's geometry that depend on its format.
void check_new_geometry(const NewCkdVolume& spec, bool eav, const Place& at)
{
    if (eav) {
        if (std::string why = eav::geometry_problem(spec.heads, spec.track_size, spec.devtype_byte); !why.empty())
            fail(ErrorKind::Device, at, why);
        if (std::string why = eav::cylinder_count_problem(spec.cylinders); !why.empty())
            fail(ErrorKind::Device, at, why);
        return;
    }
    if (spec.cylinders == 0 || spec.cylinders > 0x10000)
        fail(ErrorKind::Device, at,
             std::to_string(spec.cylinders) +
                 " cylinders: a CCKD image holds 1 to 65,536 (it has no EAV form; an EAV goes in CKD_E064)");
    if (spec.heads == 0 || spec.heads > 0xFFFF)
        fail(ErrorKind::Device, at, std::to_string(spec.heads) + " heads per cylinder is not a CKD geometry");
    if (spec.track_size < kEmptyTrackSize || spec.track_size > kMaxStoredImage)
        fail(ErrorKind::Device, at,
             "track size " + std::to_string(spec.track_size) + ": a CCKD image stores tracks of 29 to 65,535 bytes");
}

} // namespace

// ---- reading ----

CckdImageReader::CckdImageReader(const std::string& path, const std::optional<std::string>& shadow_files)
    : chain_(path, shadow_files)
{
    const Kind& kind = chain_.base().kind();
    if (kind.flavor != Flavor::Ckd)
        fail(ErrorKind::Device, file_place(path), "is a compressed FBA image (" + kind.magic + "), not CKD");
    info_ = info_of(chain_);
    decoder_.set_eav_form(kind.eav);
}

void CckdImageReader::read_track(TrackAddress addr, TrackImage& out)
{
    const Place where = file_place(info_.files[0]).with_track(addr.cyl, addr.head);
    if (addr.cyl >= info_.cylinders || addr.head >= info_.heads)
        fail(ErrorKind::Internal, where,
             "track is outside the volume (" + std::to_string(info_.cylinders) + " cylinders of " +
                 std::to_string(info_.heads) + " heads)");
    const uint64_t unit = uint64_t(addr.cyl) * info_.heads + addr.head;
    const Chain::Found found = chain_.locate(unit, where);
    if (found.slot.null()) {
        build_null(found.slot.null_format, addr, info_, out, found.where);
        return;
    }
    decoder_.read_track(found.file->file(), found.slot.entry, addr, info_.track_size, out, found.where);
}

// ---- writing ----

WriterCore::Rules CckdImageWriter::rules() const
{
    const uint32_t heads = info_.heads;
    const uint32_t track_size = info_.track_size;
    const bool fmt2 = allow_fmt2_;
    const bool eav = eav_;
    WriterCore::Rules r;
    r.place = [heads](uint64_t unit) {
        return Place().with_track(uint32_t(unit / heads), uint32_t(unit % heads));
    };
    r.check_copied = [heads, track_size, fmt2, eav](uint64_t unit, Job& job, const Place& where) {
        const TrackAddress addr{uint32_t(unit / heads), uint32_t(unit % heads)};
        const Bytes& img = job.stored;
        if (img[0] > uint8_t(CckdCompression::Bzip2))
            fail(ErrorKind::Unreadable, where,
                 "track image has compression code " + hex_byte(img[0], HexStyle::C) + " (expected 0, 1 or 2)");
        const auto cchh = encode_cchh(addr);
        if (std::memcmp(img.data() + 1, cchh.data(), 4) != 0)
            fail(ErrorKind::Unreadable, where, "track image header says " + cchh_text(img.data() + 1, eav) + ", not this track");
        if (img[0] == 0) {
            if (img.size() > track_size)
                fail(ErrorKind::Unreadable, where,
                     "uncompressed track image is " + std::to_string(img.size()) + " bytes, more than the " +
                         std::to_string(track_size) + "-byte track size");
            // An empty track stored as an image (dasdinit -z does this for track 1)
            // becomes a null entry, as Hercules would have written it.
            if (auto fmt = null_format_of(img, addr, fmt2)) {
                job.type = Job::Type::Null;
                job.null_format = *fmt;
            }
        }
    };
    return r;
}

CckdImageWriter::CckdImageWriter(const std::string& path, const NewCkdVolume& spec, const CckdOptions& options)
{
    const Place at = file_place(path);
    bool wide = true;
    if (spec.format == "CKD_C370")
        wide = false;
    else if (spec.format == "CKD_E064")
        eav_ = true;
    else if (spec.format != "CKD_C064")
        fail(ErrorKind::Internal, at,
             "\"" + spec.format + "\" is not a compressed CKD format (CKD_C370, CKD_C064, CKD_E064)");
    check_new_geometry(spec, eav_, at);
    check_compression_level(options.compression, options.level, path);
    decoder_.set_eav_form(eav_);

    info_.format = spec.format;
    info_.devtype_byte = spec.devtype_byte;
    info_.cylinders = spec.cylinders;
    info_.heads = spec.heads;
    info_.track_size = spec.track_size;
    info_.files = {path};
    allow_fmt2_ = fmt2_fits(spec.track_size);

    DeviceHeader devhdr;
    devhdr.heads = spec.heads;
    devhdr.track_size = spec.track_size;
    devhdr.devtype_byte = spec.devtype_byte;
    // Header null format 1: an untouched track of a new volume is an empty formatted
    // track, and groups of them need no L2 table.
    BuildLayout layout = fresh_layout(Kind{Flavor::Ckd, wide, false, spec.format, eav_}, devhdr, spec.cylinders, kNullFmt1,
                                      uint64_t(spec.cylinders) * spec.heads, options.compression, options.level,
                                      kTooBigCkd);
    core_ = std::make_unique<WriterCore>(path, std::move(layout), options.compression, options.level, options.threads,
                                         rules());
}

CckdImageWriter::CckdImageWriter(const std::string& path, unsigned threads)
{
    UpdateSource source = open_for_update(path, Flavor::Ckd);
    const Container& c = *source.container;
    info_ = info_of(c);
    allow_fmt2_ = fmt2_fits(info_.track_size);
    eav_ = c.kind().eav;
    decoder_.set_eav_form(eav_);
    BuildLayout layout = fresh_layout(c.kind(), c.device_header(), c.header().cyls, kNullFmt1, c.units(), source.method,
                                      source.level, kTooBigCkd);
    core_ = std::make_unique<WriterCore>(std::move(source.container), std::move(layout), source.method, source.level,
                                         threads, rules());
}

Place CckdImageWriter::place_of(TrackAddress addr) const
{
    return file_place(info_.files[0]).with_track(addr.cyl, addr.head);
}

uint64_t CckdImageWriter::unit_of(TrackAddress addr, const char* what) const
{
    if (addr.cyl >= info_.cylinders || addr.head >= info_.heads)
        fail(ErrorKind::Internal, place_of(addr),
             std::string("cannot ") + what + " a track outside the volume (" + std::to_string(info_.cylinders) +
                 " cylinders of " + std::to_string(info_.heads) + " heads)");
    return uint64_t(addr.cyl) * info_.heads + addr.head;
}

void CckdImageWriter::read_track(TrackAddress addr, TrackImage& out)
{
    const uint64_t unit = unit_of(addr, "read");
    const Place where = place_of(addr);
    core_->guarded([&] {
        L2Entry entry;
        uint8_t fmt = 0;
        switch (core_->origin(unit, entry, fmt)) {
        case WriterCore::Origin::Written:
            if (entry.pos == 0)
                build_null(fmt, addr, info_, out, where);
            else
                decoder_.read_track(core_->temp_file(), entry, addr, info_.track_size, out, where);
            return;
        case WriterCore::Origin::Source: {
            Container& source = *core_->source();
            const Container::Slot slot = source.locate(unit, where);
            if (slot.null())
                build_null(slot.null_format, addr, info_, out, where);
            else
                decoder_.read_track(source.file(), slot.entry, addr, info_.track_size, out, where);
            return;
        }
        case WriterCore::Origin::Default:
            build_null(fmt, addr, info_, out, where);
            return;
        }
    });
}

void CckdImageWriter::write_track(TrackAddress addr, const TrackImage& track)
{
    const uint64_t unit = unit_of(addr, "write");
    const Place where = place_of(addr);
    const Bytes& t = track.bytes;
    std::string why;
    auto len = TrackImage::measure(t, &why);
    if (!len)
        fail(ErrorKind::Internal, where, "track to write is not well formed: " + why);
    if (*len != t.size())
        fail(ErrorKind::Internal, where, "track to write has " + std::to_string(t.size() - *len) +
                                             " bytes after its end-of-track marker");
    if (t.size() > info_.track_size)
        fail(ErrorKind::Device, where,
             "track is " + std::to_string(t.size()) + " bytes, more than the " + std::to_string(info_.track_size) +
                 "-byte tracks of this image");
    if (t[0] != 0)
        fail(ErrorKind::Device, where,
             "home address flag byte is " + hex_byte(t[0], HexStyle::C) +
                 "; a CCKD image keeps its compression code there and can only store 0");
    const auto cchh = encode_cchh(addr);
    if (std::memcmp(t.data() + 1, cchh.data(), 4) != 0) {
        if (eav_)
            fail(ErrorKind::Device, where,
                 "home address says " + eav::describe_cchh(t.data() + 1) +
                     "; a CKD_E064 image stores a track only under its own address in EAV form, " +
                     eav::describe_cchh(cchh.data()));
        fail(ErrorKind::Device, where,
             "home address says cyl " + std::to_string(load_be16(t.data() + 1)) + " head " +
                 std::to_string(load_be16(t.data() + 3)) + "; a CCKD image can store a track only under its own address");
    }
    core_->guarded([&] {
        core_->claim(unit);
        if (auto fmt = null_format_of(t, addr, allow_fmt2_))
            core_->submit_null(unit, *fmt);
        else
            core_->submit_raw(unit, t);
    });
}

void CckdImageWriter::commit()
{
    core_->guarded([&] {
        core_->commit();
        info_.bytes = core_->committed_size();
    });
}

// ---- factories ----

std::unique_ptr<CkdVolumeReader> open_cckd_volume(const std::string& path, const std::optional<std::string>& shadow_files)
{
    return std::make_unique<CckdImageReader>(path, shadow_files);
}

std::unique_ptr<CkdVolumeWriter> create_cckd_volume(const std::string& path, const NewCkdVolume& spec, CckdOptions options)
{
    return std::make_unique<CckdImageWriter>(path, spec, options);
}

std::unique_ptr<CkdVolumeWriter> update_cckd_volume(const std::string& path, unsigned threads)
{
    return std::make_unique<CckdImageWriter>(path, threads);
}

} // namespace ddr
