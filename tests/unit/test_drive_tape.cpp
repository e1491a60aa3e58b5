// Tape drives (formats/tape/drive_tape.*) over the simulated st drive: whole DDR dumps
// through DdrReelWriter compared block for block with file-based dumps, the early warning
// ending a reel as --reel-size does, appends, dispositions, and every error path.
#include "tests/unit/error_testing.hpp"
#include "tests/unit/simulated_drive.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/tape_testing.hpp"

#include "ddr/exit_codes.hpp"
#include "formats/ddrtape/reel_writer.hpp"
#include "formats/ddrtape/stream.hpp"
#include "formats/tape/drive_tape.hpp"

#include <doctest/doctest.h>

#include <numeric>

using namespace ddr;
using namespace ddr::test;

namespace {

constexpr unsigned kHeads = 15;

DdrVolumeHeader drive_test_vhr(uint64_t tod)
{
    DdrVolumeHeader vhr;
    vhr.tod = tod;
    vhr.mrec = 1;
    vhr.cyla = 100;
    vhr.mtck = kHeads - 1;
    return vhr;
}

// The tape blocks of track `t`: two full 4096-byte blocks and a last one whose length varies.
std::vector<Bytes> track_blocks(unsigned t)
{
    return {test_block(4096, t * 3), test_block(4096, t * 3 + 1), test_block(80 + (t * 397) % 3000, t * 3 + 2)};
}

// Dumps `tracks` tracks of made-up groups through the reel writer.
void dump_tracks(ReelOutputs& outputs, ReelLimit limit, unsigned tracks, uint64_t tod = 0x1234)
{
    DdrReelWriter writer(outputs, limit, drive_test_vhr(tod), {});
    for (unsigned t = 0; t < tracks; ++t) {
        const std::vector<Bytes> blocks = track_blocks(t);
        std::vector<ByteSpan> spans(blocks.begin(), blocks.end());
        writer.write_group(spans, 8192 + blocks[2].size(), uint16_t(t / kHeads), uint16_t(t % kHeads), t);
    }
    writer.finish(uint16_t((tracks - 1) / kHeads), uint16_t(kHeads - 1));
}

// Opens each reel path on its simulated drive, in the order given.
ReelOutputs::Opener simulated_drives(std::vector<SimulatedCartridge>& carts, std::vector<SimulatedFaults> faults,
                                     std::vector<std::string> names)
{
    return [&carts, faults, names](const std::string& path, const TapeWriterOptions& o) -> std::unique_ptr<TapeWriter> {
        const size_t i = size_t(std::find(names.begin(), names.end(), path) - names.begin());
        auto drive = std::make_unique<SimulatedTapeDrive>(path, carts.at(i), faults.at(i));
        return std::make_unique<DriveTapeWriter>(std::move(drive), DriveStart{o.append, o.drive_after_files}, o.disposition);
    };
}

// Dumps `tracks` tracks onto one simulated drive per cartridge (/dev/nst0, /dev/nst1, ...)
// with `faults`; returns the error the dump ended with, if any.
std::optional<Error> dump_on_drives(std::vector<SimulatedCartridge>& carts, std::vector<SimulatedFaults> faults,
                                    unsigned tracks)
{
    std::vector<std::string> drives;
    for (size_t i = 0; i < carts.size(); ++i)
        drives.push_back("/dev/nst" + std::to_string(i));
    ReelOutputs outputs(drives, TapeWriterOptions{}, simulated_drives(carts, std::move(faults), drives));
    return caught([&] { dump_tracks(outputs, ReelLimit{}, tracks); });
}

// The records of a tape as the simulated cartridge holds them (blocks, nullopt = tape mark).
std::vector<std::optional<Bytes>> records_of(const std::vector<ReadRecord>& read)
{
    std::vector<std::optional<Bytes>> out;
    for (const ReadRecord& r : read)
        if (r.kind == TapeRecord::Block)
            out.emplace_back(r.data);
        else if (r.kind == TapeRecord::TapeMark)
            out.emplace_back(std::nullopt);
    return out;
}

// Data bytes on a reel before its EOV block (where its early warning must come).
uint64_t bytes_before_eov(const std::vector<ReadRecord>& read)
{
    uint64_t bytes = 0;
    for (const ReadRecord& r : read) {
        if (r.kind == TapeRecord::Block && DdrVolumeHeader::kind_of(r.data) == DdrHeaderKind::Eov)
            return bytes;
        bytes += r.data.size();
    }
    FAIL("the reel has no EOV");
    return 0;
}

std::unique_ptr<DriveTapeWriter> sim_writer(SimulatedCartridge& cart, SimulatedFaults faults = {}, DriveStart start = {},
                                            TapeDisposition at_end = TapeDisposition::Rewind)
{
    return std::make_unique<DriveTapeWriter>(std::make_unique<SimulatedTapeDrive>("/dev/nst0", cart, faults), start,
                                             at_end);
}

// `e` is an error of `kind` (whose exit status is `exit`) at block `block` of drive `drive`,
// and its one line starts with that place.
void check_drive_error(const std::optional<Error>& e, ErrorKind kind, int exit, const std::string& drive, uint64_t block)
{
    REQUIRE(e);
    CHECK(e->kind() == kind);
    CHECK(exit_code_for(e->kind()) == exit);
    CHECK(e->place().file == drive);
    CHECK(e->place().block == block);
    CHECK(std::string(e->what()).find(drive + ": block " + std::to_string(block)) == 0);
}

} // namespace

TEST_CASE("drive dump: the early warning ends each reel exactly where a --reel-size dump ends it")
{
    TempDir dir;
    const std::vector<std::string> files{dir.file("r1.aws"), dir.file("r2.aws"), dir.file("r3.aws")};
    ReelOutputs file_outputs(files, TapeWriterOptions{});
    ReelLimit limit;
    limit.sizes = {200000};
    dump_tracks(file_outputs, limit, 55);
    REQUIRE(file_outputs.opened() == 3);

    std::vector<std::vector<ReadRecord>> file_reels;
    for (const std::string& f : files)
        file_reels.push_back(read_all(*open_tape_reader(f)));
    std::vector<SimulatedFaults> faults(3);
    faults[0].early_warning_at = bytes_before_eov(file_reels[0]);
    faults[1].early_warning_at = bytes_before_eov(file_reels[1]);
    std::vector<SimulatedCartridge> carts(3);
    const std::vector<std::string> drives{"/dev/nst0", "/dev/nst1", "/dev/nst2"};
    ReelOutputs drive_outputs(drives, TapeWriterOptions{}, simulated_drives(carts, faults, drives));
    dump_tracks(drive_outputs, ReelLimit{}, 55);
    REQUIRE(drive_outputs.opened() == 3);

    for (size_t reel = 0; reel < 3; ++reel) {
        CAPTURE(reel);
        CHECK(carts[reel].records == records_of(file_reels[reel]));
        // Read back through the drive reader: the same blocks, numbers and files.
        SimulatedCartridge copy = carts[reel];
        DriveTapeReader reader(std::make_unique<SimulatedTapeDrive>(drives[reel], copy));
        const std::vector<ReadRecord> back = read_all(reader);
        REQUIRE(back.size() == file_reels[reel].size());
        for (size_t i = 0; i < back.size(); ++i) {
            CHECK(back[i].kind == file_reels[reel][i].kind);
            CHECK(back[i].data == file_reels[reel][i].data);
            CHECK(back[i].block == file_reels[reel][i].block);
            CHECK(back[i].file == file_reels[reel][i].file);
        }
    }
}

TEST_CASE("drive dump: the group that met the early warning is backspaced over and written on the next reel")
{
    std::vector<SimulatedCartridge> carts(2);
    std::vector<SimulatedFaults> faults(2);
    faults[0].early_warning_at = 5 * 4096;  // inside track 2 (each track starts with two 4096-byte blocks)
    REQUIRE(!dump_on_drives(carts, faults, 6));
    // Reel 1: VHR, tracks 0 and 1, EOV naming track 2, tape mark.
    REQUIRE(carts[0].records.size() == 1 + 3 + 3 + 1 + 1);
    const auto eov = DdrVolumeHeader::decode(*carts[0].records[7]);
    CHECK(eov.kind == DdrHeaderKind::Eov);
    CHECK(eov.cc == 0);
    CHECK(eov.hh == 2);
    CHECK(!carts[0].records[8]);
    // Reel 2: the VHR names track 2, which follows whole.
    const auto vhr2 = DdrVolumeHeader::decode(*carts[1].records[0]);
    CHECK(vhr2.kind == DdrHeaderKind::Vhr);
    CHECK(vhr2.hh == 2);
    CHECK(*carts[1].records[1] == track_blocks(2)[0]);
    CHECK(DdrVolumeHeader::decode(*carts[1].records[1 + 4 * 3]).kind == DdrHeaderKind::Eoj);
}

TEST_CASE("drive dump: one drive meeting its early warning fails with Error(Reel), exit 5, naming reel 2")
{
    std::vector<SimulatedCartridge> carts(1);
    std::vector<SimulatedFaults> faults(1);
    faults[0].early_warning_at = 20000;
    auto e = dump_on_drives(carts, faults, 10);
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Reel);
    CHECK(exit_code_for(e->kind()) == 5);
    CHECK(std::string(e->what()).find("needs reel 2") != std::string::npos);
}

TEST_CASE("drive writer: st's alternation past the early warning is absorbed; the physical end is an error")
{
    SimulatedCartridge cart;
    SimulatedFaults faults;
    faults.early_warning_at = 5000;
    auto w = sim_writer(cart, faults);
    for (unsigned i = 0; i < 5; ++i) {
        w->write_block(test_block(4096, i));
        CHECK(w->past_early_warning() == (i >= 1));
    }
    REQUIRE(cart.records.size() == 5);
    for (unsigned i = 0; i < 5; ++i)
        CHECK(*cart.records[i] == test_block(4096, i));
    CHECK(w->position() == 5 * 4096);

    SimulatedCartridge full;
    faults.physical_end = 12000;
    auto hard = sim_writer(full, faults);
    hard->write_block(test_block(4096, 0));
    hard->write_block(test_block(4096, 1));
    auto e = caught([&] { hard->write_block(test_block(4096, 2)); });
    check_drive_error(e, ErrorKind::WriteFailed, 8, "/dev/nst0", 3);
    CHECK(std::string(e->what()).find("physical end") != std::string::npos);
    CHECK(full.records.size() == 2);
}

TEST_CASE("drive dump: a write error at a chosen block is Error(WriteFailed), exit 8, naming the drive and block")
{
    std::vector<SimulatedCartridge> carts(1);
    std::vector<SimulatedFaults> faults(1);
    faults[0].write_error_block = 7;
    check_drive_error(dump_on_drives(carts, faults, 5), ErrorKind::WriteFailed, 8, "/dev/nst0", 7);
}

TEST_CASE("drive reader: a read error at a chosen block is Error(ReadFailed), exit 9, naming the drive and block")
{
    SimulatedCartridge cart;
    auto w = sim_writer(cart);
    for (unsigned i = 0; i < 6; ++i)
        w->write_block(test_block(100 + i, i));
    w->write_tapemark();
    SimulatedFaults faults;
    faults.read_error_block = 5;
    DriveTapeReader reader(std::make_unique<SimulatedTapeDrive>("/dev/nst1", cart, faults));
    Bytes block;
    for (unsigned i = 0; i < 4; ++i)
        REQUIRE(reader.read(block) == TapeRecord::Block);
    check_drive_error(caught([&] { reader.read(block); }), ErrorKind::ReadFailed, 9, "/dev/nst1", 5);
}

TEST_CASE("drive reader: filemarks, files, the end of data and a block longer than the buffer")
{
    SimulatedCartridge cart;
    auto w = sim_writer(cart);
    w->write_block(test_block(80, 1));
    w->write_tapemark();
    w->write_tapemark();  // an empty file between two marks is still read as a tape mark
    w->write_block(test_block(4000, 2));
    w->write_tapemark();
    {
        DriveTapeReader reader(std::make_unique<SimulatedTapeDrive>("/dev/nst0", cart));
        const auto got = read_all(reader);
        REQUIRE(got.size() == 3);
        CHECK(got[0].kind == TapeRecord::Block);
        CHECK(got[0].file == 1);
        CHECK(got[1].kind == TapeRecord::TapeMark);
        CHECK(got[2].kind == TapeRecord::EndOfData);  // st: two zero reads in a row end the data
        Bytes b;
        CHECK(reader.read(b) == TapeRecord::EndOfData);
    }
    SimulatedCartridge big;
    sim_writer(big)->write_block(test_block(kDriveMaxBlock + 1, 3));
    DriveTapeReader reader(std::make_unique<SimulatedTapeDrive>("/dev/nst0", big));
    Bytes b;
    auto e = caught([&] { reader.read(b); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Unreadable);
    CHECK(e->place().block == 1u);
}

TEST_CASE("drive dumps: --append writes after the recorded data; a dump without it starts the cartridge again")
{
    SimulatedCartridge cart;
    std::vector<SimulatedCartridge> carts(1);
    const std::vector<std::string> drives{"/dev/nst0"};
    auto dump_on = [&](bool append, uint64_t tod) {
        TapeWriterOptions o;
        o.append = append;
        ReelOutputs outputs(drives, o, simulated_drives(carts, {SimulatedFaults{}}, drives));
        dump_tracks(outputs, ReelLimit{}, 3, tod);
    };
    dump_on(false, 0x1111);
    dump_on(true, 0x2222);
    dump_on(true, 0x3333);
    // Files 1..3 each begin with the VHR of their dump (--file N reads the Nth).
    auto vhrs_by_file = [&] {
        std::vector<uint64_t> tods;
        SimulatedCartridge copy = carts[0];
        DriveTapeReader reader(std::make_unique<SimulatedTapeDrive>("/dev/nst0", copy));
        uint64_t file = 0;
        for (const ReadRecord& r : read_all(reader))
            if (r.kind == TapeRecord::Block && r.file != file) {
                file = r.file;
                tods.push_back(DdrVolumeHeader::decode(r.data).tod);
            }
        return tods;
    };
    CHECK(vhrs_by_file() == std::vector<uint64_t>{0x1111, 0x2222, 0x3333});
    dump_on(false, 0x4444);
    CHECK(vhrs_by_file() == std::vector<uint64_t>{0x4444});
}

TEST_CASE("drive writer: rewind, unload or leave once the dump is complete")
{
    for (TapeDisposition d : {TapeDisposition::Rewind, TapeDisposition::Unload, TapeDisposition::Leave}) {
        SimulatedCartridge cart;
        auto drive = std::make_unique<SimulatedTapeDrive>("/dev/nst0", cart);
        SimulatedTapeDrive& sim = *drive;
        DriveTapeWriter w(std::move(drive), DriveStart{}, d);
        w.write_block(test_block(80, 0));
        w.write_tapemark();
        w.finish();
        CHECK(sim.position() == (d == TapeDisposition::Leave ? 2u : 0u));
        CHECK(sim.unloaded() == (d == TapeDisposition::Unload));
    }
}

// A cartridge of `files` tape files, each one block (its number) and a filemark.
SimulatedCartridge cartridge_of_files(int files)
{
    SimulatedCartridge cart;
    for (int i = 1; i <= files; ++i) {
        cart.records.push_back(test_block(100, uint8_t(i)));
        cart.records.push_back(std::nullopt);
    }
    return cart;
}

TEST_CASE("drive writer: after_files n writes at the start of file n+1 wherever the tape stood, replacing what follows")
{
    for (uint64_t n : {0u, 1u, 2u, 3u}) {
        SimulatedCartridge cart = cartridge_of_files(3);
        auto drive = std::make_unique<SimulatedTapeDrive>("/dev/nst0", cart);
        drive->space_to_end_of_data();  // left anywhere: the writer rewinds and spaces from the start
        auto w = std::make_unique<DriveTapeWriter>(std::move(drive), DriveStart{false, n}, TapeDisposition::Leave);
        w->write_block(test_block(50, 9));
        w->write_tapemark();
        w->finish();
        REQUIRE(cart.records.size() == 2 * n + 2);
        for (uint64_t i = 0; i < n; ++i)
            CHECK(cart.records[2 * i] == test_block(100, uint8_t(i + 1)));  // the files before are kept
        CHECK(cart.records[2 * n] == test_block(50, 9));
        CHECK_FALSE(cart.records[2 * n + 1].has_value());
    }
}

TEST_CASE("drive writer: after_files past the tape's files is Error(Reel), exit 5, and nothing is written")
{
    SimulatedCartridge cart = cartridge_of_files(2);
    const auto before = cart.records;
    const std::optional<Error> e = caught([&] { sim_writer(cart, {}, DriveStart{false, 3}); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Reel);
    CHECK(exit_code_for(e->kind()) == 5);
    CHECK(std::string(e->what()).find("/dev/nst0") == 0);
    CHECK(std::string(e->what()).find("fewer than 3 tape files") != std::string::npos);
    CHECK(cart.records == before);
}

TEST_CASE("simulated drive: status counts the file and the block within it as st's mt_fileno and mt_blkno")
{
    SimulatedCartridge cart = cartridge_of_files(2);
    SimulatedTapeDrive drive("/dev/nst0", cart);
    DriveStatus s;
    drive.status(s);
    CHECK((s.file == 0 && s.block == 0));
    CHECK(drive.forward_space_files(1) == 0);
    drive.status(s);
    CHECK((s.file == 1 && s.block == 0));
    Bytes buffer(200);
    CHECK(drive.read_block(buffer) == 100);
    drive.status(s);
    CHECK((s.file == 1 && s.block == 1));
    CHECK(drive.forward_space_files(2) == -EIO);
}

TEST_CASE("drive writer: rewind_to backspaces over blocks only, and the next write replaces them")
{
    SimulatedCartridge cart;
    auto w = sim_writer(cart);
    w->write_block(test_block(100, 0));
    const TapeMarkPosition at = w->mark();
    w->write_block(test_block(100, 1));
    w->write_block(test_block(100, 2));
    w->rewind_to(at);
    CHECK(w->position() == 100);
    CHECK(w->blocks_written() == 1);
    w->write_block(test_block(50, 9));
    w->write_tapemark();
    REQUIRE(cart.records.size() == 3);
    CHECK(*cart.records[1] == test_block(50, 9));
    const TapeMarkPosition after_mark = w->mark();
    (void)after_mark;
    auto e = caught([&] { w->rewind_to(at); });  // across the tape mark
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::Internal);
}

TEST_CASE("drive dump: an early warning before the first track of a reel is an error, not an empty reel")
{
    std::vector<SimulatedCartridge> carts(2);
    std::vector<SimulatedFaults> faults(2);
    faults[0].early_warning_at = 100;  // past the VHR, inside track 0
    auto e = dump_on_drives(carts, faults, 3);
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::WriteFailed);
    CHECK(e->place().file == "/dev/nst0");
    CHECK(std::string(e->what()).find("early-warning mark before one track") != std::string::npos);
    CHECK(carts[1].records.empty());
}

namespace {

// A drive reader seen only through read(): how every file container skips files, and
// what the drive's spacing (MTFSF) must agree with.
class ReadingOnly : public TapeReader {
public:
    explicit ReadingOnly(TapeReader& inner) : inner_(inner) {}
    TapeRecord read(Bytes& block) override { return inner_.read(block); }
    uint64_t block_number() const override { return inner_.block_number(); }
    uint64_t offset() const override { return inner_.offset(); }
    uint64_t file_number() const override { return inner_.file_number(); }
    const std::string& name() const override { return inner_.name(); }
    std::string format() const override { return inner_.format(); }

private:
    TapeReader& inner_;
};

// Three dumps of 4 tracks each, appended one after another to one cartridge.
SimulatedCartridge three_dumps()
{
    std::vector<SimulatedCartridge> carts(1);
    const std::vector<std::string> drives{"/dev/nst0"};
    for (uint64_t tod : {0x1111u, 0x2222u, 0x3333u}) {
        TapeWriterOptions o;
        o.append = tod != 0x1111u;
        ReelOutputs outputs(drives, o, simulated_drives(carts, {SimulatedFaults{}}, drives));
        dump_tracks(outputs, ReelLimit{}, 4, tod);
    }
    return carts[0];
}

} // namespace

TEST_CASE("drive reader: skipping files spaces over them (MTFSF) unread, and agrees with reading over them")
{
    const SimulatedCartridge cart = three_dumps();
    const uint64_t blocks_per_dump = (cart.records.size() - 3) / 3;  // each dump: its blocks and one mark
    for (uint64_t skip = 0; skip <= 5; ++skip) {
        CAPTURE(skip);
        SimulatedCartridge fast_cart = cart, slow_cart = cart;
        auto drive = std::make_unique<SimulatedTapeDrive>("/dev/nst0", fast_cart);
        const SimulatedTapeDrive& fast_drive = *drive;
        DriveTapeReader fast(std::move(drive));
        DriveTapeReader slow_drive(std::make_unique<SimulatedTapeDrive>("/dev/nst0", slow_cart));
        ReadingOnly slow(slow_drive);
        DdrStreamReader fast_stream(fast), slow_stream(slow);
        const auto fast_error = caught([&] { fast_stream.skip_files(skip); });
        const auto slow_error = caught([&] { slow_stream.skip_files(skip); });
        CHECK(fast_drive.blocks_read() == 0);  // no block read to get there
        REQUIRE(bool(fast_error) == bool(slow_error));
        if (fast_error) {
            CHECK(skip > 3);
            CHECK(fast_error->kind() == slow_error->kind());
            CHECK(fast_error->detail() == slow_error->detail());
            CHECK(fast_error->detail() == "the tape holds only 3 tape files; cannot skip " + std::to_string(skip));
            CHECK(fast_error->place().file == "/dev/nst0");
            continue;
        }
        CHECK(fast_stream.file_number() == slow_stream.file_number());
        CHECK(fast.counted_from_file() == (skip > 0 ? std::optional<uint64_t>(skip + 1) : std::nullopt));
        // What follows reads the same, with block numbers from the start of the file reached.
        const std::vector<ReadRecord> a = read_all(fast), b = read_all(slow);
        REQUIRE(a.size() == b.size());
        for (size_t i = 0; i < a.size(); ++i) {
            CHECK(a[i].kind == b[i].kind);
            CHECK(a[i].data == b[i].data);
            CHECK(a[i].file == b[i].file);
            if (a[i].kind == TapeRecord::Block)
                CHECK(a[i].block + skip * blocks_per_dump == b[i].block);
        }
        if (skip < 3)
            CHECK(DdrVolumeHeader::decode(a.front().data).tod == 0x1111u * (skip + 1));
    }
}

TEST_CASE("drive reader: errors after spacing name the block from the start of the tape file; a bad block met while spacing is a read error")
{
    const SimulatedCartridge cart = three_dumps();
    const uint64_t blocks_per_dump = (cart.records.size() - 3) / 3;
    // A read error at the third block of dump 3.
    SimulatedCartridge c1 = cart;
    SimulatedFaults bad_in_third;
    bad_in_third.read_error_block = 2 * blocks_per_dump + 3;
    DriveTapeReader reader(std::make_unique<SimulatedTapeDrive>("/dev/nst0", c1, bad_in_third));
    DdrStreamReader stream(reader);
    stream.skip_files(2);
    Bytes block;
    CHECK(reader.read(block) == TapeRecord::Block);
    CHECK(reader.read(block) == TapeRecord::Block);
    auto e = caught([&] { reader.read(block); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::ReadFailed);
    CHECK(exit_code_for(e->kind()) == 9);
    CHECK(e->place().block == 3u);
    CHECK(e->place().counted_from_file == 3u);
    CHECK(std::string(e->what()).starts_with("/dev/nst0: block 3 from the start of tape file 3 (offset "));

    // A bad block in dump 1 stops the spacing: a read error, not "the tape ends".
    SimulatedCartridge c2 = cart;
    SimulatedFaults bad_in_first;
    bad_in_first.read_error_block = 2;
    DriveTapeReader reader2(std::make_unique<SimulatedTapeDrive>("/dev/nst0", c2, bad_in_first));
    DdrStreamReader stream2(reader2);
    e = caught([&] { stream2.skip_files(2); });
    REQUIRE(e);
    CHECK(e->kind() == ErrorKind::ReadFailed);
    CHECK(std::string(e->what()) ==
          "/dev/nst0: block 1 (offset 0): cannot space over 2 tape files (MTFSF): Input/output error");
}
