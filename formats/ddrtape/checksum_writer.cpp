#include "formats/ddrtape/checksum_writer.hpp"

#include "formats/tape/aws_tape.hpp"

namespace ddr {

DumpChecksumWriter::DumpChecksumWriter(TrailerHeader dump, std::vector<Bytes> carried)
    : dump_(std::move(dump)), carried_(std::move(carried))
{
    for (const Bytes& b : carried_)
        carried_bytes_ += aws_block_bytes(b.size());
}

void DumpChecksumWriter::reel_started(unsigned reel, ByteSpan vhr)
{
    reel_ = reel;
    reel_hash_.reset();
    vhr_hash_ = hash64(vhr);
    reel_hash_.add_record(ReelHasher::kVhr, vhr_hash_);
    nucleus_hash_ = 0;
    units_.clear();
}

void DumpChecksumWriter::nucleus_written(ByteSpan record)
{
    nucleus_hash_ = hash64(record);
    reel_hash_.add_record(ReelHasher::kNucleus, nucleus_hash_);
}

void DumpChecksumWriter::group_written(std::span<const ByteSpan> blocks, size_t image_length, uint32_t source)
{
    GroupDigest g = digest_group(blocks, image_length);
    reel_hash_.add_group(g);
    units_.push({source, g.content, g.group});
}

void DumpChecksumWriter::reel_ending(ByteSpan end_record, bool last, const std::function<void(ByteSpan)>& emit)
{
    const uint64_t end_hash = hash64(end_record);
    reel_hash_.add_record(ReelHasher::kEnd, end_hash);
    TrailerHeader h = dump_;
    h.flags |= last ? kTrailerFlagLastReel : 0;
    h.reel = reel_;
    h.first_unit = units_before_reel_;
    h.reel_hash = reel_hash_.digest();
    reel_hashes_.push_back(h.reel_hash);
    h.vhr_hash = vhr_hash_;
    h.end_hash = end_hash;
    h.nucleus_hash = nucleus_hash_;
    units_before_reel_ += units_.size();
    encode_trailer(h, units_, emit);
    if (last) {
        for (const Bytes& b : carried_)
            emit(b);
    }
}

MovedTrailerWriter::MovedTrailerWriter(std::vector<Bytes> carried) : carried_(std::move(carried))
{
    for (const Bytes& b : carried_)
        carried_bytes_ += aws_block_bytes(b.size());
}

void MovedTrailerWriter::reel_ending(ByteSpan, bool last, const std::function<void(ByteSpan)>& emit)
{
    if (last)
        for (const Bytes& b : carried_)
            emit(b);
}

uint64_t DumpChecksumWriter::trailer_bytes_with_one_more_track() const
{
    return trailer_tape_bytes(units_.size() + 1) + carried_bytes_;
}

} // namespace ddr
