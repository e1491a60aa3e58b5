// Checking a dump against its checksum trailer as it is read (man/ddrtape.5 section 7).
// The checker watches a DumpReader (it is a DumpObserver), recomputes every digest the
// writer made, and compares them with the trailer of each reel: the reel's own trailer
// (after its EOV/EOJ) or one moved further down the tape by a later --append.
#pragma once

#include "formats/ddrtape/dump_reader.hpp"
#include "formats/ddrtape/trailer.hpp"
#include "formats/ddrtape/units.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

class DumpChecker : public DumpObserver {
public:
    DumpChecker() = default;

    void reel_started(unsigned reel, const DdrVolumeHeader& vhr, const Place& where) override;
    void nucleus_read(ByteSpan record, const Place& where) override;
    void track_read(DdrTrackDecoder& track, const Place& where) override;
    void fba_group_read(FbaGroupDecoder& group, const Place& where) override;
    void end_read(const DdrVolumeHeader& end, const Place& where) override;
    void trailer_block(ByteSpan block, const Place& where) override;
    void reel_closed(bool tape_mark, const Place& where) override;

    // A block found further down the tape after another dump's EOJ or EOV (`placed`), or
    // inside a file that could not be read: taken if it is a trailer block of this dump
    // (its TOD), from an unreadable file only if it proves itself intact.  Then
    // finish_relocated() after the last of them.
    void relocated_trailer_block(ByteSpan block, const Place& where, bool placed = true);
    void finish_relocated() { finish_trailer(); }

    // Error(Reel) if the reels read do not start with the dump's first: the first starts
    // inside a cylinder, or a trailer says it is reel 2 or later.
    void require_first_reel() const;
    // True once the reel that ends the dump (EOJ) was checked against its trailer.
    bool last_reel_checked() const;

    // Every track read, reel by reel, in tape order (after the dump was read).
    template <typename F>
    void for_each_unit(F&& fn)
    {
        for (auto& r : reels_)
            r->units->for_each([&](const ReadUnit& u) { fn(unit_place(*r, u), u); });
    }
    // The source address of a track written at `output_cchh` (the trailer's extents).
    uint32_t source_of(uint32_t output_cchh) const { return extent_map().source_of(output_cchh); }
    // How the dump's units are addressed, and its extents as the trailer gives them (none
    // before a trailer was read).
    UnitGeometry geometry() const;
    const ExtentMap& extent_map() const { return extent_map_; }
    bool eav_form() const { return eav_form_; }
    bool fba() const { return fba_; }

    uint64_t tod() const { return tod_; }
    // Trailer blocks that belong to other dumps (moved here by --append): the caller
    // routes them by TOD.
    struct Foreign {
        Bytes block;
        Place place;
    };
    std::vector<Foreign>& foreign_blocks() { return foreign_; }

    // After the dump was read to its end:
    bool has_checksums() const { return reels_with_trailer_ > 0; }
    bool all_reels_checked() const;
    unsigned reels() const { return unsigned(reels_.size()); }
    unsigned reels_unchecked() const;
    uint64_t units() const { return units_total_; }
    uint64_t units_checked() const { return units_checked_; }
    uint64_t bad_units() const { return bad_units_; }
    // What was found wrong: all counted, the first Findings::kKept kept.
    const Findings& findings() const { return findings_; }
    // One reel of the dump as read, for reports: its hash as the trailer recorded it (if
    // a trailer was read for it) and whether anything was found wrong on it.
    struct ReelCheck {
        unsigned number = 0;                 // among the reels read of this dump, from 1
        std::string file;
        uint64_t units = 0;                  // tracks or groups read from it
        bool last = false;                   // it ends the dump (EOJ)
        bool checked = false;                // against its trailer
        bool intact = false;                 // checked, and nothing found wrong on it
        std::optional<Hash128> trailer_hash; // the reel hash its trailer records
    };
    std::vector<ReelCheck> reel_checks() const;
    // The trailer header of the first reel, if one was read (device, geometry, source...).
    const std::optional<TrailerHeader>& dump_header() const { return dump_header_; }
    // Called back for each damaged track as it is found (restore --continue lists them).
    std::function<void(const ChecksumFinding&)> on_finding;
    // What the caller has done with the reels read so far, added to the error of
    // require_first_reel() (a restore onto an existing target says what it wrote).
    std::function<std::string()> done_so_far;

    // A unit of the dump as read: where it is and what it hashed to.
    struct ReadUnit {
        uint32_t output_cchh = 0;   // FBA: the group's first (output) block
        uint32_t count = 0;         // FBA: blocks in the group
        uint32_t group = 0;
        uint64_t content = 0;
        uint64_t block = 0;
        uint64_t offset = 0;
    };

private:
    void set_dump_header(const TrailerHeader& h);
    struct Reel {
        unsigned number = 0;     // among the reels read of this dump, from 1
        unsigned tape_reel = 0;  // among the TAPE arguments, for places
        std::string file;
        Place vhr_place, end_place, nucleus_place;
        ReelHasher chain;
        uint64_t vhr_hash = 0;
        uint64_t end_hash = 0;
        uint64_t nucleus_hash = 0;
        bool last = false;
        std::unique_ptr<Spool<ReadUnit>> units = std::make_unique<Spool<ReadUnit>>();
        bool checked = false;
        std::optional<Hash128> trailer_hash;
        uint64_t findings = 0;  // found wrong on this reel (counted even past the kept ones)
    };
    // State of a trailer being read: its header, and where its hash list has got to.
    struct TrailerCursor {
        TrailerHeader header;
        Reel* reel = nullptr;
        uint32_t next_seq = 0;
        uint64_t compared = 0;
        std::unique_ptr<Spool<ReadUnit>::Reader> reader;
        bool broken = false;  // a damaged block: the rest of this trailer cannot be trusted
    };

    void feed(ByteSpan block, const Place& where, bool relocated);
    void start_trailer(ByteSpan block, const Place& where);
    Reel* reel_for(const TrailerHeader& header);
    unsigned dump_reel(const Reel& reel) const { return reel.number + first_reels_missing_; }
    void compare_sums(ByteSpan block, const Place& where);
    void finish_trailer();
    void add(const Place& where, const std::string& what, bool counts_as_unit);
    void unit_read(std::span<const ByteSpan> blocks, size_t image_length, uint32_t count, const Place& where);
    TrackAddress address_of(uint32_t cchh) const;  // in this dump's CCHH form
    Place unit_place(const Reel& reel, const ReadUnit& u) const;

    uint64_t tod_ = 0;
    DdrVolumeHeader first_vhr_;
    bool eav_form_ = false;
    bool fba_ = false;
    std::vector<std::unique_ptr<Reel>> reels_;
    std::optional<TrailerCursor> cursor_;
    std::optional<TrailerHeader> dump_header_;
    ExtentMap extent_map_;  // the extents of dump_header_
    std::vector<Foreign> foreign_;
    Findings findings_;
    uint64_t foreign_bytes_ = 0;
    unsigned reels_with_trailer_ = 0;
    uint64_t units_total_ = 0;
    uint64_t units_checked_ = 0;
    uint64_t bad_units_ = 0;
    // Reels of the dump before the first one read, as a trailer tells by its reel number.
    unsigned first_reels_missing_ = 0;
    // The first reel read starts inside a cylinder (a continuation reel, whatever its trailer).
    std::optional<TrackAddress> starts_inside_;
};

// After `reader` read a dump to its End with `checker` watching, when the reel that ends
// it had no trailer after its EOJ (a later --append moved it behind its own dump): reads
// on along that reel to the end of the recorded tape and gives the checker the blocks
// there that are this dump's, then finishes their checks.  Returns why parts of the tape
// there could not be read (DumpReader::read_rest_of_reel).
std::vector<Error> read_moved_trailer(DumpReader& reader, DumpChecker& checker);

} // namespace ddr
