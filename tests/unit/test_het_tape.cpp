#include "formats/tape/het_tape.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/tape_testing.hpp"

#include <doctest/doctest.h>

#include <bzlib.h>
#include <zlib.h>

#include <iostream>
#include <thread>
#include <unistd.h>

using namespace ddr;
using namespace ddr::test;

namespace {

TapeWriterOptions het_options(int compression, uint32_t chunk = 65535, int level = 4)
{
    TapeWriterOptions o;
    o.format = "HET";
    o.compression = compression;
    o.chunk_size = chunk;
    o.level = level;
    return o;
}

void write_tape(const std::string& path, const std::vector<Bytes>& records, const TapeWriterOptions& options)
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

// What read_all gives, reduced to the records (an empty Bytes for a tape mark).
std::vector<Bytes> records_of(const std::string& path)
{
    auto reader = open_tape_reader(path);
    std::vector<Bytes> out;
    for (const ReadRecord& r : read_all(*reader)) {
        if (r.kind == TapeRecord::Block)
            out.push_back(r.data);
        else if (r.kind == TapeRecord::TapeMark)
            out.push_back({});
    }
    return out;
}

struct Chunk {
    uint16_t length;
    uint16_t previous;
    uint8_t flags1;
};

std::vector<Chunk> chunks_of(const Bytes& tape)
{
    std::vector<Chunk> out;
    for (size_t pos = 0; pos + 6 <= tape.size();) {
        AwsHeader h = AwsHeader::decode(tape.data() + pos);
        out.push_back({h.length, h.previous, h.flags1});
        pos += 6 + h.length;
    }
    return out;
}

// A mixed tape of blocks Hercules 3.13 can read (<= 65,535 bytes): compressible ones,
// incompressible ones (stored raw even in HET), tape marks.  `random_size` is the size of
// the big incompressible block: H3.13's bzip2 writer fails on one of 65,535 bytes
// (het_write() returns HETE_COMPERR: its output buffer is 65,535 x 1.001 + 12 bytes and
// bzip2 expands random data by more), so the bzip2 comparison uses a smaller one.
std::vector<Bytes> interop_records(size_t random_size = 65535)
{
    std::vector<Bytes> r;
    r.push_back(test_block(80, 1));
    for (uint32_t i = 0; i < 6; ++i)
        r.push_back(test_block(4096, 10 + i, i % 3 != 2));
    r.push_back(test_block(1000, 20, false));
    r.push_back({});
    r.push_back(test_block(65535, 30));
    r.push_back(test_block(random_size, 31, false));
    r.push_back(test_block(32760, 32));
    r.push_back({});
    r.push_back({});
    return r;
}

Error read_error(const std::string& path)
{
    auto e = caught([&] {
        auto r = open_tape_reader(path);
        read_all(*r);
    });
    REQUIRE(e.has_value());
    return *e;
}

} // namespace

TEST_CASE("HET writer: a labelled tape is byte-identical to hetinit's zlib output")
{
    if (!have_program("hetinit"))
        FAIL("Hercules 3.13 utilities are not installed (make deps)");
    TempDir dir;
    int rc = 0;
    run_command("hetinit -d " + dir.file("lab.aws") + " VOL002 OWNER2 >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    run_command("hetinit " + dir.file("lab.het") + " VOL002 OWNER2 >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    const Bytes theirs = read_file(dir.file("lab.het"));
    // 20 00 00 00 A1 00 78 5E ...(32) | 0F 00 20 00 A1 00 78 5E ...(15) | 00 00 0F 00 40 00: 65 bytes.
    REQUIRE(theirs.size() == 65);
    auto c = chunks_of(theirs);
    REQUIRE(c.size() == 3);
    CHECK((c[0].length == 32 && c[0].previous == 0 && c[0].flags1 == 0xA1));
    CHECK((c[1].length == 15 && c[1].previous == 32 && c[1].flags1 == 0xA1));
    CHECK((c[2].length == 0 && c[2].previous == 15 && c[2].flags1 == 0x40));
    CHECK((theirs[6] == 0x78 && theirs[7] == 0x5E));

    std::vector<Bytes> labels = records_of(dir.file("lab.aws"));
    CHECK(records_of(dir.file("lab.het")) == labels);
    write_tape(dir.file("ours.het"), labels, het_options(1));
    CHECK(read_file(dir.file("ours.het")) == theirs);
}

TEST_CASE("HET: hetupd converts our tapes to and from exactly what we write")
{
    if (!have_program("hetupd") || !have_program("hetmap"))
        FAIL("Hercules 3.13 utilities are not installed (make deps)");
    TempDir dir;
    const std::vector<Bytes> records = interop_records(), records_bz = interop_records(30000);
    const std::string aws = dir.file("ours.aws"), zl = dir.file("ours-z.het");
    const std::string aws_bz = dir.file("ours-for-bz.aws"), bz = dir.file("ours-bz.het");
    write_tape(aws, records, {});
    write_tape(zl, records, het_options(1));
    write_tape(aws_bz, records_bz, {});
    write_tape(bz, records_bz, het_options(2));

    int rc = 0;
    // hetupd -z / -b (zlib / bzip2 at level 4, 65,535-byte chunks) give our bytes exactly ...
    run_command("hetupd -z " + aws + " " + dir.file("theirs-z.het") + " >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    CHECK(read_file(dir.file("theirs-z.het")) == read_file(zl));
    run_command("hetupd -b " + aws_bz + " " + dir.file("theirs-bz.het") + " >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    CHECK(read_file(dir.file("theirs-bz.het")) == read_file(bz));
    // ... and we read what they wrote back to the same blocks.
    CHECK(records_of(dir.file("theirs-z.het")) == records);
    CHECK(records_of(dir.file("theirs-bz.het")) == records_bz);

    // hetupd -d undoes our compression into our AWS bytes.
    run_command("hetupd -d " + zl + " " + dir.file("back-z.aws") + " >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    CHECK(read_file(dir.file("back-z.aws")) == read_file(aws));
    run_command("hetupd -d " + bz + " " + dir.file("back-bz.aws") + " >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    CHECK(read_file(dir.file("back-bz.aws")) == read_file(aws_bz));

    // Smaller chunks: hetupd -c 4096 -z against our chunk_size 4096.
    write_tape(dir.file("ours-4k.het"), records, het_options(1, 4096));
    run_command("hetupd -z -c 4096 " + aws + " " + dir.file("theirs-4k.het") + " >/dev/null 2>&1", rc);
    REQUIRE(rc == 0);
    CHECK(read_file(dir.file("theirs-4k.het")) == read_file(dir.file("ours-4k.het")));

    // hetmap sees the uncompressed block sizes per file.
    const std::vector<MapFile> expected = {{8, 80, 4096}, {3, 32760, 65535}, {0, 0, 0}};
    for (const std::string& t : {aws, zl}) {
        CAPTURE(t);
        CHECK(parse_tape_map(run_command("hetmap -t " + t + " 2>/dev/null", rc)) == expected);
        CHECK(rc == 0);
    }
    const std::vector<MapFile> expected_bz = {{8, 80, 4096}, {3, 30000, 65535}, {0, 0, 0}};
    CHECK(parse_tape_map(run_command("hetmap -t " + bz + " 2>/dev/null", rc)) == expected_bz);
    CHECK(rc == 0);
    // tapemap does not decompress: it sees the stored sizes, but the same files and blocks.
    for (const std::string& t : {zl, bz}) {
        CAPTURE(t);
        auto files = parse_tape_map(run_command("tapemap " + t + " 2>/dev/null", rc));
        CHECK(rc == 0);
        REQUIRE(files.size() == 3);
        CHECK(files[0].blocks == 8);
        CHECK(files[1].blocks == 3);
        CHECK(files[2].blocks == 0);
    }
}

TEST_CASE("HET: large blocks round trip; compressed blocks are chunked with their flags")
{
    TempDir dir;
    std::vector<Bytes> records = {test_block(80, 1),         test_block(65536, 2),        test_block(300000, 3),
                                  test_block(300000, 4, false), Bytes(kMaxTapeBlock, 0xC1), {}};
    for (int method : {1, 2}) {
        CAPTURE(method);
        const std::string path = dir.file("big" + std::to_string(method) + ".het");
        write_tape(path, records, het_options(method));
        auto reader = open_tape_reader(path, TapeReaderOptions{true});
        CHECK(reader->format() == "HET");
        auto back = read_all(*reader);
        REQUIRE(back.size() == records.size() + 1);
        for (size_t i = 0; i + 1 < records.size(); ++i)
            CHECK(back[i].data == records[i]);

        const uint8_t bits = uint8_t(method);
        auto c = chunks_of(read_file(path));
        // 80 bytes of text: smaller with zlib; bzip2's overhead makes it bigger, so raw.
        if (method == 1) {
            CHECK(c[0].flags1 == 0xA1);
            CHECK(c[0].length < 80);
        } else {
            CHECK(c[0].flags1 == 0xA0);
            CHECK(c[0].length == 80);
        }
        // 65,536 half-random bytes: about half after compression, so one chunk.
        CHECK(c[1].flags1 == (0xA0 | bits));
        CHECK(c[1].previous == c[0].length);
        // 300,000 half-random bytes: > 65,535 after compression, so 3 chunks, all flagged.
        CHECK(c[2].flags1 == (0x80 | bits));
        CHECK(c[2].length == 65535);
        CHECK(c[3].flags1 == bits);
        CHECK(c[3].previous == 65535);
        CHECK(c[4].flags1 == (0x20 | bits));
        // 300,000 random bytes do not shrink: stored raw, 5 chunks without compression bits.
        CHECK(c[5].flags1 == 0x80);
        CHECK(c[9].flags1 == 0x20);
        CHECK(c[9].length == 300000 - 4 * 65535);
        // 2 MiB of one character: a few hundred bytes.
        CHECK(c[10].flags1 == (0xA0 | bits));
        CHECK(c[11].flags1 == 0x40);
    }
}

TEST_CASE("HET decompressor: blocks on each side of its buffer sizes, large then small, cut short after growing")
{
    // The decompressor's buffer starts at 64 KiB and doubles as blocks need: sizes at
    // and around each step, in an order that shrinks after growing.
    const std::vector<size_t> sizes = {65535, 65536, 65537, 1, 131072, 131073, kMaxTapeBlock, 10, kMaxTapeBlock - 1};
    for (int method : {1, 2}) {
        CAPTURE(method);
        HetBlockCompressor compressor(method, 4);
        HetBlockDecompressor decompressor;
        for (size_t i = 0; i < sizes.size(); ++i) {
            CAPTURE(sizes[i]);
            const Bytes block = test_block(sizes[i], uint32_t(i + 7));
            uint8_t flags1 = 0;
            const ByteSpan stored = compressor.compress(block, flags1);
            if (flags1 == 0)
                continue;  // stored raw (tiny blocks): nothing to decompress
            Bytes back;
            decompressor.decompress(stored, flags1, 0, back);
            CHECK(back == block);
        }
        // A stream cut short once its output has outgrown the first buffer: the error,
        // and the decompressor still works for the next block.
        const Bytes big = test_block(500000, 3);
        uint8_t flags1 = 0;
        const ByteSpan stored = compressor.compress(big, flags1);
        REQUIRE(flags1 == method);
        const Bytes cut(stored.begin(), stored.begin() + stored.size() * 3 / 4);
        Bytes back;
        try {
            decompressor.decompress(cut, flags1, 0, back);
            FAIL("a stream cut short was decompressed");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::Unreadable);
            CHECK(std::string(e.what()).find("cut short") != std::string::npos);
        }
        const Bytes again = test_block(70000, 4);
        const ByteSpan stored_again = compressor.compress(again, flags1);
        REQUIRE(flags1 == method);
        decompressor.decompress(stored_again, flags1, 0, back);
        CHECK(back == again);
    }
}

TEST_CASE("HET writer: compression 0 writes a plain AWS tape; levels change the bytes")
{
    TempDir dir;
    const std::vector<Bytes> records = {test_block(4096, 1), {}};
    write_tape(dir.file("plain.het"), records, het_options(0));
    write_tape(dir.file("plain.aws"), records, {});
    CHECK(read_file(dir.file("plain.het")) == read_file(dir.file("plain.aws")));
    auto reader = open_tape_reader(dir.file("plain.het"));
    CHECK(reader->format() == "AWS");

    const std::vector<Bytes> big = {test_block(60000, 5)};
    write_tape(dir.file("l1.het"), big, het_options(2, 65535, 1));
    write_tape(dir.file("l9.het"), big, het_options(2, 65535, 9));
    const Bytes l1 = read_file(dir.file("l1.het")), l9 = read_file(dir.file("l9.het"));
    CHECK((l1[6] == 'B' && l1[7] == 'Z' && l1[8] == 'h' && l1[9] == '1'));
    CHECK(l9[9] == '9');
    CHECK(records_of(dir.file("l1.het")) == big);

    for (int level : {0, 10}) {
        auto e = caught([&] { create_tape_writer(dir.file("x.het"), het_options(1, 65535, level)); });
        REQUIRE(e);
        CHECK(e->kind() == ErrorKind::Usage);
    }
    auto e = caught([&] { create_tape_writer(dir.file("x.het"), het_options(3)); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Usage);
}

TEST_CASE("HET reader: corrupt, truncated, oversized and mislabelled blocks")
{
    TempDir dir;
    const std::string path = dir.file("bad.het");
    const Bytes text = test_block(4000, 1);

    // A valid first block, then one crafted block: header + payload.
    auto tape_with = [&](uint8_t flags1, uint8_t flags2, const Bytes& payload) {
        Bytes t = aws_header(80, 0, 0xA0);
        append(t, test_block(80, 2));
        append(t, aws_header(uint16_t(payload.size()), 80, flags1, flags2));
        append(t, payload);
        write_file(path, t);
    };
    auto zlib_of = [](const Bytes& data) {
        uLongf n = compressBound(uLong(data.size()));
        Bytes out(n);
        REQUIRE(compress2(out.data(), &n, data.data(), uLong(data.size()), 4) == Z_OK);
        out.resize(n);
        return out;
    };
    auto bzip2_of = [](const Bytes& data) {
        unsigned n = unsigned(data.size() + data.size() / 100 + 600);
        Bytes out(n);
        REQUIRE(BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &n,
                                         reinterpret_cast<char*>(const_cast<uint8_t*>(data.data())),
                                         unsigned(data.size()), 4, 0, 0) == BZ_OK);
        out.resize(n);
        return out;
    };
    const Bytes z = zlib_of(text), b = bzip2_of(text);

    struct Case {
        const char* what;
        uint8_t flags1, flags2;
        Bytes payload;
        const char* phrase;
    };
    Bytes z_corrupt = z;
    z_corrupt[z.size() / 2] ^= 0xFF;
    z_corrupt[z.size() / 2 + 1] ^= 0xFF;
    Bytes z_bad_check = z;
    z_bad_check.back() ^= 1;  // the Adler-32 at the end
    Bytes z_short(z.begin(), z.end() - 10);
    Bytes z_trailing = z;
    z_trailing.push_back(0);
    Bytes b_corrupt = b;
    b_corrupt[b.size() / 2] ^= 0xFF;
    Bytes b_short(b.begin(), b.end() - 10);
    Bytes b_trailing = b;
    b_trailing.push_back(0);
    const Bytes z_huge = zlib_of(Bytes(kMaxTapeBlock + 1, 0));
    const Bytes b_huge = bzip2_of(Bytes(kMaxTapeBlock + 1, 0));
    const std::vector<Case> cases = {
        {"zlib corrupt", 0xA1, 0, z_corrupt, "corrupt zlib data"},
        {"zlib checksum", 0xA1, 0, z_bad_check, "corrupt zlib data"},
        {"zlib cut short", 0xA1, 0, z_short, "zlib data in the block is cut short"},
        {"zlib trailing bytes", 0xA1, 0, z_trailing, "zlib data ends 1 bytes before the end of the block"},
        {"zlib over 2 MiB", 0xA1, 0, z_huge, "decompresses to more than 2097152 bytes"},
        {"bzip2 corrupt", 0xA2, 0, b_corrupt, "corrupt bzip2 data"},
        {"bzip2 cut short", 0xA2, 0, b_short, "bzip2 data in the block is cut short"},
        {"bzip2 trailing bytes", 0xA2, 0, b_trailing, "bzip2 data ends 1 bytes before the end of the block"},
        {"bzip2 over 2 MiB", 0xA2, 0, b_huge, "decompresses to more than 2097152 bytes"},
        {"zlib data flagged bzip2", 0xA2, 0, z, "corrupt bzip2 data"},
        {"both methods", 0xA3, 0, z, "conflicting compression flags (0x03 0x00)"},
        {"zlib and Bus-Tech", 0xA1, 0x80, z, "conflicting compression flags (0x01 0x80)"},
        {"not compressed at all", 0xA1, 0, text, "corrupt zlib data"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.what);
        tape_with(c.flags1, c.flags2, c.payload);
        Error e = read_error(path);
        CHECK(e.kind() == ErrorKind::Unreadable);
        CHECK(e.place().file == path);
        CHECK(e.place().block == 2);
        CHECK(e.place().offset == 86);
        CHECK(e.detail().find(c.phrase) != std::string::npos);
    }

    // Bus-Tech's flag (flags2 X'80') is zlib too.
    tape_with(0xA0, 0x80, z);
    CHECK(records_of(path) == std::vector<Bytes>{test_block(80, 2), text});
}

TEST_CASE("open_tape_reader: recognises AWS and HET by their bytes, and nothing else")
{
    TempDir dir;
    const std::string aws = dir.file("a.aws"), het = dir.file("h.het");
    write_tape(aws, {test_block(80, 1), {}}, {});
    write_tape(het, {test_block(4000, 1), {}}, het_options(1));
    CHECK(open_tape_reader(aws)->format() == "AWS");
    CHECK(open_tape_reader(het)->format() == "HET");

    // HET whose first header says nothing (a tape mark, a raw block): looked for further on.
    const std::string late = dir.file("late.het");
    write_tape(late, {{}, test_block(80, 1, false), test_block(4000, 2)}, het_options(1));
    auto c = chunks_of(read_file(late));
    CHECK((c[0].flags1 == 0x40 && c[1].flags1 == 0xA0 && c[2].flags1 == 0xA1));
    CHECK(open_tape_reader(late)->format() == "HET");
    // Beyond the first headers the reader still finds out, when it meets one.
    std::vector<Bytes> many(40, test_block(80, 3, false));
    many.push_back(test_block(4000, 4));
    const std::string later = dir.file("later.het");
    write_tape(later, many, het_options(1));
    auto reader = open_tape_reader(later);
    CHECK(reader->format() == "AWS");
    read_all(*reader);
    CHECK(reader->format() == "HET");

    struct Bad {
        const char* what;
        Bytes bytes;
        const char* phrase;
    };
    auto text = [](const std::string& s) { return Bytes(s.begin(), s.end()); };
    Bytes ckd = text("CKD_P370");
    ckd.resize(512, 0);
    const std::vector<Bad> bad = {
        {"a CKD image", ckd, "not an AWS or HET tape (first header: length 19267, previous 24388, flags 0x50 0x33)"},
        {"zeros", Bytes(4096, 0), "not an AWS or HET tape (first header: length 0, previous 0, flags 0x00 0x00)"},
        {"too short", Bytes{0x50, 0, 0}, "not an AWS or HET tape: only 3 bytes"},
        {"FakeTape", text("000000500050VOL1"), "a FakeTape (Flex-ES) file"},
        {"OMA", text("@TDF\n"), "an OMA tape descriptor file"},
        {"middle chunk first", [] { Bytes t = aws_header(4, 0, 0x00); t.resize(10); return t; }(),
         "not an AWS or HET tape"},
        {"previous length, then no chain",
         [] {
             Bytes t = aws_header(4, 7, 0xA0);
             t.resize(10);
             append(t, aws_header(4, 4, 0x00));
             t.resize(20);
             return t;
         }(),
         "not an AWS or HET tape"},
    };
    for (const Bad& x : bad) {
        CAPTURE(x.what);
        write_file(dir.file("bad"), x.bytes);
        auto e = caught([&] { open_tape_reader(dir.file("bad")); });
        REQUIRE(e);
        CHECK(e->kind() == ErrorKind::Unreadable);
        CHECK(e->place().file == dir.file("bad"));
        CHECK(e->detail().find(x.phrase) != std::string::npos);
    }

    // A first header with a nonzero previous length is accepted when the chain goes on
    // (a tape cut out of a longer one); the reader counts the mismatch.
    Bytes cut = aws_header(4, 7, 0xA0);
    cut.resize(10);
    append(cut, aws_header(0, 4, 0x40));
    write_file(dir.file("cut.aws"), cut);
    auto cut_reader = open_tape_reader(dir.file("cut.aws"));
    CHECK(read_all(*cut_reader).size() == 3);
    CHECK_FALSE(cut_reader->tolerated_irregularities().empty());

    // An empty file is an empty tape.
    write_file(dir.file("empty"), {});
    Bytes block;
    CHECK(open_tape_reader(dir.file("empty"))->read(block) == TapeRecord::EndOfData);
}

TEST_CASE("HET and AWS streams through standard input and output")
{
    TempDir dir;
    const std::vector<Bytes> records = {test_block(80, 1), test_block(70000, 2), test_block(4096, 3, false), {}};

    for (const char* format : {"AWS", "HET"}) {
        CAPTURE(std::string(format));
        TapeWriterOptions o = het_options(2);
        o.format = format;
        const std::string reference = dir.file(std::string("ref.") + format);
        write_tape(reference, records, o);

        // Writer on standard output: fd 1 temporarily points at a pipe drained by a thread.
        int out_pipe[2];
        REQUIRE(::pipe(out_pipe) == 0);
        Bytes captured;
        std::thread drain([&] {
            uint8_t buf[65536];
            ssize_t n;
            while ((n = ::read(out_pipe[0], buf, sizeof buf)) > 0)
                captured.insert(captured.end(), buf, buf + n);
        });
        std::cout.flush();
        std::fflush(stdout);
        const int saved_out = ::dup(STDOUT_FILENO);
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::close(out_pipe[1]);
        std::string name;
        auto failure = caught([&] {
            auto w = create_tape_writer("-", o);
            name = w->name();
            for (const Bytes& r : records) {
                if (r.empty())
                    w->write_tapemark();
                else
                    w->write_block(r);
            }
            w->finish();
        });
        ::dup2(saved_out, STDOUT_FILENO);  // also closes the pipe's last write end
        ::close(saved_out);
        drain.join();
        ::close(out_pipe[0]);
        REQUIRE_FALSE(failure);
        CHECK(name == "standard output");
        CHECK(captured == read_file(reference));

        // Reader on standard input: fd 0 temporarily reads a pipe fed by a thread.
        int in_pipe[2];
        REQUIRE(::pipe(in_pipe) == 0);
        std::thread feed([&] {
            size_t done = 0;
            while (done < captured.size()) {
                ssize_t n = ::write(in_pipe[1], captured.data() + done, captured.size() - done);
                if (n <= 0)
                    break;
                done += size_t(n);
            }
            ::close(in_pipe[1]);
        });
        const int saved_in = ::dup(STDIN_FILENO);
        ::dup2(in_pipe[0], STDIN_FILENO);
        ::close(in_pipe[0]);
        std::vector<ReadRecord> got;
        std::string format_seen, reader_name;
        auto read_failure = caught([&] {
            auto r = open_tape_reader("-");
            got = read_all(*r);
            format_seen = r->format();
            reader_name = r->name();
        });
        ::dup2(saved_in, STDIN_FILENO);
        ::close(saved_in);
        feed.join();
        REQUIRE_FALSE(read_failure);
        CHECK(reader_name == "standard input");
        CHECK(format_seen == format);
        REQUIRE(got.size() == records.size() + 1);
        for (size_t i = 0; i < records.size(); ++i)
            CHECK(got[i].data == records[i]);
    }
}

TEST_CASE("HET writer: mark and rewind keep the compressed chain consistent")
{
    TempDir dir;
    const std::string path = dir.file("eov.het");
    auto w = create_tape_writer(path, het_options(1));
    w->write_block(test_block(80, 1));
    w->write_block(test_block(4096, 2));
    TapeMarkPosition m = w->mark();
    w->write_block(test_block(4096, 3));
    w->write_block(test_block(4096, 4));
    w->rewind_to(m);
    CHECK(w->blocks_written() == 2);
    w->write_block(test_block(80, 5));
    w->write_tapemark();
    w->finish();
    CHECK(records_of(path) == std::vector<Bytes>{test_block(80, 1), test_block(4096, 2), test_block(80, 5), {}});
    auto reader = open_tape_reader(path, TapeReaderOptions{true});
    CHECK(read_all(*reader).size() == 5);
}

namespace {

// A dump-like run against a HET writer of `workers` compression threads: marks before
// every group, groups of blocks of many sizes (tiny, compressible, incompressible, over a
// chunk), position() now and then (checked against position_at_most() taken first),
// rewinds over the last group, tape marks; returns the tape's bytes.
Bytes pooled_run(const std::string& path, int method, uint32_t chunk, unsigned workers)
{
    TapeWriterOptions o = het_options(method, chunk);
    HetTapeWriter w(AwsChunkWriter::open(path, o, true), method, 4, workers);
    uint64_t blocks = 0;
    const size_t sizes[] = {1, 80, 4096, 4096, 70000, 300, 65535, 2};
    for (uint32_t group = 0; group < 120; ++group) {
        const TapeMarkPosition m = w.mark();
        const uint64_t at_mark = blocks;
        const uint32_t n = 1 + group % 3;
        for (uint32_t i = 0; i < n; ++i) {
            const size_t size = sizes[(group + i) % std::size(sizes)];
            w.write_block(test_block(size, group * 7 + i, (group + i) % 4 != 0));
            ++blocks;
        }
        CHECK(w.blocks_written() == blocks);
        if (group % 11 == 5) {
            w.rewind_to(m);
            blocks = at_mark;
            CHECK(w.blocks_written() == blocks);
            w.write_block(test_block(500, group));
            ++blocks;
        }
        if (group % 13 == 0) {
            const uint64_t bound = w.position_at_most();
            const uint64_t exact = w.position();
            CHECK(exact <= bound);
            CHECK(w.position_at_most() == exact);  // nothing left in the pool
        }
        if (group % 29 == 3)
            w.write_tapemark();
    }
    // A mark with nothing after it, then a rewind to it: nothing changes.
    const TapeMarkPosition last = w.mark();
    w.rewind_to(last);
    w.write_tapemark();
    CHECK(w.blocks_written() == blocks);
    w.finish();
    return read_file(path);
}

} // namespace

TEST_CASE("HET writer: blocks compressed on worker threads give the bytes of one thread")
{
    TempDir dir;
    for (int method : {1, 2}) {
        for (uint32_t chunk : {65535u, 4096u}) {
            CAPTURE(method);
            CAPTURE(chunk);
            const std::string run = std::to_string(method) + "-" + std::to_string(chunk);
            const Bytes alone = pooled_run(dir.file(run + "-alone.het"), method, chunk, 0);
            for (unsigned workers : {1u, 3u}) {
                CAPTURE(workers);
                CHECK(pooled_run(dir.file(run + "-pool" + std::to_string(workers) + ".het"), method, chunk, workers) ==
                      alone);
            }
        }
    }
}

TEST_CASE("HET writer: a rewind to an older mark than the last is refused")
{
    TempDir dir;
    HetTapeWriter w(AwsChunkWriter::open(dir.file("t.het"), het_options(1), true), 1, 4, 2);
    w.write_block(test_block(4096, 1));
    const TapeMarkPosition first = w.mark();
    w.write_block(test_block(4096, 2));
    w.mark();
    w.write_block(test_block(4096, 3));
    auto e = caught([&] { w.rewind_to(first); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Internal);
}

TEST_CASE("HET writer: append_at continues a compressed tape after a block, or puts it back")
{
    TempDir dir;
    const std::string path = dir.file("tape.het");
    const std::vector<Bytes> first = {test_block(80, 1), test_block(4096, 2), test_block(4096, 3), test_block(80, 4),
                                      {}};
    write_tape(path, first, het_options(1));
    const Bytes original = read_file(path);
    // Cut after the second (compressed) block: the first new header must give its stored length.
    const std::vector<Chunk> old_chunks = chunks_of(original);
    REQUIRE(old_chunks.size() == 5);
    REQUIRE(old_chunks[1].flags1 == 0xA1);
    const uint64_t cut = 6 + old_chunks[0].length + 6 + old_chunks[1].length;
    const uint16_t previous = old_chunks[1].length;
    TapeWriterOptions o = het_options(1);
    o.append = true;
    o.append_at = cut;

    // Abandoned after writing past the old end: the tape was never touched.
    {
        HetTapeWriter w(AwsChunkWriter::open(path, o, true), 1, 4, 2);
        CHECK(w.position() == cut);
        CHECK(w.mark().state == previous);
        w.write_tapemark();
        for (uint32_t i = 0; i < 600; ++i)  // incompressible, about 2.5 MB: on disk
            w.write_block(test_block(4096, 100 + i, false));
    }
    CHECK(read_file(path) == original);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()) == 1);

    // Mid-block offsets are refused here too.
    o.append_at = cut + 3;
    auto e = caught([&] { create_tape_writer(path, o); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Usage);
    CHECK(e->place().offset == cut + 3);

    // Finished: the kept part, then our tape mark whose previous length chains on.
    o.append_at = cut;
    const std::vector<Bytes> second = {{}, test_block(80, 11), test_block(4096, 12), test_block(80, 13), {}};
    write_tape(path, second, o);
    const Bytes t = read_file(path);
    CHECK(Bytes(t.begin(), t.begin() + std::ptrdiff_t(cut)) ==
          Bytes(original.begin(), original.begin() + std::ptrdiff_t(cut)));
    const std::vector<Chunk> chunks = chunks_of(t);
    REQUIRE(chunks.size() == 7);
    CHECK((chunks[2].length == 0 && chunks[2].previous == previous && chunks[2].flags1 == 0x40));
    CHECK(chunks[4].flags1 == 0xA1);  // the new 4,096-byte block is compressed
    std::vector<Bytes> expected = {first[0], first[1]};
    expected.insert(expected.end(), second.begin(), second.end());
    CHECK(records_of(path) == expected);
    auto strict = open_tape_reader(path, TapeReaderOptions{true});
    CHECK(read_all(*strict).size() == expected.size() + 1);

    if (!have_program("hetmap"))
        FAIL("Hercules 3.13 utilities are not installed (make deps)");
    int rc = 0;
    CHECK(parse_tape_map(run_command("hetmap -t " + path + " 2>/dev/null", rc)) ==
          std::vector<MapFile>{{2, 80, 4096}, {3, 80, 4096}});
    CHECK(rc == 0);
}
