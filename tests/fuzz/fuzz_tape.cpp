// fuzz_tape: the input is a tape file (AWS or HET).
//
// It is read four times, to the end of the tape or a ddr::Error, and the readings
// must agree:
//   A  open_tape_reader, as every ddr command opens a tape (recognition, then the
//      HET/AWS reader with its 1 MB input buffer);
//   B  HetTapeReader with a small input buffer (64 bytes to 8 kB, chosen by the input's
//      length), so headers and chunks straddle buffer refills: the same records,
//      places and outcome as A, error message included;
//   C  the same in strict mode: as A if A tolerated nothing, else an error;
//   D  the plain AwsTapeReader (small buffer): as A up to A's first compressed block,
//      where it must stop with an error.
#include "formats/tape/aws_tape.hpp"
#include "formats/tape/het_tape.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstring>
#include <optional>

using namespace ddr;

namespace {

struct Seen {
    TapeRecord type;
    size_t size;
    uint64_t hash;  // FNV-1a of the block
    uint64_t block_number;
    uint64_t offset;
    uint64_t file_number;
    bool operator==(const Seen&) const = default;
};

struct Reading {
    std::vector<Seen> records;
    std::optional<std::string> error;  // what() of the error that ended it, if any
    std::string tolerated;
    bool opened = false;               // the reader was made (A: the container was recognised)
    bool compressed = false;           // format() said HET at the end
};

uint64_t fnv(ByteSpan b)
{
    uint64_t h = 1469598103934665603ULL;
    for (uint8_t c : b)
        h = (h ^ c) * 1099511628211ULL;
    return h;
}

// Reads every record; checks what the TapeReader interface promises about them.
void drain(TapeReader& tape, Reading& out)
{
    Bytes block;
    uint64_t blocks = 0;
    uint64_t file = tape.file_number();
    for (;;) {
        const TapeRecord r = tape.read(block);
        if (r == TapeRecord::EndOfData)
            return;
        if (r == TapeRecord::Block) {
            ++blocks;
            fuzz::check(block.size() <= kMaxTapeBlock, "a block longer than kMaxTapeBlock came back");
            fuzz::check(tape.block_number() == blocks, "block_number() does not count the data blocks");
        } else {
            fuzz::check(tape.block_number() == blocks, "block_number() at a tape mark is not the last block's");
        }
        fuzz::check(tape.file_number() == file, "a record reported a file number other than the current file's");
        if (r == TapeRecord::TapeMark)
            ++file;
        out.records.push_back({r, r == TapeRecord::Block ? block.size() : 0, r == TapeRecord::Block ? fnv(block) : 0,
                               tape.block_number(), tape.offset(), tape.file_number()});
    }
}

template <class Open>
Reading read_with(Open open)
{
    Reading out;
    std::unique_ptr<TapeReader> tape;
    try {
        tape = open();
        out.opened = true;
        drain(*tape, out);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        out.error = e.what();
    }
    if (tape) {
        out.tolerated = tape->tolerated_irregularities();
        out.compressed = tape->format() == "HET";
    }
    return out;
}

tapeio::BufferedInput small_input(const std::string& path, size_t buffer)
{
    return tapeio::BufferedInput(path, tapeio::open_for_reading(path), buffer);
}

// The records of `a` up to (not including) the first block D cannot read: one whose
// bytes differ in B (decompressed) from what is stored.  Without a compressed block,
// all of them.
bool same_prefix(const Reading& a, const Reading& d)
{
    if (d.records.size() > a.records.size())
        return false;
    for (size_t i = 0; i < d.records.size(); ++i)
        if (!(a.records[i] == d.records[i]))
            return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static fuzz::MemoryFile file("fuzz-tape");
    file.assign(ByteSpan(data, size));
    const std::string& path = file.path();
    const size_t buffer = size_t(64) << (size % 8);

    const Reading a = read_with([&] { return open_tape_reader(path); });
    const Reading b = read_with([&] { return std::make_unique<HetTapeReader>(small_input(path, buffer)); });
    const Reading c = read_with([&] {
        AwsReaderOptions strict;
        strict.strict_previous_length = true;
        return std::make_unique<HetTapeReader>(small_input(path, buffer), strict);
    });
    const Reading d = read_with([&] { return std::make_unique<AwsTapeReader>(small_input(path, buffer)); });

    // A recognises the container before reading; B, C and D do not, so they may read
    // records of a file A refused.  Otherwise the buffer size must not matter.
    if (a.opened) {
        fuzz::check(a.records == b.records, "the input buffer size changed the records read");
        fuzz::check(a.error == b.error, "the input buffer size changed how the reading ended");
        fuzz::check(a.tolerated == b.tolerated, "the input buffer size changed the tolerated irregularities");
        if (a.tolerated.empty()) {
            fuzz::check(c.records == a.records && c.error == a.error, "strict reading differs on a regular tape");
        } else {
            fuzz::check(c.error.has_value(), "strict reading accepted a tape with irregularities");
            fuzz::check(same_prefix(a, c), "strict reading returned records the tolerant one did not");
        }
        if (!a.compressed) {
            fuzz::check(d.records == a.records && d.error == a.error, "AWS and HET readers differ on an AWS tape");
        } else {
            fuzz::check(same_prefix(a, d), "the AWS reader returned records the HET reader did not");
        }
    }
    return 0;
}
