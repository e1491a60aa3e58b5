#include "formats/aws_tape.hpp"
#include "formats/het_tape.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/tape_testing.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <thread>

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

std::vector<std::string> folder_entries(const fs::path& folder)
{
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
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
    auto e = error_from([&] {
        auto r = aws_reader(path, strict);
        read_all(*r);
    });
    REQUIRE(e.has_value());
    return *e;
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

    // The layout of §5.1: 50 00 00 00 A0 00 VOL1 | 50 00 50 00 A0 00 HDR1 | 00 00 50 00 40 00.
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
          "2 wrong previous-length field(s); the first: AWS header at offset 86 gives the previous chunk length as 79, "
          "but that chunk holds 80 bytes");

    Error e = read_error(dir.file("prev.aws"), true);
    CHECK(e.kind() == ErrorKind::Unreadable);
    CHECK(e.place().offset == 86);
    CHECK(e.place().block == 2);

    // open_tape_reader's strict option reaches the same check.
    TapeReaderOptions strict;
    strict.strict = true;
    auto e2 = error_from([&] {
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

    auto missing = error_from([&] { aws_reader(dir.file("missing.aws")); });
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
        auto names = folder_entries(dir.path());
        REQUIRE(names.size() == 1);
        CHECK(names[0].rfind(".new.aws.ddr-", 0) == 0);  // hidden, next to the target
        w->write_tapemark();
        w->finish();
        CHECK(folder_entries(dir.path()) == std::vector<std::string>{"new.aws"});
    }
    CHECK(fs::file_size(path) == 86 + 6);

    // Abandoned: the temporary file goes, nothing else appears.
    {
        auto w = create_tape_writer(dir.file("abandoned.aws"), {});
        w->write_block(test_block(5000000 / 3, 2));
        w->write_block(test_block(2000000, 3));
        CHECK(folder_entries(dir.path()).size() == 2);
    }
    CHECK(folder_entries(dir.path()) == std::vector<std::string>{"new.aws"});
}

TEST_CASE("AWS writer: an existing file is refused unless overwrite is set")
{
    TempDir dir;
    const std::string path = dir.file("old.aws");
    write_file(path, Bytes{1, 2, 3});
    auto e = error_from([&] { create_tape_writer(path, {}); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Refused);
    CHECK(e->place().file == path);
    CHECK(read_file(path) == Bytes{1, 2, 3});

    TapeWriterOptions o;
    o.overwrite = true;
    write_tape(path, {test_block(80, 1), {}}, o);
    CHECK(fs::file_size(path) == 92);

    auto folder = error_from([&] { create_tape_writer(dir.path().string(), o); });
    REQUIRE(folder);
    CHECK(folder->kind() == ErrorKind::Refused);
}

TEST_CASE("AWS writer: bad options are usage errors")
{
    TempDir dir;
    for (uint32_t chunk : {0u, 4095u, 65536u}) {
        TapeWriterOptions o;
        o.chunk_size = chunk;
        auto e = error_from([&] { create_tape_writer(dir.file("x.aws"), o); });
        REQUIRE(e);
        CHECK(e->kind() == ErrorKind::Usage);
    }
    TapeWriterOptions fmt;
    fmt.format = "FAKETAPE";
    auto e = error_from([&] { create_tape_writer(dir.file("x.aws"), fmt); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Usage);
    CHECK(folder_entries(dir.path()).empty());

    auto w = create_tape_writer(dir.file("x.aws"), {});
    Bytes huge(kMaxTapeBlock + 1);
    auto e2 = error_from([&] { w->write_block(huge); });
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
    auto e = error_from([&] { create_tape_writer(open_end, o); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Refused);
    CHECK(e->place().offset == before.size());
    CHECK(read_file(open_end) == before);

    // A damaged tape: the reader's error, with its place.
    const std::string damaged = dir.file("damaged.aws");
    Bytes bad = before;
    bad.resize(bad.size() - 10);
    write_file(damaged, bad);
    auto e2 = error_from([&] { create_tape_writer(damaged, o); });
    REQUIRE(e2);
    CHECK(e2->kind() == ErrorKind::Unreadable);
    CHECK(e2->place().offset == 92);

    // HET-compressed blocks cannot be continued as AWS (but can as HET).
    const std::string het = dir.file("z.het");
    TapeWriterOptions z;
    z.format = "HET";
    z.compression = 1;
    write_tape(het, {test_block(4000, 3), {}}, z);
    auto e3 = error_from([&] { create_tape_writer(het, o); });
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
    auto stale = error_from([&] { w->rewind_to(m1); });
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
    std::optional<Error> failure = error_from([&] {
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
        auto e = error_from([&] { w->rewind_to(m2); });
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
