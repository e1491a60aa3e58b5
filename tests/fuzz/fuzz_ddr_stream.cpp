// fuzz_ddr_stream: a DDR tape read as ddr list/restore read it.
//
// Input: one option byte, then blocks in the framing of fuzz_support.hpp (u16 length +
// bytes, X'FFFF' = tape mark).  The blocks become an AWS tape in memory, read by the
// HET/AWS reader open_tape_reader returns (with a 64 kB input buffer rather than 1 MB,
// for speed); DdrStreamReader::next() runs to the end or a ddr::Error, and every Track
// event is built into a TrackImage, as a restore does.
//
// Option byte: bits 0-1 = files to skip first (IBM's SKIP), bit 2 = R0 count from the
// target CCHH instead of the tape.
#include "ddr/device_choice.hpp"
#include "formats/ddrtape/stream.hpp"
#include "formats/tape/het_tape.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ddr;

namespace {

void check_event(DdrStreamReader& stream, DdrEvent e, bool r0_target, TrackImage& track)
{
    switch (e) {
    case DdrEvent::Header:
    case DdrEvent::EndOfVolume:
    case DdrEvent::EndOfJob: {
        // A header re-encodes to the 80 bytes it was read from.
        const auto bytes = stream.header().encode();
        const DdrVolumeHeader again = DdrVolumeHeader::decode(bytes);
        fuzz::check(again.encode() == bytes, "a decoded DDR header does not re-encode to itself");
        (void)format_tod_utc(stream.header().tod);
        // What restore and list make of the header's geometry fields.
        (void)devices_fitting(stream.header());
        try {
            std::string how;
            (void)device_for_dump(stream.header(), std::nullopt, &how);
        } catch (const Error& err) {
            fuzz::expect_input_error(err);
        }
        break;
    }
    case DdrEvent::Nucleus:
        fuzz::check(stream.block().size() == kNucleusRecordSize, "nucleus record of the wrong size");
        break;
    case DdrEvent::Extension:
        (void)stream.block();
        break;
    case DdrEvent::Track: {
        DdrTrackDecoder& d = stream.track();
        fuzz::check(d.complete(), "Track event with an incomplete THR group");
        const bool eav = stream.header().mtck < 15;
        const TrackAddress target = d.output_address(eav);
        // A restore writes the track where the tape says (or REORDERed elsewhere).
        d.build(track, target, r0_target ? R0CountSource::TargetCchh : R0CountSource::Tape);
        fuzz::check(track.size() >= kHomeAddressSize + kCountSize + kEndOfTrackSize, "built track too short");
        fuzz::check(track.size() == d.image_length() - kThrFixedSize + kEmptyTrackSize - 8 +
                                        (track.bytes[kHomeAddressSize + 5] + load_be16(&track.bytes[kHomeAddressSize + 6])),
                    "built track length does not follow from the logical image");
        (void)d.header().block_count();
        break;
    }
    case DdrEvent::FbaGroup: {
        FbaGroupDecoder& g = stream.fba_group();
        fuzz::check(g.complete(), "FbaGroup event with an incomplete group");
        fuzz::check(g.count() >= 1 && g.count() <= kFbaGroupBlocks, "FBA group of an impossible size");
        Bytes data(size_t(g.count()) * 512);
        g.copy_data(data);
        break;
    }
    case DdrEvent::FileEnd:
    case DdrEvent::EndOfData:
        break;
    }
    (void)stream.place().str();
    (void)stream.file_number();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static fuzz::MemoryFile file("fuzz-ddr-stream");
    fuzz::Cursor in(data, size);
    const uint8_t options = in.u8();
    fuzz::FramedTape tape = fuzz::frame_to_aws(in, 1);
    file.assign(tape.reels.front());

    TrackImage track;
    try {
        HetTapeReader reader(tapeio::BufferedInput(file.path(), tapeio::open_for_reading(file.path()), 65536));
        DdrStreamReader stream(reader);
        if (options & 3)
            stream.skip_files(options & 3);
        for (;;) {
            const DdrEvent e = stream.next();
            check_event(stream, e, (options & 4) != 0, track);
            if (e == DdrEvent::EndOfData)
                break;
        }
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    return 0;
}
