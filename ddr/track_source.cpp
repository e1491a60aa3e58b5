#include "ddr/track_source.hpp"

#include "formats/ddrtape/thr_group.hpp"
#include "formats/io/error.hpp"
#include "formats/io/interrupt.hpp"

#include <algorithm>
#include <vector>

namespace ddr {

namespace {

// The offset in `image` of its last record's count (R0's on an empty track).
size_t last_count_offset(const TrackImage& image)
{
    std::vector<CkdRecord> records;
    image.records(records);
    return records.empty() ? 0 : size_t(records.back().count - image.bytes.data());
}

} // namespace

void clear_overflow_flag(TrackImage& image)
{
    const size_t at = last_count_offset(image);
    if (at > 0 && carries_overflow_flag(image.bytes.data() + at, image.bytes.data()))
        image.bytes[at] &= uint8_t(~kHerculesOverflowBit);
}

bool VolumeTrackSource::next(TrackAddress from, TrackAddress to, SourceTrack& out)
{
    check_interrupted();
    const CkdVolumeInfo& info = volume_.info();
    if (from.head >= info.heads)
        from = {from.cyl + 1, 0};
    if (to < from || from.cyl >= info.cylinders)
        return false;
    volume_.read_track(from, out.image);
    clear_overflow_flag(out.image);
    out.address = from;
    out.eav_form = info.eav_form();
    out.ibm_digits = info.cylinders <= 1000;
    return true;
}

bool DumpTrackSource::read_group()
{
    for (;;) {
        switch (reader_.next()) {
        case DumpReader::Item::Track:
            held_ = reader_.track().output_address(reader_.eav_form());
            return true;
        case DumpReader::Item::Nucleus:
            continue;  // DUMP NUCLEUS's checkpoint record: not a track
        case DumpReader::Item::FbaGroup:
            fail(ErrorKind::Unreadable, reader_.place(), "an FBA group in a CKD dump");
        case DumpReader::Item::End:
            ended_ = true;
            return false;
        }
    }
}

bool DumpTrackSource::next(TrackAddress from, TrackAddress to, SourceTrack& out)
{
    for (;;) {
        if (!held_ && (ended_ || !read_group()))
            return false;
        if (*held_ < from) {
            held_.reset();
            continue;
        }
        if (to < *held_)
            return false;
        DdrTrackDecoder& group = reader_.track();
        try {
            group.build(out.image, *held_, R0CountSource::Tape);
        } catch (const Error& e) {
            throw e.within(reader_.place());
        }
        // The HA as the THR carries it, flag byte included; the count as the device gives it.
        std::copy(group.header().ha.begin(), group.header().ha.end(), out.image.bytes.begin());
        if ((group.header().flags & kThrFlagSpecial) && group.header().records > 0)
            out.image.bytes[last_count_offset(out.image)] &= uint8_t(~kHerculesOverflowBit);
        out.address = *held_;
        out.eav_form = reader_.eav_form();
        out.ibm_digits = uint32_t(reader_.vhr().cyla) + 1 <= 1000;
        held_.reset();
        return true;
    }
}

} // namespace ddr
