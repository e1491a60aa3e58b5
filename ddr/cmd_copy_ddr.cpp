// IBM's COPY (man/ddr.1, "ddr copy"): a volume onto another volume of its type, all of it
// or some cylinders (REORDERed if asked), through the one unit path; and one dump of a
// tape onto a new tape, its VHR (TOD included), checkpoint record and groups re-emitted
// exactly as read, its checksums kept (or added, or left out).
#include "ddr/cmd_copy.hpp"
#include "ddr/cmd_dump.hpp"
#include "formats/io/ebcdic.hpp"

#include "ddr/device_choice.hpp"
#include "ddr/dump_resume.hpp"
#include "ddr/inputs.hpp"
#include "ddr/outputs.hpp"
#include "ddr/shadow_option.hpp"
#include "ddr/version.hpp"
#include "formats/ddrtape/checksum_check.hpp"
#include "formats/ddrtape/checksum_writer.hpp"
#include "formats/ddrtape/dump_reader.hpp"
#include "formats/ddrtape/reel_writer.hpp"
#include "formats/ddrtape/units.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/interrupt.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include <filesystem>

namespace ddr {

namespace {

// The volser of a volume's label, CKD (track 0) or FBA (block 1); nullopt if none.
std::optional<std::string> volser_of(OpenedVolume& v)
{
    if (v.ckd) {
        TrackImage track0;
        v.ckd->read_track({0, 0}, track0);
        if (auto l = find_ckd_volume_label(track0))
            return l->volser;
        return std::nullopt;
    }
    if (v.fba->info().blocks < 2)
        return std::nullopt;
    Bytes b1(kFbaBlockSize);
    v.fba->read_blocks(1, b1);
    return find_fba_volser(b1);
}

// An existing target is written only if its volser is the source's, or --volser names
// it, or --force says so (as for a restore).  Error(Refused) otherwise.
void check_copy_volser(const CopyOptions& o, const std::optional<std::string>& target,
                       const std::optional<std::string>& source)
{
    const std::string shown = target ? *target : std::string("(no VOL1 label)");
    if (o.force)
        return;
    if (o.volser && target && *o.volser != *target)
        fail(ErrorKind::Refused, file_place(o.target), "the target's volser is " + shown + ", not " + *o.volser +
                                                           " as --volser expects");
    if ((target && source && *target == *source) || (target && o.volser))
        return;
    fail(ErrorKind::Refused, file_place(o.target),
         "the target's volser is " + shown + " but the source's is " + source.value_or("(no VOL1 label)") +
             "; give --volser " + target.value_or("VOLSER") + " to confirm this target, or --force");
}

// The units of the source and target of a volume copy, and the extents to copy.
struct VolumeCopy {
    OpenedVolume in;
    std::unique_ptr<CkdVolumeWriter> ckd;  // the target, one of the two
    std::unique_ptr<FbaVolumeWriter> fba;
    std::unique_ptr<UnitSink> sink;
    std::vector<Extent> extents;
    bool existing = false;
    uint64_t target_size = 0;  // cylinders or blocks

    void commit() { ckd ? ckd->commit() : fba->commit(); }
};

// The size of a volume as extents count it: cylinders, or FBA blocks.
uint64_t size_of(const OpenedVolume& v)
{
    return v.ckd ? v.ckd->info().cylinders : v.fba->info().blocks;
}

// Checks an existing target against the source before it is opened for writing: same
// kind, same device type (CKD: type byte and heads), large enough for IBM (725R unless
// --smaller-target) and for every extent, and its volser -- or, for a target a restore
// or copy did not finish (NAME.ddr-busy), --force.  Returns its size.
uint64_t check_existing_target(const CopyOptions& o, OpenedVolume& in, const std::vector<Extent>& extents)
{
    const std::optional<UnfinishedRestore> unfinished = find_unfinished_restore(o.target);
    if (unfinished && unfinished->name_taken)
        fail(ErrorKind::Refused, file_place(o.target),
             "both " + o.target + " and " + unfinished->file_now + " exist: remove or rename the one that is not wanted");
    if (unfinished && !o.force)
        fail(ErrorKind::Refused, file_place(o.target),
             o.target + " is INCOMPLETE (" + busy_whereabouts(o.target, *unfinished) +
                 "): a restore or copy into it did not finish; give --force to copy onto it again");
    const bool ckd = unfinished ? unfinished->ckd : looks_like_ckd_volume(o.target);
    if (ckd != bool(in.ckd))
        fail(ErrorKind::Device, file_place(o.target),
             std::string("the target is ") + (ckd ? "a CKD" : "an FBA") + " volume; the source is " + (ckd ? "an FBA" : "a CKD") + " volume");
    OpenedVolume out;
    if (ckd)
        out.ckd = open_ckd_volume(o.target, true);
    else
        out.fba = open_fba_volume(o.target, true);
    if (ckd && (out.ckd->info().devtype_byte != in.ckd->info().devtype_byte || out.ckd->info().heads != in.ckd->info().heads))
        fail(ErrorKind::Device, file_place(o.target),
             "the target is " + describe_image(out.ckd->info()) + ", the source " + describe_image(in.ckd->info()) +
                 ": IBM's COPY copies between volumes of one device type");
    const uint64_t size = size_of(out), source_size = size_of(in);
    const char* unit = ckd ? "cylinders" : "blocks";
    if (size < source_size && !o.smaller_target)
        fail(ErrorKind::Refused, file_place(o.target),
             "DMKDDR725R ORIGINAL INPUT DEVICE WAS LARGER THAN OUTPUT DEVICE: the source has " +
                 std::to_string(source_size) + " " + unit + ", the target " + std::to_string(size) +
                 " (--smaller-target copies onto it what fits)");
    for (const Extent& e : extents)
        if (e.output_last() >= size)
            fail(ErrorKind::Refused, file_place(o.target),
                 "extent '" + e.str() + "' writes up to " + (ckd ? "cylinder " : "block ") + std::to_string(e.output_last()) +
                     ", but the target has " + std::to_string(size) + " " + unit + " (nothing was written)");
    if (!unfinished)
        check_copy_volser(o, volser_of(out), volser_of(in));
    return size;
}

// Opens the source, the extents and the target: an existing one checked and updated in
// place (a plain image named NAME.ddr-busy meanwhile), a new one made as the source and
// appearing only when complete.
VolumeCopy open_volume_copy(const CopyOptions& o)
{
    VolumeCopy c;
    const bool ckd = looks_like_ckd_volume(o.source);
    c.in = open_volume_units(o.source, ckd ? UnitKind::Track : UnitKind::BlockGroup, input_volume(o.sf));
    const char* unit = ckd ? "cylinder" : "block";
    c.extents = parse_extents(o.extents, o.reorder, unit);
    if (c.extents.empty())
        c.extents.push_back({0, size_of(c.in) - 1, 0});
    check_extents_within(c.extents, size_of(c.in) - 1, o.source, unit);
    c.existing = path_exists(o.target) || find_unfinished_restore(o.target);
    if (c.existing) {
        c.target_size = check_existing_target(o, c.in, c.extents);
        if (ckd)
            c.ckd = update_ckd_volume(o.target);
        else
            c.fba = update_fba_volume(o.target);
    } else if (ckd) {
        const CkdVolumeInfo& info = c.in.ckd->info();
        NewCkdVolume spec{info.format, info.devtype_byte, info.cylinders, info.heads, info.track_size, 0, 1};
        c.ckd = create_ckd_volume(o.target, spec);
        c.target_size = info.cylinders;
    } else {
        NewFbaVolume spec;
        spec.format = c.in.fba->info().format;
        spec.blocks = c.in.fba->info().blocks;
        spec.devtype = c.in.fba->info().devtype;
        c.fba = create_fba_volume(o.target, spec);
        c.target_size = spec.blocks;
    }
    for (const Extent& e : c.extents)
        if (e.output_last() >= c.target_size)
            fail(ErrorKind::Refused, file_place(o.target), "extent '" + e.str() + "' writes past the end of the target");
    c.sink = c.ckd ? sink_of(*c.ckd, o.target) : sink_of(*c.fba, o.target);
    return c;
}

// Reads the copied units back from the target and compares them with the source's; only
// where nothing was REORDERed (a moved track has another home address).
void compare_volume_copy(const CopyOptions& o, VolumeCopy& c)
{
    const UnitGeometry& g = c.in.units->geometry();
    OpenedVolume back = open_volume_units(o.target, g.kind);
    Bytes want;
    g.for_each_unit(c.extents, [&](Unit u) {
        ByteSpan a = c.in.units->read(u);
        want.assign(a.begin(), a.end());
        ByteSpan b = back.units->read(u);
        if (!std::equal(want.begin(), want.end(), b.begin(), b.end()))
            fail(ErrorKind::Damaged, g.place(o.target, u.address), "the copy differs from the source when read back");
    });
}

// A REORDERed track: the group a dump writes for unit `u` at `out`, rebuilt into `track`
// as a restore would (home address moved, R0 by the device's rule `r0`).
void moved_track(VolumeUnits& units, Unit u, uint32_t out, R0CountSource r0, DdrTrackDecoder& decoder, TrackImage& track)
{
    const EncodedGroup& grp = units.encode(u, out);
    decoder.begin(grp.blocks[0]);
    for (size_t i = 1; i < grp.blocks.size(); ++i)
        decoder.add(grp.blocks[i]);
    uint8_t cchh[4];
    store_be32(cchh, out);
    decoder.build(track, decode_cchh(cchh, units.geometry().eav_form), r0);
}

// The dump-level fields of a checksum trailer for a dump that has none (an IBM tape):
// what its VHR and one pass over it tell.
TrailerHeader trailer_for_dump(const CopyOptions& o, const DdrVolumeHeader& vhr, const DumpSummary& s)
{
    if (fba_fields(vhr))
        fail(ErrorKind::Usage, "--checksums adds a trailer to a CKD dump; this FBA dump was written --pure");
    std::string how;
    const CkdDevice& dev = device_for_dump(vhr, std::nullopt, &how);
    TrailerHeader t;
    t.tod = vhr.tod;
    t.devtype = dev.devtype;
    t.model = std::string(dev.name);
    t.heads = dev.heads;
    t.track_size = dev.hercules_track_size();
    for (const auto& [first, last] : s.cylinder_ranges)
        t.extents.push_back({first, last, first});
    t.tool = std::string("ddr ") + kDdrVersion;
    t.unix_time = dump_time_micros() / 1000000;  // SOURCE_DATE_EPOCH's, as a dump's trailer
    t.source_format = "DDR tape";
    t.source_name = std::filesystem::path(o.source).filename().string();
    return t;
}

// The first pass of a tape copy: the dump read through once and found intact (its
// checksums, where it has them, all match).  Returns what it holds and its trailer.
DumpSummary check_source_dump(const CopyOptions& o, uint64_t file, std::optional<TrailerHeader>& trailer)
{
    DumpChecker checker;
    DumpReader reader({o.source});
    reader.set_observer(&checker);
    reader.skip_files(file - 1);
    if (!reader.start_dump())
        fail(ErrorKind::Unreadable, file_place(o.source), "no dump " + std::to_string(file) + " on this tape");
    DumpSummary s = scan_dump(reader, &checker);
    if (s.problem)
        throw *s.problem;
    if (!checker.last_reel_checked())
        (void)read_moved_trailer(reader, checker);
    if (!checker.findings().empty())
        fail(ErrorKind::Damaged, checker.findings().first().place,
             "the dump is damaged: " + checker.findings().first().what + " (ddr verify lists every problem)");
    if (reader.end_record().kind != DdrHeaderKind::Eoj)
        fail(ErrorKind::Reel, file_place(o.source),
             "the dump goes on on another reel (it ends with EOV): a tape copy copies a dump that ends on its tape");
    trailer = checker.dump_header();
    return s;
}

// The tape side of a tape copy: the new tape, the checksum trailer if it gets one, and
// the reel writer.
struct TapeCopyOutput {
    std::optional<ReelOutputs> outputs;
    std::optional<DumpChecksumWriter> checksums;
    std::optional<DdrReelWriter> writer;
};

void open_tape_copy(const CopyOptions& o, const DdrVolumeHeader& vhr, std::optional<TrailerHeader> trailer,
                    TapeCopyOutput& out, Reporter& reporter)
{
    TapeWriterOptions wo;
    wo.format = o.to && (*o.to == "het" || *o.to == "HET") ? "HET" : "AWS";
    wo.compression = wo.format == "HET" ? 1 : 0;
    wo.overwrite = o.overwrite;
    if (o.to && wo.format == "AWS" && *o.to != "aws" && *o.to != "AWS")
        fail(ErrorKind::Usage, "--to " + *o.to + " is not a tape container");
    if (o.target != "-" && path_exists(o.target)) {
        if (!o.overwrite)
            fail(ErrorKind::Refused, file_place(o.target), "the tape file already exists (--overwrite replaces a tape)");
        check_replaceable_tape(o.target);
    }
    out.outputs.emplace(std::vector<std::string>{o.target}, wo);
    if (trailer)
        out.checksums.emplace(std::move(*trailer));
    out.writer.emplace(*out.outputs, ReelLimit{}, vhr, [&reporter](const std::string& line) { reporter.note(line); },
                       out.checksums ? &*out.checksums : nullptr);
}

// Re-emits the groups of the dump `reader` is in (and its checkpoint record) onto
// `writer`, exactly as read; only those `selection` holds, unless it is empty.
// `source_map` gives each group's source address for the trailer.  Returns how many
// groups were written; `last` is the last unit's address (a block group's last block).
uint64_t copy_groups(DumpReader& reader, DdrReelWriter& writer, const ExtentMap& selection, const ExtentMap& source_map,
                     std::optional<uint32_t>& last)
{
    uint64_t groups = 0;
    for (DumpReader::Item item = reader.next(); item != DumpReader::Item::End; item = reader.next()) {
        check_interrupted();
        if (item == DumpReader::Item::Nucleus) {
            if (!selection.empty())
                fail(ErrorKind::Usage, "a NUCLEUS dump is copied whole: give no --cylinders");
            writer.write_nucleus_record(reader.nucleus_record());
            continue;
        }
        std::span<const ByteSpan> blocks;
        size_t length = 0;
        uint32_t address = 0, count = 1;
        if (item == DumpReader::Item::Track) {
            DdrTrackDecoder& t = reader.track();
            t.validate();
            blocks = t.blocks();
            length = t.image_length();
            address = cchh_value(t.output_address(reader.eav_form()));
        } else {
            FbaGroupDecoder& f = reader.fba_group();
            f.validate();
            blocks = f.blocks();
            length = f.image_length();
            address = f.first_block();
            count = f.count();
        }
        if (!selection.empty() && !selection.extent_of(address))
            continue;
        writer.write_group(blocks, length, uint16_t(address >> 16), uint16_t(address), source_map.source_of(address));
        last = address + (item == DumpReader::Item::Track ? 0 : count - 1);
        ++groups;
    }
    return groups;
}

// The report of a dump copied (man/ddr.1, JSON REPORTS): which dump, its groups, and the
// tape written.
void report_dump_copy(uint64_t file, const DdrVolumeHeader& vhr, uint64_t groups, const std::vector<Extent>& extents,
                      const TapeCopyOutput& out, Json& facts)
{
    facts["file"] = file;
    facts["volser"] = volser_to_ascii(vhr.volser);
    facts["tod"] = format_tod_hex(vhr.tod);
    facts["dump_time"] = format_tod_iso8601(vhr.tod);
    facts["units"] = groups;
    facts["unit_name"] = fba_fields(vhr) ? "block groups" : "tracks";
    facts["extents"] = extents_facts(extents);
    facts["reels"] = reels_facts(*out.writer, out.checksums ? &*out.checksums : nullptr);
    facts["tape_blocks"] = out.writer->blocks();
    facts["checksums"] = out.checksums.has_value();
}

} // namespace

int copy_dump(const CopyOptions& o, Reporter& reporter, DumpSummary* read)
{
    if (o.reorder || o.volser || o.force || o.smaller_target)
        fail(ErrorKind::Usage, "a tape copy keeps the dump's addresses and volser: REORDER when it is restored");
    if (o.checksums && o.pure)
        fail(ErrorKind::Usage, "--checksums and --pure contradict each other");
    if (!std::filesystem::is_regular_file(o.source))
        fail(ErrorKind::Usage, file_place(o.source), "a tape copy reads its tape twice: give a file, not a pipe");
    check_output_is_not_input(o.target, {o.source});
    const uint64_t file = std::max<uint64_t>(o.file, 1);
    std::optional<TrailerHeader> trailer;
    const DumpSummary summary = check_source_dump(o, file, trailer);
    std::vector<Extent> extents = parse_extents(o.extents, std::nullopt, summary.fba_blocks ? "block" : "cylinder");
    for (const Extent& e : extents)
        if (e.reordered())
            fail(ErrorKind::Usage, "extent '" + e.str() + "': a tape copy keeps the dump's addresses (REORDER when restoring)");

    DumpReader reader({o.source});
    reader.skip_files(file - 1);
    reader.start_dump();
    DdrVolumeHeader vhr = reader.vhr();
    const bool fba = reader.fba();
    const UnitGeometry g{fba ? UnitKind::BlockGroup : UnitKind::Track, uint32_t(vhr.mtck) + 1, reader.eav_form()};
    if (o.pure || (!trailer && !o.checksums))
        trailer.reset();
    else if (!trailer)
        trailer = trailer_for_dump(o, vhr, summary);
    const ExtentMap source_map = trailer ? ExtentMap([&] {
        std::vector<Extent> v;
        for (const TrailerExtent& e : trailer->extents)
            v.push_back({e.first, e.last, e.output_first});
        return v;
    }(), g) : ExtentMap();
    if (!extents.empty()) {
        const uint32_t first = g.with_key(0, extents.front().first);
        vhr.cc = uint16_t(first >> 16);
        vhr.hh = uint16_t(first);
    }
    TapeCopyOutput out;
    open_tape_copy(o, vhr, trailer, out, reporter);
    const ExtentMap selection(extents, g);
    std::optional<uint32_t> last;
    const uint64_t groups = copy_groups(reader, *out.writer, selection, source_map, last);
    if (!last)
        fail(ErrorKind::Usage, file_place(o.source), "the cylinders given hold no track of this dump (nothing was written)");
    const DdrVolumeHeader& end = reader.end_record();
    const uint32_t eoj = extents.empty() ? (uint32_t(end.cc) << 16 | end.hh)
                                         : fba ? *last : cchh_value({uint32_t(g.key_of(*last)), vhr.mtck});
    out.writer->finish(uint16_t(eoj >> 16), uint16_t(eoj));
    report_dump_copy(file, vhr, groups, extents, out, reporter.facts());
    reporter.note("copied dump " + std::to_string(file) + " of " + o.source + " (" + counted(groups, fba ? "block group" : "track") +
                  ", dump time " + format_tod_utc(vhr.tod) + ") to " + o.target +
                  (out.checksums ? ", with checksums" : " (no checksums)"));
    if (read)
        *read = summary;
    return 0;
}

bool is_ddr_copy(const CopyOptions& o, bool tape)
{
    if (!o.extents.empty() || o.reorder || o.volser || o.force || o.smaller_target)
        return true;
    if (tape)
        return o.file != 0 || o.checksums || o.pure;
    if (o.target == "-")
        return false;
    if (find_unfinished_restore(o.target))
        return true;
    return path_exists(o.target) && !is_tape_input(o.target);
}

namespace {

// The copy itself, once the target is open: every unit written (a REORDERed track rebuilt
// for its new home), committed, and read back if asked.
int copy_into(const CopyOptions& o, VolumeCopy& c, Reporter& reporter)
{
    const UnitGeometry& g = c.in.units->geometry();
    const ExtentMap map(c.extents, g);
    std::optional<R0CountSource> r0;
    if (c.in.ckd)
        r0 = restores_r0_from_tape(device_for_image(c.in.ckd->info(), std::nullopt, o.source)) ? R0CountSource::Tape
                                                                                              : R0CountSource::TargetCchh;
    const uint64_t total = g.count_units(c.extents);
    uint64_t done = 0;
    bool moved = false;
    Bytes bytes;
    TrackImage track;
    DdrTrackDecoder decoder;
    g.for_each_unit(c.extents, [&](Unit u) {
        check_interrupted();
        const uint32_t out = map.output_of(u.address);
        const Place where = g.place(o.target, out);
        if (g.fba() || out == u.address) {
            ByteSpan b = c.in.units->read(u);
            bytes.assign(b.begin(), b.end());
            c.sink->write(out, u.count, bytes, where);
        } else {
            moved = true;
            moved_track(*c.in.units, u, out, *r0, decoder, track);
            c.sink->write(out, 1, track.bytes, where);
        }
        ++done;
        reporter.progress(done, total, done, "copy", progress_place(g, u.address));
    });
    reporter.end_progress();
    c.commit();
    c.ckd.reset();
    c.fba.reset();
    if (o.compare && !moved)
        compare_volume_copy(o, c);
    Json& facts = reporter.facts();
    facts["volser"] = volser_of(c.in).value_or("");
    facts["units"] = total;
    facts["unit_name"] = g.fba() ? "block groups" : "tracks";
    facts["extents"] = extents_facts(c.extents);
    facts["created"] = !c.existing;
    facts["compared"] = o.compare && !moved;
    std::string extents;
    for (const Extent& e : c.extents)
        extents += (extents.empty() ? "" : ", ") + e.str();
    reporter.note("copied " + counted(total, g.fba() ? "block group" : "track") + " of " + o.source + " (" +
                  (g.fba() ? "blocks " : "cylinders ") + extents + ") onto " + (c.existing ? "" : "the new volume ") +
                  o.target + (o.compare && !moved ? "; read back: identical" : ""));
    return 0;
}

// What a copy that failed while writing left of an existing target, to end its message:
// a plain image is INCOMPLETE under its busy name until a copy or restore completes.
Error explain_unfinished_copy(const CopyOptions& o, const Error& e)
{
    std::optional<UnfinishedRestore> u;
    try {
        u = find_unfinished_restore(o.target);
    } catch (const Error&) {
        // The names cannot be read now: the error alone.
    }
    if (!u)
        return Error(e.kind(), e.place(), e.detail() + "; " + o.target + " was not changed");
    return Error(e.kind(), e.place(),
                 e.detail() + "; " + o.target + " is now INCOMPLETE (" + busy_whereabouts(o.target, *u) +
                     " until a copy or restore completes): run the same copy again with --force to finish it");
}

} // namespace

int copy_volume_units(const CopyOptions& o, Reporter& reporter)
{
    if (o.to || o.overwrite)
        fail(ErrorKind::Usage, "IBM's COPY writes the target as it is: --to and --overwrite are for container copies");
    VolumeCopy c = open_volume_copy(o);
    try {
        return copy_into(o, c, reporter);
    } catch (const Error& e) {
        if (!c.existing)
            throw;
        c.ckd.reset();  // closed before the names are looked at
        c.fba.reset();
        throw explain_unfinished_copy(o, e);
    }
}

} // namespace ddr
