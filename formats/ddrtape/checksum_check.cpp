#include "formats/ddrtape/checksum_check.hpp"

#include "formats/ddrtape/fbg_group.hpp"
#include "formats/io/error.hpp"
#include "formats/io/wording.hpp"

namespace ddr {

namespace {
// True if `block` is a trailer block whose own checksum matches.
bool proves_itself(ByteSpan block)
{
    try {
        if (is_trailer_header(block))
            (void)decode_trailer_header(block);
        else
            (void)decode_trailer_sum(block);
        return true;
    } catch (const Error&) {
        return false;
    }
}

std::string hex32(uint32_t v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08X", v);
    return buf;
}
} // namespace

void DumpChecker::add(const Place& where, const std::string& what, bool counts_as_unit)
{
    if (counts_as_unit)
        ++bad_units_;
    for (const auto& r : reels_)
        if (where.reel == r->tape_reel && where.file == r->file)
            ++r->findings;
    if (on_finding)
        on_finding(ChecksumFinding{where, what});
    findings_.add(where, what);
}

TrackAddress DumpChecker::address_of(uint32_t cchh) const
{
    return ddr::address_of(cchh, eav_form_);
}

UnitGeometry DumpChecker::geometry() const
{
    return {fba_ ? UnitKind::BlockGroup : UnitKind::Track, 0, eav_form_};
}

void DumpChecker::set_dump_header(const TrailerHeader& h)
{
    dump_header_ = h;
    std::vector<Extent> extents;
    for (const TrailerExtent& e : h.extents)
        extents.push_back({e.first, e.last, e.output_first});
    extent_map_ = ExtentMap(std::move(extents), geometry());
}

Place DumpChecker::unit_place(const Reel& reel, const ReadUnit& u) const
{
    if (fba_)
        return file_place(reel.file).with_reel(reel.tape_reel).with_block(u.block, u.offset).with_fba_block(u.output_cchh);
    TrackAddress a = address_of(u.output_cchh);
    return file_place(reel.file).with_reel(reel.tape_reel).with_block(u.block, u.offset).with_track(a.cyl, a.head);
}

void DumpChecker::reel_started(unsigned reel, const DdrVolumeHeader& vhr, const Place& where)
{
    finish_trailer();
    if (reels_.empty()) {
        tod_ = vhr.tod;
        first_vhr_ = vhr;
        eav_form_ = vhr.eav_form();
        fba_ = fba_fields(vhr).has_value();
    }
    auto r = std::make_unique<Reel>();
    r->number = reel;
    r->tape_reel = where.reel.value_or(reel);
    r->file = where.file;
    r->vhr_place = where;
    r->vhr_hash = hash64(vhr.encode());
    r->chain.add_record(ReelHasher::kVhr, r->vhr_hash);
    reels_.push_back(std::move(r));
}

void DumpChecker::nucleus_read(ByteSpan record, const Place& where)
{
    Reel& r = *reels_.back();
    r.nucleus_hash = hash64(record);
    r.chain.add_record(ReelHasher::kNucleus, r.nucleus_hash);
    r.nucleus_place = where;
}

void DumpChecker::track_read(DdrTrackDecoder& track, const Place& where)
{
    unit_read(track.blocks(), track.image_length(), 0, where);
}

void DumpChecker::fba_group_read(FbaGroupDecoder& group, const Place& where)
{
    unit_read(group.blocks(), group.image_length(), group.count(), where);
}

void DumpChecker::unit_read(std::span<const ByteSpan> blocks, size_t image_length, uint32_t count, const Place& where)
{
    Reel& r = *reels_.back();
    GroupDigest g = digest_group(blocks, image_length);
    if (units_total_ == 0 && !fba_ && starts_inside_cylinder(first_vhr_, address_of(g.cchh))) {
        starts_inside_ = address_of(g.cchh);
        require_first_reel();
    }
    r.chain.add_group(g);
    ReadUnit u;
    u.output_cchh = g.cchh;
    u.count = count;
    u.group = g.group;
    u.content = g.content;
    u.block = where.block.value_or(0);
    u.offset = where.offset.value_or(0);
    r.units->push(u);
    ++units_total_;
}

void DumpChecker::end_read(const DdrVolumeHeader& end, const Place& where)
{
    Reel& r = *reels_.back();
    r.end_hash = hash64(end.encode());
    r.chain.add_record(ReelHasher::kEnd, r.end_hash);
    r.end_place = where;
    r.last = end.kind == DdrHeaderKind::Eoj;
}

void DumpChecker::trailer_block(ByteSpan block, const Place& where)
{
    feed(block, where, false);
}

void DumpChecker::relocated_trailer_block(ByteSpan block, const Place& where, bool placed)
{
    // Another dump's trailer blocks, damaged or not, are that dump's to report.
    if ((!is_trailer_header(block) && !is_trailer_sum(block)) || trailer_block_tod(block) != tod_)
        return;
    if (!placed && !proves_itself(block))
        return;
    feed(block, where, true);
}

void DumpChecker::require_first_reel() const
{
    if (reels_.empty())
        return;
    const Reel& first = *reels_.front();
    const std::string done = done_so_far ? done_so_far() : std::string();
    if (starts_inside_)
        fail_first_reel_missing(first.file,
                                "it starts at cyl " + std::to_string(starts_inside_->cyl) + " head " +
                                    std::to_string(starts_inside_->head) + ", inside a cylinder",
                                done);
    if (first_reels_missing_ > 0)
        fail_first_reel_missing(first.file,
                                "its checksum trailer says it is reel " + std::to_string(first_reels_missing_ + 1) +
                                    " of the dump",
                                done);
}

bool DumpChecker::last_reel_checked() const
{
    return !reels_.empty() && reels_.back()->checked;
}

void DumpChecker::feed(ByteSpan block, const Place& where, bool relocated)
{
    const bool header = is_trailer_header(block), sum = is_trailer_sum(block);
    if (!header && !sum) {
        add(where, std::string(article_before(block.size())) + " " + std::to_string(block.size()) + "-byte block after the " +
                       (reels_.back()->last ? std::string("EOJ") : std::string("EOV")) + " is not a ddr trailer block",
            false);
        if (cursor_)
            cursor_->broken = true;
        return;
    }
    // Route by TOD only blocks that prove themselves intact; a damaged block is ours to report.
    if (!relocated && trailer_block_tod(block) != tod_ && proves_itself(block)) {
        // Trailers moved here from earlier dumps: a few per dump in practice.  A tape
        // claiming more than 256 MiB of them is not one ddr wrote; stop keeping them.
        constexpr uint64_t kMaxForeignBytes = uint64_t(256) << 20;
        if (foreign_bytes_ + block.size() <= kMaxForeignBytes) {
            foreign_bytes_ += block.size();
            foreign_.push_back({Bytes(block.begin(), block.end()), where});
        }
        return;
    }
    if (header)
        start_trailer(block, where);
    else
        compare_sums(block, where);
}

// The reel a trailer header is for: the one of its number, unless another reel read has
// the VHR the trailer describes -- then the reels given start later in the dump than its
// reel 1, by as many reels as the numbers differ.
DumpChecker::Reel* DumpChecker::reel_for(const TrailerHeader& h)
{
    Reel* by_number = nullptr;
    Reel* by_vhr = nullptr;
    for (auto& r : reels_) {
        if (dump_reel(*r) == h.reel)
            by_number = r.get();
        if (r->vhr_hash == h.vhr_hash && !by_vhr)
            by_vhr = r.get();
    }
    if (by_vhr && by_vhr != by_number && first_reels_missing_ == 0 && h.reel > by_vhr->number) {
        first_reels_missing_ = h.reel - by_vhr->number;
        return by_vhr;
    }
    return by_number;
}

void DumpChecker::start_trailer(ByteSpan block, const Place& where)
{
    finish_trailer();
    TrailerHeader h;
    try {
        h = decode_trailer_header(block);
    } catch (const Error& e) {
        add(where, e.detail(), false);
        return;
    }
    Reel* reel = reel_for(h);
    if (!reel) {
        add(where, "the trailer is for reel " + std::to_string(h.reel) + ", which this dump has not shown", false);
        return;
    }
    if (reel->checked) {
        add(where, "a second trailer for reel " + std::to_string(h.reel), false);
        return;
    }
    const std::string reel_name = "reel " + std::to_string(h.reel);
    if (!dump_header_)
        set_dump_header(h);
    cursor_ = TrailerCursor{h, reel, 0, 0, std::make_unique<Spool<ReadUnit>::Reader>(*reel->units), false};
    ++reels_with_trailer_;
    if (h.vhr_hash != reel->vhr_hash)
        add(reel->vhr_place, "the VHR of " + reel_name + " is damaged (it does not match its checksum)", false);
    if (h.end_hash != reel->end_hash)
        add(reel->end_place, std::string("the ") + (reel->last ? "EOJ" : "EOV") + " record of " + reel_name +
                                 " is damaged (it does not match its checksum)",
            false);
    if (h.nucleus_hash != reel->nucleus_hash)
        add(reel->nucleus_place.block ? reel->nucleus_place : reel->vhr_place,
            "the NUCLEUS checkpoint record is damaged or missing (it does not match its checksum)", false);
    if (h.last_reel() != reel->last)
        add(where, "the trailer says " + reel_name + (h.last_reel() ? " ends the dump" : " does not end the dump") +
                       " but the reel ends with " + (reel->last ? "EOJ" : "EOV"),
            false);
    if (h.units != reel->units->size())
        add(where, reel_name + " holds " + counted(reel->units->size(), fba_ ? "block group" : "track") +
                       " but its trailer lists " + std::to_string(h.units),
            false);
}

void DumpChecker::compare_sums(ByteSpan block, const Place& where)
{
    if (!cursor_) {
        add(where, "a trailer hash block with no trailer header before it", false);
        return;
    }
    TrailerCursor& c = *cursor_;
    Reel& reel = *c.reel;
    const uint64_t expected_entries =
        std::min<uint64_t>(kTrailerEntriesPerBlock, c.header.units - std::min(c.header.units, uint64_t(c.next_seq) * kTrailerEntriesPerBlock));
    TrailerSum s;
    try {
        s = decode_trailer_sum(block);
    } catch (const Error& e) {
        add(where, "trailer hash block " + std::to_string(c.next_seq + 1) + " of reel " + std::to_string(c.header.reel) +
                       " is damaged (" + e.detail() + "); the tracks it lists cannot be checked",
            false);
        ReadUnit skip;
        for (uint64_t i = 0; i < expected_entries && c.reader->next(skip); ++i)
            ++c.compared;
        ++c.next_seq;
        return;
    }
    if (s.reel != c.header.reel || s.seq != c.next_seq) {
        add(where, "trailer hash block out of order (reel " + std::to_string(s.reel) + " block " + std::to_string(s.seq + 1) +
                       ", expected reel " + std::to_string(c.header.reel) + " block " + std::to_string(c.next_seq + 1) + ")",
            false);
        c.broken = true;
        return;
    }
    ++c.next_seq;
    for (const UnitHash& want : s.entries) {
        ReadUnit got;
        if (!c.reader->next(got)) {
            add(where, std::string("the trailer lists more ") + (fba_ ? "block groups" : "tracks") + " than reel " +
                           std::to_string(c.header.reel) + " holds",
                false);
            return;
        }
        ++c.compared;
        const uint32_t want_output = extent_map_.output_of(want.address);
        if (want_output == got.output_cchh && want.group == got.group && want.content == got.content) {
            ++units_checked_;
            continue;
        }
        Place place = unit_place(reel, got);  // only for a finding: a Place costs copies of its file name
        if (want_output != got.output_cchh && fba_) {
            place.fba_block = want_output;
            add(place, "the group's block number says " + std::to_string(got.output_cchh) +
                           "; the trailer says this is the group dumped from block " + std::to_string(want.address),
                true);
        } else if (want_output != got.output_cchh) {
            TrackAddress w = address_of(want.address), g = address_of(got.output_cchh);
            TrackAddress wo = address_of(want_output);
            place.cyl = wo.cyl;
            place.head = wo.head;
            add(place, "the track's home address says cyl " + std::to_string(g.cyl) + " head " + std::to_string(g.head) +
                           "; the trailer says this is the track dumped from cyl " + std::to_string(w.cyl) + " head " +
                           std::to_string(w.head) + " (X'" + hex32(want.address) + "')",
                true);
        } else {
            const char* unit = fba_ ? "block group" : "track";
            add(place, want.content != got.content ? std::string(unit) + " damaged: its contents do not match the checksum"
                                                   : std::string(unit) + " damaged: its tape blocks do not match the checksum (a pad byte or block)",
                true);
        }
    }
}

void DumpChecker::finish_trailer()
{
    if (!cursor_)
        return;
    TrailerCursor& c = *cursor_;
    Reel& reel = *c.reel;
    const uint64_t findings_before = findings_.total();
    if (!c.broken && c.compared < c.header.units && c.compared < reel.units->size())
        add(reel.end_place, "the trailer of reel " + std::to_string(c.header.reel) + " stops after " +
                                std::to_string(c.compared) + " of its " + std::to_string(c.header.units) +
                                (fba_ ? " block group" : " track") + " checksums (the tape is cut short?)",
            false);
    if (reel.findings == 0 && findings_.total() == findings_before && c.header.reel_hash != reel.chain.digest())
        add(file_place(reel.file).with_reel(reel.tape_reel),
            "the reel's blocks do not match the reel checksum, though every track and header does", false);
    reel.checked = true;
    reel.trailer_hash = c.header.reel_hash;
    cursor_.reset();
}

// A reel without its tape mark is a cut tape, which the reader reports (DumpReader::cut_short).
void DumpChecker::reel_closed(bool /*tape_mark*/, const Place& /*where*/)
{
    finish_trailer();
    require_first_reel();
}

std::vector<DumpChecker::ReelCheck> DumpChecker::reel_checks() const
{
    std::vector<ReelCheck> out;
    for (const auto& r : reels_) {
        out.push_back({r->number, r->file, r->units->size(), r->last, r->checked, r->checked && r->findings == 0,
                       r->trailer_hash});
    }
    return out;
}

bool DumpChecker::all_reels_checked() const
{
    return reels_unchecked() == 0;
}

unsigned DumpChecker::reels_unchecked() const
{
    unsigned n = 0;
    for (const auto& r : reels_)
        n += r->checked ? 0 : 1;
    return n;
}

std::vector<Error> read_moved_trailer(DumpReader& reader, DumpChecker& checker)
{
    std::vector<Error> unreadable = reader.read_rest_of_reel([&](ByteSpan block, const Place& where, bool placed) {
        checker.relocated_trailer_block(block, where, placed);
    });
    checker.finish_relocated();
    return unreadable;
}

} // namespace ddr
