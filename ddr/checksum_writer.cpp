#include "ddr/checksum_writer.hpp"

namespace ddr {

uint32_t cchh_value(TrackAddress address)
{
    auto cchh = encode_cchh(address);
    return load_be32(cchh.data());
}

DumpChecksumWriter::DumpChecksumWriter(TrailerHeader dump, std::vector<Bytes> carried)
    : dump_(std::move(dump)), carried_(std::move(carried))
{
    for (const Bytes& b : carried_)
        carried_bytes_ += 6 + b.size();
}

void DumpChecksumWriter::reel_started(unsigned reel, ByteSpan vhr)
{
    reel_ = reel;
    reel_chain_.reset();
    BlockDigest d = digest_block(vhr);
    reel_chain_.add(d);
    vhr_hash_ = d.hash;
    nucleus_hash_ = 0;
    units_.clear();
}

void DumpChecksumWriter::nucleus_written(ByteSpan record)
{
    BlockDigest d = digest_block(record);
    reel_chain_.add(d);
    nucleus_hash_ = d.hash;
}

void DumpChecksumWriter::track_written(const DdrTrackEncoder& track, TrackAddress source)
{
    group_chain_.reset();
    for (ByteSpan b : track.blocks()) {
        BlockDigest d = digest_block(b);
        reel_chain_.add(d);
        group_chain_.add(d);
    }
    units_.push({cchh_value(source), content_hash(track.image()), group_chain_.digest32()});
}

void DumpChecksumWriter::reel_ending(ByteSpan end_record, bool last, const std::function<void(ByteSpan)>& emit)
{
    BlockDigest end = digest_block(end_record);
    reel_chain_.add(end);
    TrailerHeader h = dump_;
    h.flags |= last ? kTrailerFlagLastReel : 0;
    h.reel = reel_;
    h.first_unit = units_before_reel_;
    h.reel_hash = reel_chain_.digest128();
    h.vhr_hash = vhr_hash_;
    h.end_hash = end.hash;
    h.nucleus_hash = nucleus_hash_;
    units_before_reel_ += units_.size();
    encode_trailer(h, units_, emit);
    if (last) {
        for (const Bytes& b : carried_)
            emit(b);
    }
}

uint64_t DumpChecksumWriter::trailer_bytes_with_one_more_track() const
{
    return trailer_tape_bytes(units_.size() + 1) + carried_bytes_;
}

} // namespace ddr
