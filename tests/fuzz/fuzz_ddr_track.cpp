// fuzz_ddr_track: DdrTrackDecoder and DdrVolumeHeader driven directly.
//
// Input: a sequence of operations, each one op byte then its operands:
//   op % 5 == 0  begin   u16 length, bytes
//   op % 5 == 1  add     u16 length, bytes  (length X'FFFF': next_block_length() bytes)
//   op % 5 == 2  validate
//   op % 5 == 3  build   u8 flags (bit 0: R0 count from the target, bit 1: EAV form,
//                        bit 2: also check the round trip), 4 bytes target CCHH
//   op % 5 == 4  header  80 bytes: DdrVolumeHeader::kind_of / decode / encode
//
// The decoder is used the way DdrStreamReader uses it: after a begin() that throws, the
// group is abandoned until the next successful begin(); add() only while the group is
// incomplete, validate()/build() only once it is complete.  (A caller that breaks this
// gets Error(Internal) by design, so the harness does not.)
//
// The round trip builds the track at the address its THR names, encodes it again and
// must get back the same logical image, unless the group holds something a TrackImage
// cannot carry (see representable()).
//
// An input ends after kMaxRejections operations have thrown: each rejection is an
// exception, which under ASan costs tens of microseconds (the stack unpoisoned, the
// unwinder's tables searched), and inputs of a few thousand rejected begin()s ran at
// 260 a second instead of 1,900.  A rejection reached once is reached no better the
// sixty-fifth time.
#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cstring>

using namespace ddr;

namespace {

constexpr int kMaxRejections = 64;

// True if re-encoding the built track must reproduce the decoder's image exactly: the
// HA flag byte and THR flag bits other than SPECIAL are not carried by a TrackImage,
// and the Hercules overflow bit can only be told from a real cylinder bit when the
// rule in carries_overflow_flag() holds.
bool representable(const DdrTrackDecoder& d)
{
    const ThrHeader& h = d.header();
    if (h.ha[0] != 0 || (h.flags & ~kThrFlagSpecial) != 0)
        return false;
    // R0 key and data are at most 8 bytes; the rest of the 8-byte field is not kept.
    const Bytes image = d.image_copy();
    const uint8_t* r0 = image.data() + 16;
    const size_t r0_used = size_t(r0[5]) + load_be16(r0 + 6);
    if (r0_used > 8 || !std::all_of(r0 + 8 + r0_used, r0 + 16, [](uint8_t b) { return b == 0; }))
        return false;
    if (h.records == 0)
        return (h.flags & kThrFlagSpecial) == 0;
    const uint8_t* last = image.data() + kThrFixedSize + 8 * (size_t(h.records) - 1);
    const uint16_t track_cc = load_be16(h.ha.data() + 1);
    const uint16_t count_cc = uint16_t(load_be16(last) | ((h.flags & kThrFlagSpecial) ? 0x8000 : 0));
    const bool flag_readable = (count_cc & 0x8000) && track_cc < 0x8000 && (count_cc & 0x7FFF) == track_cc;
    if (h.flags & kThrFlagSpecial)
        return flag_readable && (load_be16(last) & 0x8000) == 0;
    return !flag_readable;
}

void round_trip(DdrTrackDecoder& d)
{
    if (!representable(d))
        return;
    const TrackAddress target = d.output_address(false);
    TrackImage built;
    d.build(built, target, R0CountSource::Tape);
    std::string why;
    auto len = TrackImage::measure(built.bytes, &why);
    // A THR group may describe a track no volume could hold (e.g. a count of eight X'FF'
    // in the middle); such a track is refused when it is written, not here.
    if (!len || *len != built.size())
        return;
    DdrTrackEncoder enc;
    enc.encode(built, target);
    const Bytes decoded = d.image_copy();
    fuzz::check(enc.image().size() == decoded.size(), "re-encoded THR image has another length");
    fuzz::check(std::equal(enc.image().begin(), enc.image().end(), decoded.begin()),
                "re-encoded THR image differs from the one decoded");
    fuzz::check(enc.header().full_blocks == d.header().full_blocks &&
                    enc.header().last_length == d.header().last_length,
                "re-encoded THR group has another block layout");
}

void header_op(ByteSpan b)
{
    auto kind = DdrVolumeHeader::kind_of(b);
    try {
        DdrVolumeHeader h = DdrVolumeHeader::decode(b);
        fuzz::check(kind.has_value() && *kind == h.kind, "decode() accepted a block kind_of() rejects");
        const auto again = h.encode();
        fuzz::check(b.size() == again.size() && std::equal(again.begin(), again.end(), b.begin()),
                    "a decoded DDR header does not re-encode to the same 80 bytes");
        (void)format_tod_utc(h.tod);
        (void)unix_micros_from_tod(h.tod);
        (void)h.as(DdrHeaderKind::Eoj, h.cc, h.hh).encode();
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        fuzz::check(!kind.has_value(), "decode() rejected a block kind_of() accepts");
    }
    (void)is_nucleus_record(b);
    (void)is_thr_block(b);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::Cursor in(data, size);
    DdrTrackDecoder d;
    TrackImage built;
    bool started = false;
    int ops = 0;
    int rejections = 0;
    while (!in.empty() && ops++ < 4096 && rejections < kMaxRejections) {
        const uint8_t op = in.u8() % 5;
        try {
            switch (op) {
            case 0: {
                const uint16_t len = in.be16();
                ByteSpan b = in.take(len);
                started = false;
                d.begin(b);
                started = true;
                fuzz::check(d.blocks_received() == 1, "begin() did not count its block");
                break;
            }
            case 1: {
                uint16_t len = in.be16();
                if (!started || d.complete())
                    break;
                ByteSpan b = in.take(len == 0xFFFF ? d.next_block_length() : len);
                d.add(b);
                break;
            }
            case 2:
                if (started && d.complete()) {
                    d.validate();
                    fuzz::check(d.image_length() >= kThrFixedSize, "validated image shorter than the THR fields");
                }
                break;
            case 3: {
                const uint8_t flags = in.u8();
                ByteSpan cchh = in.take(4);
                if (!started || !d.complete() || cchh.size() < 4)
                    break;
                const TrackAddress target = decode_cchh(cchh.data(), (flags & 2) != 0);
                d.build(built, target, (flags & 1) ? R0CountSource::TargetCchh : R0CountSource::Tape);
                if (flags & 4)
                    round_trip(d);
                break;
            }
            case 4:
                header_op(in.take(kDdrHeaderSize));
                break;
            }
        } catch (const Error& e) {
            fuzz::expect_input_error(e);
            ++rejections;
        }
    }
    return 0;
}
