// fuzz_tape: the input is a tape file (AWS or HET).  It is opened the way every ddr
// command opens a tape (open_tape_reader: recognition, then the HET/AWS reader); then
// read again in strict mode and through the plain AwsTapeReader, both with a small
// input buffer (64 bytes to 8 kB, chosen by the input's length) so that chunks and
// headers straddle buffer refills.  Every record is read until the end of the tape or
// a ddr::Error.
#include "formats/aws_tape.hpp"
#include "formats/het_tape.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstring>

using namespace ddr;

namespace {

// Reads every record; checks what the TapeReader interface promises about them.
void drain(TapeReader& tape)
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
        (void)tape.offset();
        (void)tape.format();
        (void)tape.tolerated_irregularities();
    }
}

tapeio::BufferedInput small_input(const std::string& path, size_t buffer)
{
    return tapeio::BufferedInput(path, tapeio::open_for_reading(path), buffer);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static fuzz::MemoryFile file("fuzz-tape");
    file.assign(ByteSpan(data, size));

    try {
        auto tape = open_tape_reader(file.path());
        drain(*tape);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }

    const size_t buffer = size_t(64) << (size % 8);
    try {
        AwsReaderOptions strict;
        strict.strict_previous_length = true;
        HetTapeReader tape(small_input(file.path(), buffer), strict);
        drain(tape);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    try {
        AwsTapeReader tape(small_input(file.path(), buffer));
        drain(tape);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    return 0;
}
