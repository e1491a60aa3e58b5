#include "ddr/restore.hpp"

#include "ddr/checksum_check.hpp"
#include "ddr/device_choice.hpp"
#include "ddr/dump_reader.hpp"
#include "ddr/extents.hpp"
#include "ddr/tape_scan.hpp"
#include "ddr/interrupt.hpp"
#include "formats/ebcdic.hpp"
#include "formats/error.hpp"
#include "formats/volume.hpp"
#include "formats/volume_label.hpp"

#include <sys/stat.h>

namespace ddr {

namespace {

bool exists(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool all_rereadable(const std::vector<std::string>& tapes)
{
    for (const std::string& t : tapes) {
        struct stat st {};
        if (t == "-" || ::stat(t.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
            return false;
    }
    return true;
}

std::string volser_of(const DdrVolumeHeader& vhr)
{
    return volser_to_ascii(vhr.volser);
}

// IBM DDR's IPL record, which RESTORE NUCLEUS writes as R1 of cylinder 0 head 0: a PSW
// that starts at X'800' and a CCW that reads the next record (R2, the 4096-byte
// checkpoint/IPL program) to X'800'.
constexpr uint8_t kNucleusIplRecord[24] = {0x00, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
                                           0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x10, 0x00,
                                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

// Checks that track 0 of a CP-formatted volume has the R1 (24 bytes) and R2 (4096 bytes)
// that a NUCLEUS restore rewrites.
void check_nucleus_target(const TrackImage& track0, const std::string& target)
{
    std::vector<CkdRecord> recs;
    track0.records(recs);
    bool r1 = false, r2 = false;
    for (const CkdRecord& r : recs) {
        r1 = r1 || (r.record_number() == 1 && r.key_length() == 0 && r.data_length() == sizeof kNucleusIplRecord);
        r2 = r2 || (r.record_number() == 2 && r.key_length() == 0 && r.data_length() == kNucleusRecordSize);
    }
    if (!r1 || !r2)
        fail(ErrorKind::Refused, Place{target, {}, {}, {}, 0, 0, {}},
             "a NUCLEUS dump restores onto a CP-formatted volume whose cylinder 0 head 0 has R1 (24 bytes) and R2 "
             "(4096 bytes); this one has not");
}

// Rewrites R1 and R2 of track 0 in place, as IBM's RESTORE NUCLEUS does.
void rewrite_nucleus_records(TrackImage& track0, ByteSpan checkpoint)
{
    size_t off = kHomeAddressSize;
    while (off + kCountSize <= track0.bytes.size() - kEndOfTrackSize) {
        uint8_t* c = track0.bytes.data() + off;
        size_t kl = c[5], dl = load_be16(c + 6);
        uint8_t* data = c + kCountSize + kl;
        if (c[4] == 1 && dl == sizeof kNucleusIplRecord)
            std::copy(std::begin(kNucleusIplRecord), std::end(kNucleusIplRecord), data);
        if (c[4] == 2 && dl == kNucleusRecordSize)
            std::copy(checkpoint.begin(), checkpoint.end(), data);
        off += kCountSize + kl + dl;
    }
}

struct Selection {
    std::vector<Extent> extents;   // empty: every track at its tape address
    std::vector<std::vector<bool>> seen;
    uint32_t heads = 0;

    std::optional<TrackAddress> map(TrackAddress tape) {
        if (extents.empty())
            return tape;
        for (size_t i = 0; i < extents.size(); ++i) {
            const Extent& e = extents[i];
            if (e.contains(tape.cyl)) {
                if (tape.head < heads)
                    seen[i][(tape.cyl - e.first) * heads + tape.head] = true;
                return TrackAddress{uint32_t(e.output_of(tape.cyl)), tape.head};
            }
        }
        return std::nullopt;
    }

    // IBM's DMKDDR714E: a requested track that is not on the tape.
    void check_complete(const std::string& tape_name) const {
        for (size_t i = 0; i < extents.size(); ++i)
            for (size_t k = 0; k < seen[i].size(); ++k)
                if (!seen[i][k])
                    fail(ErrorKind::Unreadable, Place{tape_name, {}, {}, {}, uint32_t(extents[i].first + k / heads), uint32_t(k % heads), {}},
                         "track requested by extent '" + extents[i].str() + "' is not on the tape");
    }
};

} // namespace

int run_restore(const RestoreOptions& options, Reporter& reporter)
{
    if (options.tapes.empty())
        fail(ErrorKind::Usage, "no TAPE given");
    if (options.file == 0)
        fail(ErrorKind::Usage, "--file counts from 1");
    check_reel_order(options.tapes, options.file);

    const bool target_exists = exists(options.target);
    // Before an existing volume is touched, read the whole dump once: a truncated or
    // corrupt tape, or one that does not fit the target, must leave the target as it was.
    std::optional<DumpSummary> summary;
    if (target_exists && options.precheck) {
        if (all_rereadable(options.tapes)) {
            reporter.detail("checking the dump before writing to " + options.target);
            DumpChecker pre_checker;
            {
                DumpReader pre(options.tapes);
                pre.skip_files(options.file - 1);
                if (!pre.start_dump())
                    fail(ErrorKind::Unreadable, Place{options.tapes[0], {}, {}, {}, {}, {}, {}},
                         "no dump " + std::to_string(options.file) + " on this tape");
                summary = scan_dump(pre, &pre_checker);
                if (summary->problem)
                    throw *summary->problem;
                if (!summary->order_problems.empty() && !options.keep_going)
                    fail(ErrorKind::Damaged, summary->order_problems.front().first,
                         summary->order_problems.front().second + "; " + options.target + " was not touched");
            }
            const std::vector<ChecksumFinding>* findings = &pre_checker.findings();
            TapeScan whole;
            if (!pre_checker.has_checksums()) {
                // A later --append may have moved this dump's trailer down the tape.
                whole = scan_tapes(options.tapes);
                for (CheckedDump& d : whole.dumps)
                    if (d.checker->tod() == pre_checker.tod() && d.checker->has_checksums())
                        findings = &d.checker->findings();
            }
            if (!findings->empty() && !options.keep_going)
                fail(ErrorKind::Damaged, findings->front().place,
                     "the dump is damaged, so " + options.target + " was not touched: " + findings->front().what +
                         " (" + std::to_string(findings->size()) + " problem(s); ddr verify lists them; --continue restores anyway)");
        } else {
            reporter.warn("the dump comes from a pipe or device and cannot be read twice: it is not checked before "
                          "writing; if it proves bad, " + options.target + " is left marked incomplete");
        }
    }

    DumpReader reader(options.tapes);
    DumpChecker checker;
    std::vector<ChecksumFinding> damaged;
    checker.on_finding = [&](const ChecksumFinding& f) {
        if (!options.keep_going)
            fail(ErrorKind::Damaged, f.place, f.what + " (restore stopped; --continue restores past damaged tracks)");
        reporter.warn(f.place.str() + ": " + f.what);
        damaged.push_back(f);
    };
    reader.set_observer(&checker);
    reader.skip_files(options.file - 1);
    if (!reader.start_dump())
        fail(ErrorKind::Unreadable, Place{options.tapes[0], {}, {}, {}, {}, {}, {}},
             "no dump " + std::to_string(options.file) + " on this tape");
    const DdrVolumeHeader vhr = reader.vhr();
    std::string how;
    const CkdDevice& dev = device_for_dump(vhr, options.devtype, &how);
    const std::string dump_volser = volser_of(vhr);

    Selection sel;
    sel.heads = dev.heads;
    sel.extents = parse_extents(options.extents, options.reorder);
    for (const Extent& e : sel.extents)
        sel.seen.emplace_back((e.last - e.first + 1) * dev.heads, false);

    // The highest cylinder the restore will write, when known in advance.
    std::optional<uint64_t> highest;
    if (!sel.extents.empty())
        highest = sel.extents.back().output_last();
    else if (summary && summary->last_track)
        highest = summary->last_track->cyl;

    std::unique_ptr<CkdVolumeWriter> volume;
    if (target_exists) {
        CkdVolumeInfo tinfo;
        TrackImage track0;
        {
            auto probe = open_ckd_volume(options.target);
            tinfo = probe->info();
            probe->read_track({0, 0}, track0);
        }
        Place where{options.target, {}, {}, {}, {}, {}, {}};
        if (tinfo.devtype_byte != dev.hercules_devtype() || tinfo.heads != dev.heads)
            fail(ErrorKind::Device, where,
                 "the target is " + describe_image(tinfo) + "; the dump is of a " + std::string(dev.name) + " (" + how + ")");
        std::optional<std::string> target_volser;
        if (auto l = find_ckd_volume_label(track0))
            target_volser = l->volser;
        bool volser_ok = options.force || (target_volser && *target_volser == dump_volser) ||
                         (target_volser && options.volser && *target_volser == *options.volser);
        if (options.volser && target_volser && *target_volser != *options.volser && !options.force)
            fail(ErrorKind::Refused, where, "the target's volser is " + *target_volser + ", not " + *options.volser +
                                                " as --volser expects");
        if (!volser_ok)
            fail(ErrorKind::Refused, where,
                 "the target's volser is " + (target_volser ? *target_volser : std::string("(no VOL1 label)")) +
                     " but the dump is of " + (dump_volser.empty() ? std::string("(blank)") : dump_volser) +
                     "; give --volser " + (target_volser ? *target_volser : std::string("VOLSER")) +
                     " to confirm this target, or --force");
        if (highest && *highest >= tinfo.cylinders)
            fail(ErrorKind::Refused, where,
                 "the target has " + std::to_string(tinfo.cylinders) + " cylinders; the dump writes up to cylinder " +
                     std::to_string(*highest));
        if (summary && summary->max_track_bytes > tinfo.track_size)
            fail(ErrorKind::Refused, where,
                 "the dump holds a track of " + std::to_string(summary->max_track_bytes) +
                     " bytes; the target's track slots hold " + std::to_string(tinfo.track_size));
        if (summary && summary->nucleus)
            check_nucleus_target(track0, options.target);
        volume = update_ckd_volume(options.target);
        reporter.note("restoring " + dump_volser + " (dumped " + format_tod_utc(vhr.tod) + ") onto " + options.target +
                      " (" + (target_volser ? *target_volser : std::string("no label")) + ")");
    } else {
        NewCkdVolume spec;
        spec.devtype_byte = dev.hercules_devtype();
        spec.heads = dev.heads;
        spec.track_size = dev.hercules_track_size();
        spec.format = ckd_container_for(options.format, dev);
        // An EAV dump names its volume's size in its VHR; other dumps get the model's.
        if (dev.eav)
            spec.cylinders = eav_last_cylinder(vhr).value_or(uint32_t(highest.value_or(kEavMinCylinders - 1))) + 1;
        else
            spec.cylinders = dev.cylinders;
        if (highest && *highest >= spec.cylinders)
            spec.cylinders = uint32_t(*highest + 1);
        volume = create_ckd_volume(options.target, spec);
        reporter.note("creating " + options.target + " as a " + std::string(dev.name) + " of " +
                      std::to_string(spec.cylinders) + " cylinders (device type " + how + ")");
        reporter.note("restoring " + dump_volser + " (dumped " + format_tod_utc(vhr.tod) + ")");
    }
    const CkdVolumeInfo& info = volume->info();
    const R0CountSource r0 = restores_r0_from_tape(dev) ? R0CountSource::Tape : R0CountSource::TargetCchh;

    TrackImage track;
    std::optional<TrackAddress> previous;
    const bool compressed_target = info.format.rfind("CKD_C", 0) == 0;
    uint64_t hercules_flagged = 0;
    std::optional<Bytes> nucleus;
    uint64_t restored = 0, skipped = 0, bytes = 0;
    for (;;) {
        DumpReader::Item item = reader.next();
        if (item == DumpReader::Item::End)
            break;
        if (item == DumpReader::Item::Nucleus) {
            ByteSpan rec = reader.nucleus_record();
            nucleus.emplace(rec.begin(), rec.end());
            continue;
        }
        DdrTrackDecoder& t = reader.track();
        const TrackAddress tape_addr = t.output_address(reader.eav_form());
        // On a tape without checksums, a damaged home address would put a track on the
        // wrong cylinder: tracks must ascend, as DDR writes them.
        if (previous && !(*previous < tape_addr) && !options.keep_going)
            fail(ErrorKind::Damaged, reader.place(),
                 "tracks out of order: this one comes after cyl " + std::to_string(previous->cyl) + " head " +
                     std::to_string(previous->head) + "; one of the two has a damaged home address");
        previous = tape_addr;
        std::optional<TrackAddress> out = sel.map(tape_addr);
        if (!out) {
            ++skipped;
            continue;
        }
        Place where = reader.place();
        if (out->head >= info.heads)
            fail(ErrorKind::Unreadable, where, "track head " + std::to_string(out->head) + " does not exist on a " +
                                                   std::string(dev.name));
        if (out->cyl >= info.cylinders)
            fail(ErrorKind::Refused, where, "the dump writes cylinder " + std::to_string(out->cyl) + " but " +
                                                options.target + " has " + std::to_string(info.cylinders) +
                                                " cylinders (make a larger target with ddr init)");
        if (t.header().ha[0] & 0x02)
            reporter.warn(where.str() + ": the track was flagged defective when it was dumped");
        try {
            t.build(track, *out, r0);
        } catch (const Error& e) {
            throw e.within(where);
        }
        if (track.size() > info.track_size)
            fail(ErrorKind::Refused, where, "the track is " + std::to_string(track.size()) + " bytes; the target's slots hold " +
                                                std::to_string(info.track_size));
        if (compressed_target && hercules_cckd_flags(track, info.heads) && hercules_flagged++ == 0)
            reporter.warn(where.str() + ": this track is kept exactly, but Hercules 3.13's cckdcdsk -3 calls such tracks "
                          "invalid (R0 data on an empty track, or a count naming a head or record 0 it does not "
                          "expect) and would discard them");
        volume->write_track(*out, track);
        ++restored;
        bytes += t.image_length();
        reporter.progress(restored, summary ? summary->tracks : 0, bytes, "restore");
    }
    reporter.end_progress();
    sel.check_complete(options.tapes[0]);

    if (nucleus) {
        TrackImage track0;
        volume->read_track({0, 0}, track0);
        check_nucleus_target(track0, options.target);
        rewrite_nucleus_records(track0, *nucleus);
        volume->write_track({0, 0}, track0);
        reporter.note("rewrote the IPL record (R1) and the checkpoint record (R2) of cylinder 0 head 0");
    }
    if (!reader.closed_by_tape_mark())
        reporter.warn("no tape mark after the dump's EOJ: the tape may be cut short (every track was read)");
    volume->commit();
    if (hercules_flagged > 1)
        reporter.warn(std::to_string(hercules_flagged) + " tracks in all are of the kind Hercules 3.13's cckdcdsk -3 would discard");
    if (checker.has_checksums())
        reporter.note("checksums: " + std::to_string(checker.units_checked()) + " of " + std::to_string(checker.units()) +
                      " tracks match" + (checker.all_reels_checked() ? "" : " (some reels carry no trailer)"));
    else
        reporter.note("checksums: none after this dump's EOJ" +
                      std::string(summary ? "" : " (an IBM DDR or --pure tape, or moved by --append: ddr verify checks them)"));
    reporter.note("restored " + std::to_string(restored) + " tracks to " + options.target +
                  (skipped ? " (" + std::to_string(skipped) + " tracks on tape outside the extents)" : std::string()) +
                  " from " + std::to_string(reader.reel()) + " reel" + (reader.reel() == 1 ? "" : "s"));
    if (!damaged.empty())
        fail(ErrorKind::Damaged, damaged.front().place,
             std::to_string(damaged.size()) + " damaged track(s) were restored as read (--continue); first: " +
                 damaged.front().what);
    return 0;
}

} // namespace ddr
