// fuzz_track_image: the input is a track slot as a volume container hands it over
// (Hercules layout: HA, R0, records, end marker, then whatever the slot holds after).
//
// TrackImage::measure / assign_from_slot / records(), the VOL1 label search, the CCKD
// null-track recognition, and the DDR round trip a dump and a restore make of the
// track: DdrTrackEncoder -> blocks -> DdrTrackDecoder -> build must give back the track
// byte for byte.
#include "formats/volume/cckd/layout.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/volume/volume_label.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cstring>

using namespace ddr;

namespace {

void check_records(const TrackImage& t)
{
    std::vector<CkdRecord> recs;
    t.records(recs);
    fuzz::check(!recs.empty(), "a measured track has no records");
    fuzz::check(recs[0].record_number() == 0, "the first record of a measured track is not R0");
    const uint8_t* at = t.bytes.data() + kHomeAddressSize;
    for (const CkdRecord& r : recs) {
        fuzz::check(r.count == at, "records() skipped or overlapped bytes");
        fuzz::check(r.key.data() == at + kCountSize && r.key.size() == r.key_length(), "record key span is wrong");
        fuzz::check(r.data.data() == r.key.data() + r.key.size() && r.data.size() == r.data_length(),
                    "record data span is wrong");
        at = r.data.data() + r.data.size();
    }
    fuzz::check(at + kEndOfTrackSize == t.bytes.data() + t.size(), "records() do not end at the end marker");
}

// Dump, then restore: the track must come back exactly.
void ddr_round_trip(const TrackImage& t)
{
    std::vector<CkdRecord> recs;
    t.records(recs);
    if (t.bytes[0] != 0 || recs[0].key.size() + recs[0].data.size() > 8)
        return;  // not representable in DDR format; encode() says so
    const TrackAddress addr = t.home_address(false);
    DdrTrackEncoder enc;
    try {
        enc.encode(t, addr);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        return;
    }
    auto blocks = enc.blocks();
    fuzz::check(!blocks.empty(), "encoder produced no blocks");
    for (ByteSpan b : blocks)
        fuzz::check(b.size() >= kThrMinBlock && b.size() <= kDdrBlockSize, "encoder produced a block of bad length");
    fuzz::check(is_thr_block(blocks[0]), "encoder's first block is not a THR block");

    DdrTrackDecoder dec;
    dec.begin(blocks[0]);
    for (size_t i = 1; i < blocks.size(); ++i)
        dec.add(blocks[i]);
    fuzz::check(dec.complete(), "decoder not complete after all the encoder's blocks");
    TrackImage back;
    dec.build(back, dec.output_address(false), R0CountSource::Tape);
    fuzz::check(back.bytes == t.bytes, "DDR round trip changed the track");
}

void null_formats(const TrackImage& t)
{
    const TrackAddress addr = t.home_address(false);
    for (bool fmt2 : {false, true}) {
        if (auto fmt = cckd::null_format_of(t.bytes, addr, fmt2)) {
            Bytes expect;
            cckd::build_null_track(*fmt, addr, expect);
            fuzz::check(expect == t.bytes, "null_format_of() named a format the track is not");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ByteSpan slot(data, size);
    std::string why;
    const auto len = TrackImage::measure(slot, &why);
    TrackImage t;
    try {
        t.assign_from_slot(slot);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        fuzz::check(!len.has_value(), "assign_from_slot() refused a slot measure() accepts");
        return 0;
    }
    fuzz::check(len.has_value(), "assign_from_slot() accepted a slot measure() refuses");
    fuzz::check(*len <= size && t.size() == *len, "measured length outside the slot");
    fuzz::check(std::equal(t.bytes.begin(), t.bytes.end(), slot.begin()), "assign_from_slot() changed bytes");
    fuzz::check(TrackImage::measure(t.bytes) == len, "a measured track does not measure the same alone");

    check_records(t);
    (void)find_ckd_volume_label(t);
    null_formats(t);
    ddr_round_trip(t);
    return 0;
}
