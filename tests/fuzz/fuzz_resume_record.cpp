// fuzz_resume_record: the input is the bytes of a resume record (formats/io/resume_record.hpp),
// as `ddr restore --resume` reads TARGET.ddr-resume and `ddr dump --resume` TAPE.ddr-resume.
// ResumeRecord::decode either refuses the bytes with a reason, or returns a record that
// encodes back to exactly the same bytes, of a known kind, each temporary a plain file
// name (no '/', not "." or "..", 1 to 255 bytes): at most 27 for a restore, none in place;
// for a dump 1 to 64, as many reels in each of its tape sets, one length per ended reel,
// and a source that is a path of 1 to 4096 bytes without a zero byte.
#include "formats/io/resume_record.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>

using namespace ddr;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const ByteSpan bytes(data, size);
    auto decoded = ResumeRecord::decode(bytes);
    if (const auto* why = std::get_if<std::string>(&decoded)) {
        fuzz::check(!why->empty(), "a refused record gives no reason");
        return 0;
    }
    const ResumeRecord& r = std::get<ResumeRecord>(decoded);
    fuzz::check(size <= ResumeRecord::kMaxSize, "a record longer than the largest was accepted");
    fuzz::check(r.kind == ResumeKind::RestoreInPlace || r.kind == ResumeKind::RestoreNewImage ||
                    r.kind == ResumeKind::DumpNewTape,
                "a record of an unknown kind was accepted");
    const bool dump = r.kind == ResumeKind::DumpNewTape;
    fuzz::check(r.temporaries.size() <= (dump ? ResumeRecord::kMaxDumpTemporaries : ResumeRecord::kMaxTemporaries),
                "too many temporaries were accepted");
    fuzz::check(dump ? !r.temporaries.empty() && r.tape_sets >= 1 && r.temporaries.size() % r.tape_sets == 0 &&
                           r.reel_lengths.size() == r.temporaries.size() / r.tape_sets - 1
                     : (r.kind == ResumeKind::RestoreNewImage) == !r.temporaries.empty() && r.tape_sets == 1 &&
                           r.reel_lengths.empty(),
                "temporaries, tape sets or reel lengths that do not fit the record's kind were accepted");
    fuzz::check(dump ? !r.source.empty() && r.source.size() <= ResumeRecord::kMaxSourceBytes &&
                           r.source.find('\0') == std::string::npos
                     : r.source.empty(),
                "a source that does not fit the record's kind was accepted");
    for (const std::string& name : r.temporaries) {
        fuzz::check(!name.empty() && name.size() <= ResumeRecord::kMaxNameBytes && name != "." && name != "..",
                    "an unacceptable temporary name was accepted");
        fuzz::check(name.find('/') == std::string::npos && name.find('\0') == std::string::npos,
                    "a temporary name with '/' or a zero byte was accepted");
    }
    const Bytes again = r.encode();
    fuzz::check(again.size() == size && std::equal(again.begin(), again.end(), data),
                "an accepted record does not encode back to its own bytes");
    return 0;
}
