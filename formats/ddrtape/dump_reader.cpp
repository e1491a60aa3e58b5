#include "formats/ddrtape/dump_reader.hpp"

#include "formats/volume/cp_volume.hpp"

#include "formats/ddrtape/checksum_check.hpp"

#include "formats/io/interrupt.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

#include <cstdio>

namespace ddr {

namespace {
// "X'E3A26AB72F94B000' (2026-11-25 09:23:53 UTC)": two dumps can share a second.
std::string tod_text(uint64_t tod)
{
    char hex[20];
    std::snprintf(hex, sizeof hex, "%016llX", static_cast<unsigned long long>(tod));
    return "X'" + std::string(hex) + "' (" + format_tod_utc(tod) + ")";
}
} // namespace

DumpReader::DumpReader(std::vector<std::string> tapes, bool strict) : tapes_(std::move(tapes)), strict_(strict)
{
    if (tapes_.empty())
        fail(ErrorKind::Usage, "no tape given");
    open_reel(0);
}

void DumpReader::open_reel(unsigned index)
{
    if (index >= tapes_.size())
        fail(ErrorKind::Reel, file_place(tapes_.back()).with_reel(index),
             "the dump continues on reel " + std::to_string(index + 1) + " (EOV at cyl " + std::to_string(end_.cc) +
                 " head " + std::to_string(end_.hh) + "), but only " + counted(tapes_.size(), "TAPE argument") +
                 (tapes_.size() == 1 ? " was" : " were") + " given");
    stream_.reset();
    TapeReaderOptions options;
    options.strict = strict_;
    tape_ = open_tape_reader(tapes_[index], options);
    stream_ = std::make_unique<DdrStreamReader>(*tape_);
    reel_ = index;
}

Place DumpReader::place() const
{
    Place p = stream_->place();
    p.reel = reel_ + 1;
    return p;
}

void DumpReader::skip_files(uint64_t count)
{
    if (count > 0)
        stream_->skip_files(count);
}

bool DumpReader::start_dump()
{
    bool skipped_mark = false;
    for (;;) {
        DdrEvent e = stream_->next();
        if (e == DdrEvent::EndOfData)
            return false;
        if (e == DdrEvent::FileEnd) {
            if (skipped_mark)
                return false;  // two tape marks in a row: the end of the recorded tape
            skipped_mark = true;
            continue;
        }
        // BetweenFiles only yields Header (anything else throws).
        summary_ = DumpSummary{};
        summary_.vhr = stream_->header();
        summary_.file = stream_->file_number();
        summary_.reels = 1;
        first_reel_ = reel_;
        in_dump_ = true;
        cut_.reset();
        if (observer_)
            observer_->reel_started(reel_in_dump(), summary_.vhr, place());
        return true;
    }
}

std::vector<Error> DumpReader::read_rest_of_reel(const BlockVisitor& visit)
{
    std::vector<Error> unreadable;
    // Tape marks in a row, the dump's own first.  As in start_dump(), one more where a
    // VHR should be is skipped; the third ends the recorded tape.
    unsigned marks = 1;
    bool in_unreadable_file = false;
    for (;;) {
        check_interrupted();
        DdrEvent e;
        try {
            e = in_unreadable_file ? stream_->next_uninterpreted() : stream_->next();
        } catch (const Error& err) {
            if (err.kind() == ErrorKind::Interrupted || err.kind() == ErrorKind::Internal)
                throw;
            unreadable.push_back(err);
            if (in_unreadable_file)
                return unreadable;  // the container itself is broken: nothing more can be read
            in_unreadable_file = true;
            marks = 0;
            continue;
        }
        if (e == DdrEvent::EndOfData)
            return unreadable;
        if (e == DdrEvent::FileEnd) {
            in_unreadable_file = false;
            if (++marks == 3)
                return unreadable;
            continue;
        }
        marks = 0;
        if (e == DdrEvent::Extension)
            visit(stream_->block(), place(), !in_unreadable_file);
    }
}

void DumpReader::check_no_reels_after() const
{
    if (reel_ + 1 < tapes_.size())
        fail(ErrorKind::Reel, file_place(tapes_[reel_ + 1]).with_reel(reel_ + 2),
             "this reel is not part of the dump: the dump ends (EOJ) on " + tapes_[reel_] + ", the reel before it");
}

void DumpReader::read_to_tape_mark()
{
    for (;;) {
        DdrEvent e = stream_->next();
        if (e == DdrEvent::Extension) {
            if (observer_)
                observer_->trailer_block(stream_->block(), place());
            continue;
        }
        const bool tape_mark = e == DdrEvent::FileEnd;
        if (!tape_mark && !cut_)
            cut_ = Error(ErrorKind::Unreadable, place(),
                         std::string("no tape mark after the ") + (end_.kind == DdrHeaderKind::Eoj ? "EOJ" : "EOV") +
                             " (and the blocks after it): the tape is cut short");
        if (observer_)
            observer_->reel_closed(tape_mark, place());
        return;
    }
}

DumpReader::Item DumpReader::next()
{
    if (!in_dump_)
        fail(ErrorKind::Internal, "DumpReader::next outside a dump");
    for (;;) {
        check_interrupted();
        DdrEvent e = stream_->next();
        switch (e) {
        case DdrEvent::Track:
            if (observer_)
                observer_->track_read(stream_->track(), place());
            summarize(Item::Track);
            return Item::Track;
        case DdrEvent::FbaGroup:
            if (observer_)
                observer_->fba_group_read(stream_->fba_group(), place());
            summarize(Item::FbaGroup);
            return Item::FbaGroup;
        case DdrEvent::Nucleus:
            if (observer_)
                observer_->nucleus_read(stream_->block(), place());
            summarize(Item::Nucleus);
            return Item::Nucleus;
        case DdrEvent::EndOfJob:
            end_ = stream_->header();
            if (observer_)
                observer_->end_read(end_, place());
            read_to_tape_mark();
            in_dump_ = false;
            summary_.ended = true;
            return Item::End;
        case DdrEvent::EndOfVolume: {
            end_ = stream_->header();
            Place eov_place = place();
            if (observer_)
                observer_->end_read(end_, eov_place);
            read_to_tape_mark();
            summary_.reel_changes.push_back({end_.cc, end_.hh});
            open_reel(reel_ + 1);
            summary_.reels = reel_in_dump();
            DdrEvent first = stream_->next();
            if (first == DdrEvent::FileEnd)
                first = stream_->next();
            if (first != DdrEvent::Header)
                fail(ErrorKind::Reel, place(), "reel " + std::to_string(reel_ + 1) + " does not start with a VHR");
            const DdrVolumeHeader& h = stream_->header();
            if (h.tod != vhr().tod)
                fail(ErrorKind::Reel, place(),
                     "wrong reel: its VHR is from the dump with TOD " + tod_text(h.tod) + ", not " + tod_text(vhr().tod) +
                         " whose reel " + std::to_string(reel_) + " ended with EOV");
            if (h.cc != end_.cc || h.hh != end_.hh)
                fail(ErrorKind::Reel, place(),
                     "reel out of order: it starts at cyl " + std::to_string(h.cc) + " head " + std::to_string(h.hh) +
                         " but reel " + std::to_string(reel_) + " ended (EOV) at cyl " + std::to_string(end_.cc) +
                         " head " + std::to_string(end_.hh) + " (" + eov_place.str() + ")");
            if (observer_)
                observer_->reel_started(reel_in_dump(), h, place());
            continue;
        }
        case DdrEvent::Header:
        case DdrEvent::Extension:
        case DdrEvent::FileEnd:
        case DdrEvent::EndOfData:
            break;
        }
        fail(ErrorKind::Internal, "unexpected DDR event inside a dump");
    }
}

// scan_dump's summary, kept as the dump is read (header: summary()).
void DumpReader::summarize(Item item)
{
    DumpSummary& s = summary_;
    if (item == Item::Nucleus) {
        s.nucleus = true;
        try {
            const CpCheckpoint c = decode_cp_checkpoint(nucleus_record());
            s.nucleus_cylinders = {c.nucleus_first, c.nucleus_last};
        } catch (const Error&) {
            // A record whose cylinders do not ascend: listed without them.
        }
        return;
    }
    if (item == Item::FbaGroup) {
        FbaGroupDecoder& g = fba_group();
        const uint32_t first = g.first_block(), last = first + g.count() - 1;
        if (s.fba_blocks > 0 && first <= s.cylinder_ranges.back().second)
            s.order_problems.add(place(), "FBA groups out of order: block " + std::to_string(first) +
                                                       " after block " + std::to_string(s.cylinder_ranges.back().second));
        s.fba = true;
        ++s.tracks;
        s.fba_blocks += g.count();
        s.bytes += g.image_length();
        s.max_blocks_per_track = std::max<uint64_t>(s.max_blocks_per_track, g.block_count());
        if (s.cylinder_ranges.empty() || first > s.cylinder_ranges.back().second + 1)
            s.cylinder_ranges.emplace_back(first, last);
        else
            s.cylinder_ranges.back().second = last;
        return;
    }
    if (item != Item::Track)
        return;
    DdrTrackDecoder& t = track();
    const ThrHeader& h = t.header();
    const TrackAddress a = t.output_address(eav_form());
    ++s.tracks;
    if (h.records == 0)
        ++s.empty_tracks;
    if (h.flags & kThrFlagSpecial)
        ++s.special_tracks;
    if (h.ha_flags() != 0)
        ++s.flagged_tracks;
    s.max_blocks_per_track = std::max<uint64_t>(s.max_blocks_per_track, h.block_count());
    // On a volume the track takes HA (5), R0 (8 + 8), the records and the end marker
    // (8): the logical image less its 32-byte THR part, plus 29.
    const uint64_t volume_bytes = t.image_length() - kThrFixedSize + 29;
    s.max_track_bytes = std::max(s.max_track_bytes, volume_bytes);
    s.bytes += t.image_length();
    if (s.last_track && !(*s.last_track < a))
        s.order_problems.add(place(), "tracks out of order: this one (cyl " + std::to_string(a.cyl) + " head " +
                                                   std::to_string(a.head) + ") comes after cyl " +
                                                   std::to_string(s.last_track->cyl) + " head " +
                                                   std::to_string(s.last_track->head) +
                                                   ": one of the two has a damaged home address");
    if (!s.first_track)
        s.first_track = a;
    s.last_track = a;
    if (s.cylinder_ranges.empty() || a.cyl > s.cylinder_ranges.back().second + 1)
        s.cylinder_ranges.emplace_back(a.cyl, a.cyl);
    else
        s.cylinder_ranges.back().second = std::max(s.cylinder_ranges.back().second, a.cyl);
}

namespace {
// The first reel of a dump that plainly is a continuation reel: its VHR and first track
// name a head other than 0.  A damaged first track is left for the restore to report.
void check_first_reel(DdrStreamReader& stream, const DdrVolumeHeader& vhr)
{
    if (fba_fields(vhr))
        return;
    try {
        if (stream.next() != DdrEvent::Track)
            return;
    } catch (const Error&) {
        return;
    }
    const TrackAddress first = stream.track().output_address(vhr.eav_form());
    if (starts_inside_cylinder(vhr, first))
        fail_first_reel_missing(stream.tape().name(), "it starts at cyl " + std::to_string(first.cyl) + " head " +
                                                          std::to_string(first.head) + ", inside a cylinder");
}
} // namespace

bool starts_inside_cylinder(const DdrVolumeHeader& vhr, TrackAddress first_track)
{
    const TrackAddress start = vhr.address();
    return !fba_fields(vhr) && start.head != 0 && first_track == start;
}

void fail_first_reel_missing(const std::string& tape, const std::string& why, const std::string& consequence)
{
    fail(ErrorKind::Reel, file_place(tape),
         "reel 1 of this dump is missing: this is a continuation reel (" + why +
             "); give every reel of the dump, from the first, in order" + (consequence.empty() ? "" : "; " + consequence));
}

void check_reel_order(const std::vector<std::string>& tapes, uint64_t file)
{
    std::optional<DdrVolumeHeader> first;
    std::optional<DdrVolumeHeader> previous;
    for (size_t i = 0; i < tapes.size(); ++i) {
        if (tapes[i] == "-" || !is_regular_file(tapes[i])) {
            if (tapes[i] != "-" && !file_status(tapes[i]).exists())
                (void)open_tape_reader(tapes[i]);  // fails, naming the file and the reason
            continue;
        }
        auto tape = open_tape_reader(tapes[i]);
        DdrStreamReader stream(*tape);
        if (i == 0 && file > 1)
            stream.skip_files(file - 1);
        DdrEvent e = stream.next();
        if (e == DdrEvent::FileEnd)
            e = stream.next();
        const Place where = file_place(tapes[i]).with_reel(unsigned(i + 1));
        if (e != DdrEvent::Header && i == 0)
            fail(ErrorKind::Unreadable, file_place(tapes[i]),
                 file == 1 ? std::string("no DDR dump on this tape") : "no dump " + std::to_string(file) + " on this tape");
        if (e != DdrEvent::Header)
            fail(ErrorKind::Reel, where, "this reel does not start with a DDR VHR");
        const DdrVolumeHeader h = stream.header();
        if (i > 0 && first && h.tod != first->tod)
            fail(ErrorKind::Reel, where,
                 "reel " + std::to_string(i + 1) + " belongs to another dump than reel 1 (its TOD is " + tod_text(h.tod) +
                     ", reel 1's " + tod_text(first->tod) + ")");
        if (previous && h.cchh() <= previous->cchh())
            fail(ErrorKind::Reel, where,
                 "reels out of order: reel " + std::to_string(i + 1) + " starts at cyl " + std::to_string(h.cc) +
                     " head " + std::to_string(h.hh) + ", not after the reel before it (cyl " +
                     std::to_string(previous->cc) + " head " + std::to_string(previous->hh) + ")");
        if (i == 0) {
            check_first_reel(stream, h);
            first = h;
        }
        previous = h;
    }
}

DumpSummary scan_dump(DumpReader& reader, DumpChecker* checker, const ScanProgress& progress)
{
    if (checker) {
        // The VHR was read by start_dump(), before the checker was attached.
        checker->reel_started(reader.reel_in_dump(), reader.vhr(), reader.place());
        reader.set_observer(checker);
    }
    try {
        for (DumpReader::Item item = reader.next(); item != DumpReader::Item::End; item = reader.next()) {
            if (!progress || item == DumpReader::Item::Nucleus)
                continue;
            const bool fba = item == DumpReader::Item::FbaGroup;
            progress({reader.reel() - 1, reader.reel_offset(), fba,
                      fba ? reader.fba_group().first_block() : reader.track().output_address(reader.eav_form()).cyl});
        }
    } catch (const Error& e) {
        reader.set_observer(nullptr);
        if (e.kind() == ErrorKind::Interrupted || e.kind() == ErrorKind::Internal)
            throw;
        DumpSummary s = reader.summary();
        s.problem = e;
        return s;
    }
    reader.set_observer(nullptr);
    DumpSummary s = reader.summary();
    s.problem = reader.cut_short();
    return s;
}

} // namespace ddr
