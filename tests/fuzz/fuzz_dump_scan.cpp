// fuzz_dump_scan: the program's own reading loop over one or more reels (ddr/
// DumpReader and scan_dump, what `ddr list` and the first pass of a restore run),
// including EOV and the switch to the next reel.
//
// Input: one option byte (bits 0-1: files to skip), then blocks in the framing of
// fuzz_support.hpp; X'FFFE' starts the next reel (at most 3).
#include "formats/ddrtape/dump_reader.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ddr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static fuzz::ScratchDir dir;
    fuzz::Cursor in(data, size);
    const uint8_t options = in.u8();
    fuzz::FramedTape tape = fuzz::frame_to_aws(in, 3);
    std::vector<std::string> reels;
    for (size_t i = 0; i < tape.reels.size(); ++i) {
        const std::string name = "reel" + std::to_string(i + 1) + ".aws";
        dir.write(name, tape.reels[i]);
        reels.push_back(dir.path(name));
    }

    try {
        check_reel_order(reels, 1 + (options & 3));
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    try {
        DumpReader reader(reels);
        reader.skip_files(options & 3);
        for (int dumps = 0; dumps < 64 && reader.start_dump(); ++dumps) {
            DumpSummary s = scan_dump(reader);
            if (s.problem) {
                fuzz::expect_input_error(*s.problem);
                break;
            }
            fuzz::check(s.ended, "scan_dump() returned neither an end nor a problem");
        }
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    return 0;
}
