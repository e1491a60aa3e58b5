// Writing the checksum trailer of a dump (man/ddrtape.5 section 7): the reel writer's
// observer hashes every block as it goes to tape and ends each reel with the trailer.
#pragma once

#include "formats/ddrtape/reel_writer.hpp"
#include "formats/ddrtape/trailer.hpp"

namespace ddr {

class DumpChecksumWriter : public ReelObserver {
public:
    // `dump` holds the dump-level fields (TOD, device, geometry, extents, source, tool);
    // the reel-level ones are filled in here.  `carried` are trailer blocks of earlier
    // dumps on the tape, moved behind this dump's trailer (see ddr/dump.cpp).
    explicit DumpChecksumWriter(TrailerHeader dump, std::vector<Bytes> carried = {});

    void reel_started(unsigned reel, ByteSpan vhr) override;
    void nucleus_written(ByteSpan record) override;
    void group_written(std::span<const ByteSpan> blocks, size_t image_length, uint32_t source) override;
    void reel_ending(ByteSpan end_record, bool last, const std::function<void(ByteSpan)>& emit) override;
    uint64_t trailer_bytes_with_one_more_track() const override;

    // The reel hash of every reel ended so far, in order: what each trailer records.
    const std::vector<Hash128>& reel_hashes() const { return reel_hashes_; }

private:
    TrailerHeader dump_;
    std::vector<Hash128> reel_hashes_;
    std::vector<Bytes> carried_;
    uint64_t carried_bytes_ = 0;
    unsigned reel_ = 0;
    uint64_t units_before_reel_ = 0;
    ReelHasher reel_hash_;
    uint64_t vhr_hash_ = 0;
    uint64_t nucleus_hash_ = 0;
    UnitHashSpool units_;
};

// A --pure dump appended after one of ours writes no trailer of its own, but it must
// still carry the earlier dump's trailer behind its EOJ: IBM's DDR restoring several
// dumps in one run needs a tape mark right after every EOJ another dump follows, and the
// earlier dump keeps its checksums.  This observer only does that.
class MovedTrailerWriter : public ReelObserver {
public:
    explicit MovedTrailerWriter(std::vector<Bytes> carried);

    void reel_started(unsigned, ByteSpan) override {}
    void nucleus_written(ByteSpan) override {}
    void group_written(std::span<const ByteSpan>, size_t, uint32_t) override {}
    void reel_ending(ByteSpan end_record, bool last, const std::function<void(ByteSpan)>& emit) override;
    uint64_t trailer_bytes_with_one_more_track() const override { return carried_bytes_; }

private:
    std::vector<Bytes> carried_;
    uint64_t carried_bytes_ = 0;
};

} // namespace ddr
