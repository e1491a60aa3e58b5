#include "formats/tape/aws_tape.hpp"
#include "formats/tape/het_tape.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/tape_testing.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <tuple>
#include <unistd.h>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<AwsTapeReader> aws_reader(const std::string& path, bool strict = false)
{
    AwsReaderOptions o;
    o.strict_previous_length = strict;
    return AwsTapeReader::open(path, o);
}

// Writes `blocks` (an empty Bytes stands for a tape mark) with the given writer options.
void write_tape(const std::string& path, const std::vector<Bytes>& records, TapeWriterOptions options = {})
{
    auto w = create_tape_writer(path, options);
    for (const Bytes& r : records) {
        if (r.empty())
            w->write_tapemark();
        else
            w->write_block(r);
    }
    w->finish();
}

// The error a read of the whole tape at `path` ends with (the tape must be bad).
Error read_error(const std::string& path, bool strict = false)
{
    auto e = caught([&] {
        auto r = aws_reader(path, strict);
        read_all(*r);
    });
    REQUIRE(e.has_value());
    return *e;
}

// The first 512 bytes of a plain CKD image (whose first bytes make a plausible AWS
// header only by accident, never as a tape).
Bytes header_bytes_of_ckd()
{
    Bytes h(512, 0);
    std::copy_n("CKD_P370", 8, h.begin());
    h[8] = 15;
    return h;
}

} // namespace

TEST_CASE("AWS writer: a small labelled tape is byte-identical to hetinit -d")
{
    if (!have_program("hetinit"))
        FAIL("Hercules 3.13 utilities are not installed (make deps)");
    TempDir dir;
    int rc = 0;
    run_command("hetinit -d " + dir.file("lab.aws") + " VOL001 OWNER1 >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    const Bytes theirs = read_file(dir.file("lab.aws"));

    // The AWS layout (ddrtape(5) section 1): 50 00 00 00 A0 00 VOL1 | 50 00 50 00 A0 00 HDR1 | 00 00 50 00 40 00.
    REQUIRE(theirs.size() == 178);
    CHECK(Bytes(theirs.begin(), theirs.begin() + 6) == aws_header(80, 0, 0xA0));
    CHECK(Bytes(theirs.begin() + 86, theirs.begin() + 92) == aws_header(80, 80, 0xA0));
    CHECK(Bytes(theirs.begin() + 172, theirs.end()) == aws_header(0, 80, 0x40));

    auto reader = aws_reader(dir.file("lab.aws"), true);
    auto records = read_all(*reader);
    REQUIRE(records.size() == 4);
    CHECK(records[0].kind == TapeRecord::Block);
    CHECK(records[1].kind == TapeRecord::Block);
    CHECK(records[2].kind == TapeRecord::TapeMark);
    CHECK(records[3].kind == TapeRecord::EndOfData);

    write_tape(dir.file("ours.aws"), {records[0].data, records[1].data, {}});
    CHECK(read_file(dir.file("ours.aws")) == theirs);

    // An NL tape: two tape marks, previous length 0 on both.
    run_command("hetinit -n -d " + dir.file("nl.aws") + " >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    write_tape(dir.file("nl-ours.aws"), {{}, {}});
    Bytes expected = aws_header(0, 0, 0x40);
    append(expected, aws_header(0, 0, 0x40));
    CHECK(read_file(dir.file("nl-ours.aws")) == expected);
    CHECK(read_file(dir.file("nl.aws")) == expected);
}

TEST_CASE("AWS writer: chunks, flags and previous lengths, byte by byte")
{
    TempDir dir;
    TapeWriterOptions o;
    o.chunk_size = 4096;
    const Bytes a = test_block(10000, 1), b = test_block(80, 2), c = test_block(4096, 3);
    write_tape(dir.file("t.aws"), {a, {}, b, c, {}}, o);
    const Bytes t = read_file(dir.file("t.aws"));

    Bytes expected;
    append(expected, aws_header(4096, 0, 0x80));
    expected.insert(expected.end(), a.begin(), a.begin() + 4096);
    append(expected, aws_header(4096, 4096, 0x00));
    expected.insert(expected.end(), a.begin() + 4096, a.begin() + 8192);
    append(expected, aws_header(1808, 4096, 0x20));
    expected.insert(expected.end(), a.begin() + 8192, a.end());
    append(expected, aws_header(0, 1808, 0x40));
    append(expected, aws_header(80, 0, 0xA0));  // after a tape mark the previous length is 0
    append(expected, b);
    append(expected, aws_header(4096, 80, 0xA0));  // exactly one chunk: still one chunk
    append(expected, c);
    append(expected, aws_header(0, 4096, 0x40));
    CHECK(t == expected);
}

TEST_CASE("aws_block_bytes: what a block and a tape mark add to an AWS or uncompressed HET tape")
{
    CHECK(aws_block_bytes(80) == 86);
    CHECK(aws_block_bytes(kMinAwsChunk) == 4102);
    CHECK(kAwsTapeMarkBytes == 6);
    TempDir dir;
    for (const char* format : {"AWS", "HET"}) {
        CAPTURE(format);
        TapeWriterOptions o;
        o.format = format;
        o.chunk_size = kMinAwsChunk;
        auto w = create_tape_writer(dir.file(std::string("sizes.") + format), o);
        uint64_t expected = 0;
        for (size_t n : {size_t(80), size_t(1), size_t(4095), size_t(kMinAwsChunk)}) {
            w->write_block(test_block(n, 7));
            expected += aws_block_bytes(n);
            CHECK(w->position() == expected);
        }
        w->write_tapemark();
        expected += kAwsTapeMarkBytes;
        CHECK(w->position() == expected);
        w->finish();
        CHECK(std::filesystem::file_size(dir.file(std::string("sizes.") + format)) == expected);
    }
}

TEST_CASE("AWS: blocks of 80 to 300,000 bytes round trip; chunking at 65,535")
{
    TempDir dir;
    const std::vector<size_t> sizes = {80, 4096, 65535, 65536, 300000, 1, kMaxTapeBlock};
    std::vector<Bytes> records;
    for (size_t i = 0; i < sizes.size(); ++i)
        records.push_back(test_block(sizes[i], uint32_t(i), false));
    records.push_back({});
    write_tape(dir.file("sizes.aws"), records);

    // Walk the headers: one chunk up to 65,535 bytes, then 65,535-byte chunks.
    const Bytes t = read_file(dir.file("sizes.aws"));
    std::vector<std::pair<uint16_t, uint8_t>> chunks;
    for (size_t pos = 0; pos < t.size();) {
        AwsHeader h = AwsHeader::decode(t.data() + pos);
        chunks.push_back({h.length, h.flags1});
        pos += 6 + h.length;
    }
    const std::vector<std::pair<uint16_t, uint8_t>> expected_start = {
        {80, 0xA0}, {4096, 0xA0}, {65535, 0xA0}, {65535, 0x80}, {1, 0x20},
        {65535, 0x80}, {65535, 0x00}, {65535, 0x00}, {65535, 0x00}, {37860, 0x20}, {1, 0xA0}};
    REQUIRE(chunks.size() >= expected_start.size());
    for (size_t i = 0; i < expected_start.size(); ++i)
        CHECK(chunks[i] == expected_start[i]);
    // 2 MiB = 32 x 65,535 + 32.
    CHECK(chunks.size() == expected_start.size() + 33 + 1);
    CHECK(chunks[expected_start.size() + 32] == std::pair<uint16_t, uint8_t>{32, 0x20});

    auto reader = aws_reader(dir.file("sizes.aws"), true);
    auto back = read_all(*reader);
    REQUIRE(back.size() == sizes.size() + 2);
    for (size_t i = 0; i < sizes.size(); ++i) {
        CHECK(back[i].kind == TapeRecord::Block);
        CHECK(back[i].data == records[i]);
        CHECK(back[i].block == i + 1);
    }
    CHECK(reader->previous_length_mismatches() == 0);
    CHECK(reader->tolerated_irregularities().empty());
}

TEST_CASE("AWS reader: stable views stay intact while kStableViewBytes more are read, from a file and a pipe")
{
    TempDir dir;
    // Blocks of assorted sizes, each filled with its own pattern, several buffers' worth,
    // with one multi-chunk block (copied, not stable) among them.
    std::vector<Bytes> records;
    size_t total = 0;
    for (uint32_t i = 0; total < 3 * tapeio::BufferedInput::kDefaultBuffer + 3 * kStableViewBytes; ++i) {
        const size_t size = i == 40 ? 200000 : 80 + (i * 7919) % 65000;
        records.push_back(test_block(size, i, false));
        total += size + kAwsHeaderSize;
    }
    write_tape(dir.file("views.aws"), records);
    for (const bool pipe : {false, true}) {
        CAPTURE(pipe);
        const Bytes tape = read_file(dir.file("views.aws"));
        std::optional<FedPipe> fed;
        if (pipe)
            fed.emplace(tape, 12345);
        UniqueFd fd = pipe ? std::move(fed->read_end) : tapeio::open_for_reading(dir.file("views.aws"));
        AwsTapeReader reader(tapeio::BufferedInput("views", std::move(fd)));
        // Views kept, with the tape offset after them, until kStableViewBytes more were read.
        std::vector<std::tuple<ByteSpan, size_t, uint64_t>> kept;
        size_t i = 0, stable_count = 0;
        ByteSpan view;
        bool stable = false;
        while (reader.read_view(view, stable) == TapeRecord::Block) {
            REQUIRE(i < records.size());
            CHECK(Bytes(view.begin(), view.end()) == records[i]);
            CHECK(stable == (records[i].size() <= kMaxAwsChunk));
            if (stable) {
                kept.emplace_back(view, i, reader.offset() + kAwsHeaderSize + view.size());
                ++stable_count;
            }
            // The oldest view still within its life is the one most at risk: check it.
            const uint64_t now = reader.offset() + kAwsHeaderSize + view.size();
            while (!kept.empty() && now - std::get<2>(kept.front()) > kStableViewBytes)
                kept.erase(kept.begin());
            if (!kept.empty()) {
                const auto& [v, index, end] = kept.front();
                REQUIRE(Bytes(v.begin(), v.end()) == records[index]);
            }
            ++i;
        }
        CHECK(i == records.size());
        CHECK(stable_count == records.size() - 1);
    }
}

TEST_CASE("AWS: block numbers, offsets and file numbers across tape marks")
{
    TempDir dir;
    const Bytes b1 = test_block(80, 1), b2 = test_block(100, 2), b3 = test_block(70000, 3);
    write_tape(dir.file("files.aws"), {b1, b2, {}, b3, {}, {}});
    auto reader = aws_reader(dir.file("files.aws"), true);
    auto r = read_all(*reader);
    REQUIRE(r.size() == 7);
    // kind, block, offset, file
    CHECK(r[0].kind == TapeRecord::Block);
    CHECK((r[0].block == 1 && r[0].offset == 0 && r[0].file == 1));
    CHECK((r[1].block == 2 && r[1].offset == 86 && r[1].file == 1));
    CHECK(r[2].kind == TapeRecord::TapeMark);
    CHECK((r[2].block == 2 && r[2].offset == 192 && r[2].file == 1));
    CHECK(r[3].kind == TapeRecord::Block);
    CHECK((r[3].block == 3 && r[3].offset == 198 && r[3].file == 2));
    CHECK(r[3].data == b3);
    CHECK(r[4].kind == TapeRecord::TapeMark);
    CHECK((r[4].block == 3 && r[4].offset == 198 + 12 + 70000 && r[4].file == 2));
    CHECK(r[5].kind == TapeRecord::TapeMark);
    CHECK(r[5].file == 3);
    CHECK(r[6].kind == TapeRecord::EndOfData);
    CHECK((r[6].block == 3 && r[6].offset == 198 + 12 + 70000 + 12 && r[6].file == 4));
    CHECK(reader->format() == "AWS");
    CHECK(reader->name() == dir.file("files.aws"));
}

TEST_CASE("AWS reader: every malformed header is reported with its place")
{
    TempDir dir;
    const std::string path = dir.file("bad.aws");
    const Bytes d80 = test_block(80, 7);
    Bytes good;  // one block, offset 0..85
    append(good, aws_header(80, 0, 0xA0));
    append(good, d80);

    struct Case {
        const char* what;
        Bytes tail;          // bytes after the good block
        uint64_t offset;     // expected place().offset
        const char* phrase;  // expected in the message
    };
    const std::vector<Case> cases = {
        {"header cut short", {0x50, 0x00, 0x50}, 86, "cut short: the tape ends after 3 of its 6 bytes"},
        {"data cut short", [&] { Bytes t = aws_header(80, 80, 0xA0); t.resize(6 + 12); return t; }(), 86,
         "says 80 bytes but only 12 remain"},
        {"middle chunk without a start", [&] { Bytes t = aws_header(4, 80, 0x00); t.resize(10); return t; }(), 86,
         "continues a block that never started"},
        {"end chunk without a start", [&] { Bytes t = aws_header(4, 80, 0x20); t.resize(10); return t; }(), 86,
         "continues a block that never started"},
        {"new start inside a block",
         [&] {
             Bytes t = aws_header(4, 80, 0x80);
             t.resize(10);
             append(t, aws_header(4, 4, 0xA0));
             t.resize(20);
             return t;
         }(),
         96, "starts a new block before the block at offset 86 ended"},
        {"tape ends inside a block", [&] { Bytes t = aws_header(4, 80, 0x80); t.resize(10); return t; }(), 96,
         "ends inside the block that starts at offset 86"},
        {"undefined flags1 bit", [&] { Bytes t = aws_header(4, 80, 0xA8); t.resize(10); return t; }(), 86,
         "undefined flag bits (flags 0xA8 0x00)"},
        {"undefined flags2 bit", [&] { Bytes t = aws_header(4, 80, 0xA0, 0x01); t.resize(10); return t; }(), 86,
         "undefined flag bits (flags 0xA0 0x01)"},
        {"tape mark with data", [&] { Bytes t = aws_header(5, 80, 0x40); t.resize(11); return t; }(), 86,
         "tape mark header at offset 86 says it carries 5 bytes"},
        {"tape mark with other flags", aws_header(0, 80, 0x60), 86, "also carries flags 0x60 0x00"},
        {"tape mark inside a block",
         [&] {
             Bytes t = aws_header(4, 80, 0x80);
             t.resize(10);
             append(t, aws_header(0, 4, 0x40));
             return t;
         }(),
         96, "tape mark at offset 96 inside the block that starts at offset 86"},
        {"compression bits change within a block",
         [&] {
             Bytes t = aws_header(4, 80, 0x81);
             t.resize(10);
             append(t, aws_header(4, 4, 0x20));
             t.resize(20);
             return t;
         }(),
         96, "has compression flags 0x00 0x00, but its block started with 0x01 0x00"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        Bytes tape = good;
        append(tape, c.tail);
        write_file(path, tape);
        Error e = read_error(path);
        CHECK(e.kind() == ErrorKind::Unreadable);
        CHECK(e.place().file == path);
        CHECK(e.place().offset == c.offset);
        CHECK(e.place().block == 2);
        CHECK(std::string(e.what()).find(c.phrase) != std::string::npos);
        CHECK(std::string(e.what()).find(path + ": block 2 (offset " + std::to_string(c.offset) + ")") == 0);
    }
}

TEST_CASE("AWS reader: a block over 2 MiB is refused at the chunk that crosses the limit")
{
    TempDir dir;
    Bytes tape;
    const Bytes chunk = test_block(65535, 1, false);
    uint16_t prev = 0;
    for (int i = 0; i < 33; ++i) {  // 33 x 65,535 > 2 MiB, never an end flag
        append(tape, aws_header(65535, prev, i == 0 ? 0x80 : 0x00));
        append(tape, chunk);
        prev = 65535;
    }
    write_file(dir.file("big.aws"), tape);
    Error e = read_error(dir.file("big.aws"));
    CHECK(e.kind() == ErrorKind::Unreadable);
    CHECK(e.place().offset == 32u * 65541u);
    CHECK(e.detail() == "the block at offset 0 is longer than 2097152 bytes");
}

TEST_CASE("AWS reader: wrong previous lengths are counted, or refused when strict")
{
    TempDir dir;
    Bytes tape;
    append(tape, aws_header(80, 0, 0xA0));
    append(tape, test_block(80, 1));
    append(tape, aws_header(80, 79, 0xA0));  // should be 80
    append(tape, test_block(80, 2));
    append(tape, aws_header(0, 80, 0x40));
    append(tape, aws_header(10, 5, 0xA0));  // should be 0 after a tape mark
    append(tape, test_block(10, 3));
    write_file(dir.file("prev.aws"), tape);

    auto lenient = aws_reader(dir.file("prev.aws"));
    auto r = read_all(*lenient);
    CHECK(r.size() == 5);
    CHECK(lenient->previous_length_mismatches() == 2);
    CHECK(lenient->tolerated_irregularities() ==
          "2 wrong previous-length fields; the first: AWS header at offset 86 gives the previous chunk length as 79, "
          "but that chunk holds 80 bytes");

    Error e = read_error(dir.file("prev.aws"), true);
    CHECK(e.kind() == ErrorKind::Unreadable);
    CHECK(e.place().offset == 86);
    CHECK(e.place().block == 2);

    // open_tape_reader's strict option reaches the same check.
    TapeReaderOptions strict;
    strict.strict = true;
    auto e2 = caught([&] {
        auto rd = open_tape_reader(dir.file("prev.aws"), strict);
        read_all(*rd);
    });
    REQUIRE(e2);
    CHECK(e2->place().offset == 86);
}

TEST_CASE("AWS reader: HET-compressed blocks are not plain AWS")
{
    TempDir dir;
    TapeWriterOptions o;
    o.format = "HET";
    o.compression = 1;
    write_tape(dir.file("z.het"), {test_block(80, 1, false), test_block(4000, 2)}, o);
    Error e = read_error(dir.file("z.het"));
    CHECK(e.kind() == ErrorKind::Unreadable);
    CHECK(e.place().block == 2);
    CHECK(e.place().offset == 86);
    CHECK(e.detail().find("HET-compressed") != std::string::npos);
}

TEST_CASE("AWS reader: standard input and an empty tape")
{
    TempDir dir;
    write_file(dir.file("empty.aws"), {});
    auto r = aws_reader(dir.file("empty.aws"));
    Bytes b;
    CHECK(r->read(b) == TapeRecord::EndOfData);
    CHECK(r->offset() == 0);
    CHECK(r->file_number() == 1);

    auto missing = caught([&] { aws_reader(dir.file("missing.aws")); });
    REQUIRE(missing);
    CHECK(missing->kind() == ErrorKind::ReadFailed);
    CHECK(missing->place().file == dir.file("missing.aws"));
}

TEST_CASE("AWS writer: the tape appears under its name only when finished")
{
    TempDir dir;
    const std::string path = dir.file("new.aws");
    {
        auto w = create_tape_writer(path, {});
        w->write_block(test_block(80, 1));
        CHECK_FALSE(fs::exists(path));
        auto names = names_in(dir.path());
        REQUIRE(names.size() == 1);
        CHECK(names[0].rfind(".new.aws.ddr-", 0) == 0);  // hidden, next to the target
        w->write_tapemark();
        w->finish();
        CHECK(names_in(dir.path()) == std::vector<std::string>{"new.aws"});
    }
    CHECK(fs::file_size(path) == 86 + 6);

    // Abandoned: the temporary file goes, nothing else appears.
    {
        auto w = create_tape_writer(dir.file("abandoned.aws"), {});
        w->write_block(test_block(5000000 / 3, 2));
        w->write_block(test_block(2000000, 3));
        CHECK(names_in(dir.path()).size() == 2);
    }
    CHECK(names_in(dir.path()) == std::vector<std::string>{"new.aws"});
}

TEST_CASE("AWS writer: an existing file is refused unless overwrite is set")
{
    TempDir dir;
    const std::string path = dir.file("old.aws");
    write_file(path, Bytes{1, 2, 3});
    auto e = caught([&] { create_tape_writer(path, {}); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Refused);
    CHECK(e->place().file == path);
    CHECK(read_file(path) == Bytes{1, 2, 3});

    // --overwrite replaces a tape, and only a tape.
    TapeWriterOptions o;
    o.overwrite = true;
    auto not_tape = caught([&] { create_tape_writer(path, o); });
    REQUIRE(not_tape);
    CHECK(not_tape->kind() == ErrorKind::Refused);
    CHECK(not_tape->detail().find("--overwrite replaces only tape files") != std::string::npos);
    CHECK(read_file(path) == Bytes{1, 2, 3});
    Bytes volume = header_bytes_of_ckd();
    write_file(path, volume);
    auto ckd = caught([&] { create_tape_writer(path, o); });
    REQUIRE(ckd);
    CHECK(ckd->kind() == ErrorKind::Refused);
    CHECK(ckd->detail().find("a volume image (CKD_P370)") != std::string::npos);
    CHECK(read_file(path) == volume);
    write_file(path, Bytes{});
    write_tape(path, {test_block(80, 2), test_block(80, 3), {}}, o);  // an empty file holds nothing
    write_tape(path, {test_block(80, 1), {}}, o);                     // a tape is replaced
    CHECK(fs::file_size(path) == 92);

    auto folder = caught([&] { create_tape_writer(dir.path().string(), o); });
    REQUIRE(folder);
    CHECK(folder->kind() == ErrorKind::Refused);
}

TEST_CASE("AWS writer: bad options are usage errors")
{
    TempDir dir;
    for (uint32_t chunk : {0u, 4095u, 65536u}) {
        TapeWriterOptions o;
        o.chunk_size = chunk;
        auto e = caught([&] { create_tape_writer(dir.file("x.aws"), o); });
        REQUIRE(e);
        CHECK(e->kind() == ErrorKind::Usage);
    }
    TapeWriterOptions fmt;
    fmt.format = "FAKETAPE";
    auto e = caught([&] { create_tape_writer(dir.file("x.aws"), fmt); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Usage);
    CHECK(names_in(dir.path()).empty());

    auto w = create_tape_writer(dir.file("x.aws"), {});
    Bytes huge(kMaxTapeBlock + 1);
    auto e2 = caught([&] { w->write_block(huge); });
    REQUIRE(e2);
    CHECK(e2->kind() == ErrorKind::Internal);
}

TEST_CASE("AWS writer: append continues the tape and its previous-length chain")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    const Bytes a = test_block(80, 1), b = test_block(70000, 2), c = test_block(300, 3);
    write_tape(path, {a, {}});
    const Bytes first = read_file(path);

    TapeWriterOptions o;
    o.append = true;
    {
        auto w = create_tape_writer(path, o);
        CHECK(w->position() == first.size());
        CHECK(w->blocks_written() == 0);
        w->write_block(b);
        w->write_block(c);
        w->write_tapemark();
        w->finish();
    }
    const Bytes both = read_file(path);
    CHECK(Bytes(both.begin(), both.begin() + std::ptrdiff_t(first.size())) == first);
    auto reader = aws_reader(path, true);
    auto r = read_all(*reader);
    REQUIRE(r.size() == 6);
    CHECK(r[0].data == a);
    CHECK(r[2].data == b);
    CHECK(r[2].file == 2);
    CHECK(r[3].data == c);
    CHECK(r[4].kind == TapeRecord::TapeMark);

    // An append that is abandoned leaves the tape exactly as it was.
    {
        auto w = create_tape_writer(path, o);
        w->write_block(test_block(3000000 / 2, 4));
        w->write_block(test_block(2000000, 5));  // past the write buffer: really on disk
        w->write_tapemark();
    }
    CHECK(read_file(path) == both);

    // Appending to a file that does not exist makes a new tape.
    write_tape(dir.file("fresh.aws"), {a, {}}, o);
    CHECK(read_file(dir.file("fresh.aws")) == first);
}

TEST_CASE("AWS writer: append refuses tapes it cannot safely continue")
{
    TempDir dir;
    TapeWriterOptions o;
    o.append = true;

    // A last file without its tape mark.
    const std::string open_end = dir.file("open.aws");
    write_tape(open_end, {test_block(80, 1), {}, test_block(80, 2)});
    const Bytes before = read_file(open_end);
    auto e = caught([&] { create_tape_writer(open_end, o); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Refused);
    CHECK(e->place().offset == before.size());
    CHECK(read_file(open_end) == before);

    // A damaged tape: the reader's error, with its place.
    const std::string damaged = dir.file("damaged.aws");
    Bytes bad = before;
    bad.resize(bad.size() - 10);
    write_file(damaged, bad);
    auto e2 = caught([&] { create_tape_writer(damaged, o); });
    REQUIRE(e2);
    CHECK(e2->kind() == ErrorKind::Unreadable);
    CHECK(e2->place().offset == 92);

    // HET-compressed blocks cannot be continued as AWS (but can as HET).
    const std::string het = dir.file("z.het");
    TapeWriterOptions z;
    z.format = "HET";
    z.compression = 1;
    write_tape(het, {test_block(4000, 3), {}}, z);
    auto e3 = caught([&] { create_tape_writer(het, o); });
    REQUIRE(e3);
    CHECK(e3->kind() == ErrorKind::Refused);
    z.append = true;
    write_tape(het, {test_block(4000, 4), {}}, z);
    auto reader = open_tape_reader(het);
    auto r = read_all(*reader);
    REQUIRE(r.size() == 5);
    CHECK(r[2].data == test_block(4000, 4));
}

TEST_CASE("AWS writer: mark and rewind on a file, inside and beyond the write buffer")
{
    TempDir dir;
    const std::string path = dir.file("eov.aws");
    const Bytes vhr = test_block(80, 1);
    const Bytes track = test_block(4096, 2);
    auto w = create_tape_writer(path, {});
    w->write_block(vhr);

    // A short rewind: the dropped blocks never left memory.
    TapeMarkPosition m1 = w->mark();
    CHECK(m1.bytes == 86);
    CHECK(m1.blocks == 1);
    CHECK(m1.state == 80);
    w->write_block(track);
    w->write_block(track);
    w->rewind_to(m1);
    CHECK(w->position() == 86);
    CHECK(w->blocks_written() == 1);
    w->rewind_to(m1);  // the latest mark can be rewound to again

    // A long rewind: several MB are on disk and get cut off.
    w->write_block(test_block(65536, 3));
    TapeMarkPosition m2 = w->mark();
    for (int i = 0; i < 1500; ++i)
        w->write_block(track);
    CHECK(w->position() > 6000000);
    w->rewind_to(m2);
    CHECK(w->position() == m2.bytes);
    CHECK(w->blocks_written() == 2);

    // Only the latest mark counts.
    auto stale = caught([&] { w->rewind_to(m1); });
    REQUIRE(stale);
    CHECK(stale->kind() == ErrorKind::Internal);

    const Bytes eov = test_block(80, 4);
    w->write_block(eov);
    w->write_tapemark();
    w->finish();

    auto reader = aws_reader(path, true);  // strict: the previous lengths were restored too
    auto r = read_all(*reader);
    REQUIRE(r.size() == 5);
    CHECK(r[0].data == vhr);
    CHECK(r[1].data == test_block(65536, 3));
    CHECK(r[2].data == eov);
    CHECK(r[3].kind == TapeRecord::TapeMark);
    CHECK(fs::file_size(path) == 86 + 65536 + 12 + 86 + 6);
}

TEST_CASE("AWS writer: a FIFO is written through; mark and rewind hold back only the tail")
{
    TempDir dir;
    const std::string fifo = dir.file("pipe");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);

    std::vector<ReadRecord> received;
    std::string reader_error;
    std::thread consumer([&] {
        try {
            auto r = open_tape_reader(fifo);
            received = read_all(*r);
        } catch (const std::exception& e) {
            reader_error = e.what();
        }
    });

    const Bytes vhr = test_block(80, 1), track = test_block(4096, 2), eov = test_block(80, 3);
    std::optional<Error> failure = caught([&] {
        auto w = create_tape_writer(fifo, {});
        w->write_block(vhr);
        for (int i = 0; i < 700; ++i)  // about 2.9 MB: more than the write buffer
            w->write_block(track);
        TapeMarkPosition m = w->mark();
        for (int i = 0; i < 700; ++i)  // held in memory, never sent
            w->write_block(test_block(4096, 9));
        w->rewind_to(m);
        CHECK(w->position() == m.bytes);
        w->write_block(eov);
        w->write_tapemark();
        TapeMarkPosition m2 = w->mark();
        w->write_block(test_block(100, 10));
        w->mark();
        // Only the latest mark can be rewound to (older bytes may have been sent).
        auto e = caught([&] { w->rewind_to(m2); });
        CHECK((e && e->kind() == ErrorKind::Internal));
        w->finish();
    });
    if (failure) {
        // Unblock the consumer if the writer never opened the FIFO.
        int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0)
            ::close(fd);
    }
    consumer.join();
    REQUIRE_FALSE(failure);
    REQUIRE(reader_error.empty());
    REQUIRE(received.size() == 1 + 700 + 1 + 1 + 1 + 1);
    CHECK(received[0].data == vhr);
    CHECK(received[700].data == track);
    CHECK(received[701].data == eov);
    CHECK(received[702].kind == TapeRecord::TapeMark);
    CHECK(received[703].data == test_block(100, 10));
    CHECK(received[704].kind == TapeRecord::EndOfData);
}

TEST_CASE("AWS: IBM DDR fixture tapes read with the right counts and write back identically")
{
    struct Expect {
        const char* c;
        const char* file;
        unsigned blocks, tapemarks;
    };
    const Expect tapes[] = {{"dev-3330", "dump.aws", 598, 1},       {"leave-3330", "two-dumps.aws", 201, 2},
                            {"multireel-3330", "reel1.aws", 299, 1}, {"multireel-3330", "reel2.aws", 301, 1},
                            {"dev-2311", "dump.aws", 302, 1},       {"quirks-3330", "dump.aws", 59, 1}};
    TempDir dir;
    for (const Expect& x : tapes) {
        const std::string tape = std::string(x.c) + "/" + x.file;
        CAPTURE(tape);
        const std::string path = fixture(x.c, x.file);
        auto reader = aws_reader(path, true);
        unsigned blocks = 0, marks = 0;
        std::vector<Bytes> records;
        Bytes block;
        for (TapeRecord r; (r = reader->read(block)) != TapeRecord::EndOfData;) {
            if (r == TapeRecord::Block) {
                ++blocks;
                CHECK(reader->block_number() == blocks);
                CHECK((block.size() == 80 || block.size() == 4096 || (block.size() > 80 && block.size() < 4096)));
                records.push_back(block);
            } else {
                ++marks;
                CHECK(reader->file_number() == marks);
                records.push_back({});
            }
        }
        CHECK(blocks == x.blocks);
        CHECK(marks == x.tapemarks);
        CHECK(reader->offset() == fs::file_size(path));

        // IBM DDR under Hercules wrote exactly what our writer writes for the same blocks.
        const std::string copy = dir.file(std::string(x.c) + "-" + x.file);
        write_tape(copy, records);
        CHECK(read_file(copy) == read_file(path));
    }
}

TEST_CASE("AWS: Hercules' hetmap and tapemap agree with our files")
{
    if (!have_program("hetmap") || !have_program("tapemap"))
        FAIL("Hercules 3.13 utilities are not installed (make deps)");
    TempDir dir;
    const std::string path = dir.file("map.aws");
    std::vector<Bytes> records;
    for (int i = 0; i < 5; ++i)
        records.push_back(test_block(4096, i));
    records.push_back(test_block(80, 9));
    records.push_back({});
    records.push_back(test_block(65535, 10));
    records.push_back(test_block(100, 11));
    records.push_back({});
    records.push_back({});
    write_tape(path, records);

    const std::vector<MapFile> expected = {{6, 80, 4096}, {2, 100, 65535}, {0, 0, 0}};
    int rc = 0;
    CHECK(parse_tape_map(run_command("hetmap -t " + path + " 2>/dev/null", rc)) == expected);
    CHECK(rc == 0);
    CHECK(parse_tape_map(run_command("tapemap " + path + " 2>/dev/null", rc)) == expected);
    CHECK(rc == 0);
}

// ---- append_at: continuing a tape from an earlier block or tape mark ----

namespace {

// A dump as ddr writes one, in 4,096-byte chunks: VHR, a track, a 10,000-byte block in three
// chunks, EOJ, a trailer block, a tape mark.  Records start at offsets 0, 86, 4188 (chunks
// at 4188, 8290, 12392), 14206, 14292 and 14378; the file is 14,384 bytes.
std::vector<Bytes> dump_records(uint32_t seed)
{
    return {test_block(80, seed),     test_block(4096, seed + 1), test_block(10000, seed + 2),
            test_block(80, seed + 3), test_block(80, seed + 4),   {}};
}

TapeWriterOptions append_options(std::optional<uint64_t> at)
{
    TapeWriterOptions o;
    o.chunk_size = 4096;
    o.append = true;
    o.append_at = at;
    return o;
}

std::unique_ptr<TapeWriter> appender(const std::string& path, uint64_t at)
{
    return std::make_unique<AwsTapeWriter>(AwsChunkWriter::open(path, append_options(at), false));
}

void write_records(TapeWriter& w, const std::vector<Bytes>& records)
{
    for (const Bytes& r : records) {
        if (r.empty())
            w.write_tapemark();
        else
            w.write_block(r);
    }
}

// The tape's records read strictly (an empty Bytes for a tape mark).
std::vector<Bytes> strict_records(const std::string& path)
{
    auto reader = aws_reader(path, true);
    std::vector<Bytes> out;
    for (const ReadRecord& r : read_all(*reader))
        if (r.kind != TapeRecord::EndOfData)
            out.push_back(r.data);
    return out;
}

Bytes header_at(const Bytes& tape, uint64_t offset)
{
    REQUIRE(offset + 6 <= tape.size());
    return Bytes(tape.begin() + std::ptrdiff_t(offset), tape.begin() + std::ptrdiff_t(offset + 6));
}

} // namespace

TEST_CASE("AWS writer: append_at keeps the tape up to a block or tape mark and continues its chain")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    const std::vector<Bytes> first = dump_records(1);
    write_tape(path, first, append_options(std::nullopt));
    const Bytes original = read_file(path);
    REQUIRE(original.size() == 14384);
    // What ddr appends after an EOJ: TM VHR track EOJ trailer TM.
    const std::vector<Bytes> second = {{}, test_block(80, 11), test_block(4096, 12), test_block(80, 13),
                                       test_block(80, 14), {}};
    const uint64_t second_size = 6 + 86 + 4102 + 86 + 86 + 6;

    struct Cut {
        const char* what;
        uint64_t at;
        uint16_t previous;  // the length of the chunk before the cut
        size_t kept;        // records of the first dump kept
    };
    const Cut cuts[] = {{"the end of the file", 14384, 0, 6},
                        {"the tape mark", 14378, 80, 5},
                        {"the block after EOJ", 14292, 80, 4},
                        {"the block after the three-chunk block", 14206, 1808, 3},
                        {"the start of the tape", 0, 0, 0}};
    for (const Cut& c : cuts) {
        CAPTURE(c.what);
        write_file(path, original);
        auto w = appender(path, c.at);
        CHECK(w->position() == c.at);
        CHECK(w->blocks_written() == 0);
        const TapeMarkPosition m = w->mark();
        CHECK(m.bytes == c.at);
        CHECK(m.blocks == 0);
        CHECK(m.state == c.previous);
        write_records(*w, second);
        CHECK(w->blocks_written() == 4);
        CHECK(w->position() == c.at + second_size);
        w->finish();

        const Bytes t = read_file(path);
        REQUIRE(t.size() == c.at + second_size);
        CHECK(Bytes(t.begin(), t.begin() + std::ptrdiff_t(c.at)) ==
              Bytes(original.begin(), original.begin() + std::ptrdiff_t(c.at)));
        CHECK(header_at(t, c.at) == aws_header(0, c.previous, 0x40));
        CHECK(header_at(t, c.at + 6) == aws_header(80, 0, 0xA0));
        std::vector<Bytes> expected(first.begin(), first.begin() + std::ptrdiff_t(c.kept));
        expected.insert(expected.end(), second.begin(), second.end());
        CHECK(strict_records(path) == expected);  // strict: every previous length chains
        CHECK(names_in(dir.path()) == std::vector<std::string>{"tape.aws"});
    }

    // At the end of the file, append_at is plain append.
    write_file(path, original);
    write_tape(path, second, append_options(std::nullopt));
    const Bytes plain = read_file(path);
    write_file(path, original);
    auto w = appender(path, 14384);
    write_records(*w, second);
    w->finish();
    CHECK(read_file(path) == plain);
}

TEST_CASE("AWS writer: append_at refuses offsets that do not start a block or tape mark")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    write_tape(path, dump_records(1), append_options(std::nullopt));
    const Bytes original = read_file(path);

    struct Bad {
        const char* what;
        uint64_t at;
        const char* phrase;
    };
    const Bad bads[] = {
        {"a chunk boundary inside a block", 8290, "inside the block that starts at offset 4188,"},
        {"the last chunk of that block", 12392, "inside the block that starts at offset 4188,"},
        {"the middle of a header", 89, "inside the block that starts at offset 86,"},
        {"the middle of a block's data", 200, "inside the block that starts at offset 86,"},
        {"the middle of a tape mark", 14380, "inside the tape mark that starts at offset 14378,"},
        {"one byte past the end", 14385, "the tape ends at offset 14384"},
        {"far past the end", uint64_t(1) << 40, "the tape ends at offset 14384"},
    };
    for (const Bad& b : bads) {
        CAPTURE(b.what);
        auto e = caught([&] { appender(path, b.at); });
        REQUIRE(e);
        CHECK(e->kind() == ErrorKind::Usage);
        CHECK(e->place().file == path);
        CHECK(e->place().offset == b.at);
        CHECK(e->detail().find(b.phrase) != std::string::npos);
        CHECK(std::string(e->what()).find("offset " + std::to_string(b.at)) != std::string::npos);
        CHECK(read_file(path) == original);
        CHECK(names_in(dir.path()) == std::vector<std::string>{"tape.aws"});
    }

    // append_at without append, and append to a stream, are usage errors.
    TapeWriterOptions no_append = append_options(86);
    no_append.append = false;
    auto e1 = caught([&] { create_tape_writer(path, no_append); });
    REQUIRE(e1);
    CHECK(e1->kind() == ErrorKind::Usage);
    for (std::optional<uint64_t> at : {std::optional<uint64_t>(), std::optional<uint64_t>(0)}) {
        auto e2 = caught([&] { create_tape_writer("-", append_options(at)); });
        REQUIRE(e2);
        CHECK(e2->kind() == ErrorKind::Usage);
        CHECK(e2->detail() == "cannot append to a stream: it cannot be read back");
    }

    // A missing file is an empty tape: only offset 0 is on it.
    auto e3 = caught([&] { appender(dir.file("missing.aws"), 6); });
    REQUIRE(e3);
    CHECK(e3->kind() == ErrorKind::Usage);
    CHECK(e3->place().offset == 6);
    write_tape(dir.file("missing.aws"), {test_block(80, 1), {}}, append_options(0));
    CHECK(strict_records(dir.file("missing.aws")) == std::vector<Bytes>{test_block(80, 1), {}});
    CHECK(read_file(path) == original);
}

TEST_CASE("AWS writer: an abandoned append_at leaves the tape exactly as it was")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    write_tape(path, dump_records(1), append_options(std::nullopt));
    const Bytes original = read_file(path);
    const uint64_t cut = 4188;  // the old tail is 10,196 bytes

    {
        auto w = appender(path, cut);
        auto names = names_in(dir.path());
        REQUIRE(names.size() == 2);  // the new version, hidden beside the tape
        CHECK(names[0].rfind(".tape.aws.ddr-tmp.", 0) == 0);
        w->write_tapemark();
        for (uint32_t i = 0; i < 800; ++i)  // about 3.3 MB: past the write buffer
            w->write_block(test_block(4096, 100 + i));
        CHECK(read_file(path) == original);  // the tape itself is never written
        const TapeMarkPosition m = w->mark();
        for (uint32_t i = 0; i < 600; ++i)
            w->write_block(test_block(4096, 900 + i));
        w->rewind_to(m);
    }
    CHECK(read_file(path) == original);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"tape.aws"});

    // Abandoned before anything was written.
    { auto w = appender(path, 0); }
    CHECK(read_file(path) == original);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"tape.aws"});
}

TEST_CASE("AWS writer: append_at replaces the tape in one rename, keeping its permissions")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    write_tape(path, dump_records(1), append_options(std::nullopt));
    const Bytes original = read_file(path);
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    // A reader that opened the tape before the append keeps reading the old tape.
    UniqueFd before = open_existing(path, false);
    auto w = appender(path, 4188);
    w->write_tapemark();
    w->write_block(test_block(80, 7));
    w->write_tapemark();
    w->finish();
    Bytes old(original.size());
    pread_exact(before.get(), old, 0, file_place(path));
    CHECK(old == original);
    CHECK(fs::status(path).permissions() == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
    CHECK(strict_records(path) == std::vector<Bytes>{test_block(80, 1), test_block(4096, 2), {}, test_block(80, 7), {}});
    CHECK(names_in(dir.path()) == std::vector<std::string>{"tape.aws"});
}

TEST_CASE("AWS writer: after append_at, finish cuts the file where the new content ends")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    write_tape(path, dump_records(1), append_options(std::nullopt));
    const Bytes original = read_file(path);

    auto w = appender(path, 86);
    w->write_tapemark();
    w->finish();
    Bytes expected(original.begin(), original.begin() + 86);
    append(expected, aws_header(0, 80, 0x40));
    CHECK(read_file(path) == expected);
    CHECK(strict_records(path) == std::vector<Bytes>{test_block(80, 1), {}});
    CHECK(names_in(dir.path()) == std::vector<std::string>{"tape.aws"});
}

TEST_CASE("AWS writer: mark and rewind after append_at never reach before it")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    const std::vector<Bytes> first = dump_records(1);
    write_tape(path, first, append_options(std::nullopt));
    const Bytes original = read_file(path);

    auto w = appender(path, 14292);
    const TapeMarkPosition m = w->mark();
    w->write_tapemark();
    for (uint32_t i = 0; i < 700; ++i)  // about 2.9 MB: on disk, past the old end
        w->write_block(test_block(4096, 50 + i));
    w->rewind_to(m);
    CHECK(w->position() == 14292);
    CHECK(w->blocks_written() == 0);

    // A position before the cut is no mark of this writer's.
    TapeMarkPosition before = m;
    before.bytes = 86;
    before.state = 80;
    auto e = caught([&] { w->rewind_to(before); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Internal);

    const Bytes eov = test_block(80, 99);
    write_records(*w, {{}, eov, {}});
    CHECK(w->blocks_written() == 1);
    w->finish();
    CHECK(fs::file_size(path) == 14292 + 6 + 86 + 6);
    const Bytes t = read_file(path);
    CHECK(Bytes(t.begin(), t.begin() + 14292) == Bytes(original.begin(), original.begin() + 14292));
    CHECK(strict_records(path) == std::vector<Bytes>{first[0], first[1], first[2], first[3], {}, eov, {}});
}

TEST_CASE("AWS writer: Hercules' tapemap and hetmap read a tape continued after its EOJ")
{
    if (!have_program("hetmap") || !have_program("tapemap"))
        FAIL("Hercules 3.13 utilities are not installed (make deps)");
    TempDir dir;
    const std::string path = dir.file("two.aws");
    write_tape(path, dump_records(1), append_options(std::nullopt));
    auto w = appender(path, 14292);  // right after the EOJ block: its trailer and tape mark go
    write_records(*w, {{}, test_block(80, 11), test_block(4096, 12), test_block(80, 13), test_block(80, 14), {}});
    w->finish();

    // hetmap counts blocks; tapemap counts chunks (the 10,000-byte block is 3 of them).
    int rc = 0;
    CHECK(parse_tape_map(run_command("hetmap -t " + path + " 2>/dev/null", rc)) ==
          std::vector<MapFile>{{4, 80, 10000}, {4, 80, 4096}});
    CHECK(rc == 0);
    CHECK(parse_tape_map(run_command("tapemap " + path + " 2>/dev/null", rc)) ==
          std::vector<MapFile>{{6, 80, 4096}, {4, 80, 4096}});
    CHECK(rc == 0);
}

TEST_CASE("AWS writer: a write error during append_at leaves the tape as it was")
{
    TempDir dir;
    const std::string path = dir.file("tape.aws");
    write_tape(path, dump_records(1), append_options(std::nullopt));
    const Bytes original = read_file(path);

    // The disk is "full" at the old end of the file: our writing fails once it passes it,
    // in write_block (a flush of the write buffer) or in finish().
    {
        for (uint32_t blocks : {10u, 800u}) {
            CAPTURE(blocks);
            write_file(path, original);
            auto w = appender(path, 4188);
            std::optional<Error> e;
            {
                FileSizeLimit full(original.size());
                REQUIRE(full.active());
                e = caught([&] {
                    w->write_tapemark();
                    for (uint32_t i = 0; i < blocks; ++i)
                        w->write_block(test_block(4096, i));
                    w->finish();
                });
                w.reset();  // abandoned while the disk is still full
            }
            REQUIRE(e);
            CHECK(e->kind() == ErrorKind::WriteFailed);
            CHECK(e->place().file == path);
            CHECK(read_file(path) == original);
            CHECK(names_in(dir.path()) == std::vector<std::string>{"tape.aws"});
        }
    }
}
