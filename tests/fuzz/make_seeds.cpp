// make-seeds: writes seed inputs for the fuzz targets (called by make-seeds.sh).
//
//   make-seeds cut-tape IN.aws OUT.aws TRACKS
//       A short copy of a DDR tape: every dump keeps its VHR (and checkpoint record),
//       its first TRACKS THR groups, its EOV/EOJ and what follows up to the tape mark.
//       Blocks are copied as they are, pads included.
//   make-seeds frame OUT REEL.aws...
//       A tape in the block framing of fuzz_support.hpp (option byte 0, X'FFFE' between
//       reels), for fuzz_ddr_stream and fuzz_dump_scan.
//   make-seeds groups IN.aws OUTDIR MAX
//       Operation sequences for fuzz_ddr_track: begin/add/validate/build of each of the
//       first MAX THR groups of the tape, then its VHR as a header operation.
//   make-seeds slots IMAGE OUTDIR MAX
//       Up to MAX track slots of a CKD volume, for fuzz_track_image: tracks of differing
//       shapes, each followed by a little of what a slot holds after the end marker.
//   make-seeds resume-records OUTDIR
//       A resume record of a restore in place, one of a new image, one of a dump's tape and
//       one of a dump over three reels and two tape sets, for fuzz_resume_record.
//   make-seeds manifests OUTDIR
//       A CKD and an FBA manifest written by ManifestWriter, for fuzz_manifest.
//   make-seeds ours OUTDIR
//       Files made by our own writers: small CKD/CCKD/CCKD64/CFBA/FBA images and a
//       multi-file CKD set (fuzz_volume), DDR tapes in AWS and HET with zlib and bzip2,
//       a multi-chunk tape (fuzz_tape), and their framed forms.
#include "formats/volume/cckd/image.hpp"
#include "formats/volume/cckd/cfba_image.hpp"
#include "formats/volume/ckd_image.hpp"
#include "formats/ddrtape/manifest.hpp"
#include "formats/io/resume_record.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/tape/tape.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sys/stat.h>

using namespace ddr;

namespace {

void save(const std::string& path, ByteSpan bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out)
        fail(ErrorKind::WriteFailed, "cannot write " + path);
}

Bytes load(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(ErrorKind::ReadFailed, "cannot read " + path);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void put_be16(Bytes& out, uint16_t v)
{
    out.push_back(uint8_t(v >> 8));
    out.push_back(uint8_t(v));
}

// One record of a tape, as read.
struct Record {
    bool mark = false;
    Bytes block;
};

std::vector<Record> read_tape(const std::string& path)
{
    std::vector<Record> out;
    auto tape = open_tape_reader(path);
    Bytes b;
    for (TapeRecord r; (r = tape->read(b)) != TapeRecord::EndOfData;)
        out.push_back(r == TapeRecord::TapeMark ? Record{true, {}} : Record{false, b});
    return out;
}

std::unique_ptr<TapeWriter> new_tape(const std::string& path, const char* format, int compression,
                                     uint32_t chunk = 65535)
{
    TapeWriterOptions o;
    o.format = format;
    o.overwrite = true;
    o.compression = compression;
    o.chunk_size = chunk;
    return create_tape_writer(path, o);
}

void write_records(TapeWriter& w, const std::vector<Record>& recs)
{
    for (const Record& r : recs) {
        if (r.mark)
            w.write_tapemark();
        else
            w.write_block(r.block);
    }
    w.finish();
}

// ---- cut-tape ----

std::vector<Record> cut(const std::vector<Record>& in, size_t keep_tracks)
{
    std::vector<Record> out;
    enum { Between, InDump, AfterEnd } state = Between;
    size_t tracks = 0;
    for (size_t i = 0; i < in.size(); ++i) {
        const Record& r = in[i];
        if (r.mark) {
            out.push_back(r);
            state = Between;
            continue;
        }
        auto kind = DdrVolumeHeader::kind_of(r.block);
        if (state == Between) {
            out.push_back(r);
            state = InDump;
            tracks = 0;
        } else if (state == AfterEnd) {
            out.push_back(r);
        } else if (kind) {
            out.push_back(r);
            state = AfterEnd;
        } else if (is_thr_block(r.block)) {
            DdrTrackDecoder d;
            size_t n = 1;
            try {
                d.begin(r.block);
                n = d.header().block_count();
            } catch (const Error&) {
            }
            const bool keep = tracks++ < keep_tracks;
            for (size_t k = 0; k < n && i + k < in.size(); ++k)
                if (keep)
                    out.push_back(in[i + k]);
            i += n - 1;
        } else {
            out.push_back(r);  // the checkpoint record of a NUCLEUS dump
        }
    }
    return out;
}

// ---- frame ----

Bytes frame(const std::vector<std::vector<Record>>& reels)
{
    Bytes out{0};
    for (size_t i = 0; i < reels.size(); ++i) {
        if (i > 0)
            put_be16(out, fuzz::kFrameNextReel);
        for (const Record& r : reels[i]) {
            if (r.mark) {
                put_be16(out, fuzz::kFrameTapeMark);
            } else {
                const size_t n = std::min<size_t>(r.block.size(), 0xFFFD);
                put_be16(out, uint16_t(n));
                out.insert(out.end(), r.block.begin(), r.block.begin() + std::ptrdiff_t(n));
            }
        }
    }
    return out;
}

// ---- groups ----

void groups(const std::vector<Record>& recs, const std::string& outdir, size_t max)
{
    const Record* vhr = nullptr;
    size_t written = 0;
    for (size_t i = 0; i < recs.size() && written < max; ++i) {
        if (recs[i].mark)
            continue;
        if (!vhr && DdrVolumeHeader::kind_of(recs[i].block))
            vhr = &recs[i];
        if (!is_thr_block(recs[i].block))
            continue;
        DdrTrackDecoder d;
        try {
            d.begin(recs[i].block);
        } catch (const Error&) {
            continue;
        }
        Bytes seed;
        seed.push_back(0);
        put_be16(seed, uint16_t(recs[i].block.size()));
        seed.insert(seed.end(), recs[i].block.begin(), recs[i].block.end());
        for (size_t k = 1; k < d.header().block_count() && i + k < recs.size(); ++k) {
            const Bytes& b = recs[i + k].block;
            seed.push_back(1);
            put_be16(seed, uint16_t(b.size()));
            seed.insert(seed.end(), b.begin(), b.end());
        }
        seed.push_back(2);
        seed.push_back(3);
        seed.push_back(4);  // build with the round trip
        seed.insert(seed.end(), d.header().ha.begin() + 1, d.header().ha.end());
        if (vhr) {
            seed.push_back(4);
            seed.insert(seed.end(), vhr->block.begin(), vhr->block.end());
        }
        char name[32];
        std::snprintf(name, sizeof name, "/group-%03zu", written++);
        save(outdir + name, seed);
    }
}

// ---- slots ----

void slots(const std::string& image, const std::string& outdir, size_t max)
{
    auto vol = open_ckd_volume(image);
    const CkdVolumeInfo& info = vol->info();
    std::set<std::pair<size_t, size_t>> shapes;  // (records, size / 512)
    std::vector<CkdRecord> recs;
    TrackImage t;
    size_t written = 0;
    for (uint64_t unit = 0; unit < info.tracks() && written < max; ++unit) {
        vol->read_track({uint32_t(unit / info.heads), uint32_t(unit % info.heads)}, t);
        t.records(recs);
        if (!shapes.insert({recs.size(), t.size() / 512}).second)
            continue;
        Bytes slot = t.bytes;
        slot.resize(slot.size() + 24, 0);  // the rest of a slot: zeros in a Hercules image
        char name[32];
        std::snprintf(name, sizeof name, "/slot-%03zu", written++);
        save(outdir + name, slot);
    }
}

// ---- ours ----

// Deterministic contents: some runs of one byte (compressible), some noise.
struct Filler {
    uint64_t state;
    uint8_t next()
    {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return uint8_t(state >> 56);
    }
    void fill(uint8_t* p, size_t n)
    {
        const bool noisy = next() < 64;
        const uint8_t v = next();
        for (size_t i = 0; i < n; ++i)
            p[i] = noisy ? next() : uint8_t(v + (i / 97));
    }
};

TrackImage make_track(TrackAddress addr, uint32_t track_size, Filler& f, const std::string& volser)
{
    if (addr.cyl == 0 && addr.head == 0) {
        TrackImage t0 = dasdinit_track0(volser);
        if (t0.size() <= track_size)
            return t0;
    }
    TrackImage t;
    t.start(0, addr);
    uint8_t count[kCountSize] = {};
    encode_cchh(count, addr);
    count[7] = 8;
    uint8_t r0data[8] = {};
    t.add_record(count, {}, ByteSpan(r0data, 8));
    size_t room = track_size - kEmptyTrackSize;
    const unsigned records = f.next() % 5;
    for (unsigned r = 1; r <= records; ++r) {
        const size_t kl = (f.next() & 1) ? 8 : 0;
        size_t dl = 16 + f.next() * 6;
        if (kCountSize + kl + dl > room)
            break;
        Bytes kd(kl + dl);
        f.fill(kd.data(), kd.size());
        count[4] = uint8_t(r);
        count[5] = uint8_t(kl);
        store_be16(count + 6, uint16_t(dl));
        t.add_record(count, kd);
        room -= kCountSize + kl + dl;
    }
    t.finish();
    return t;
}

void fill_ckd(CkdVolumeWriter& w, uint64_t seed)
{
    const CkdVolumeInfo& info = w.info();
    Filler f{seed};
    for (uint32_t c = 0; c < info.cylinders; ++c)
        for (uint32_t h = 0; h < info.heads; ++h)
            if (f.next() < 200)  // leave some tracks empty (null in a compressed image)
                w.write_track({c, h}, make_track({c, h}, info.track_size, f, "FUZZ01"));
    w.commit();
}

void make_ckd(const std::string& path, const char* format, uint32_t cyls, uint32_t heads, uint32_t track_size,
              uint64_t seed, CckdCompression compression = CckdCompression::Zlib, uint32_t per_file = 0)
{
    std::remove(path.c_str());
    NewCkdVolume spec;
    spec.format = format;
    spec.devtype_byte = 0x90;
    spec.cylinders = cyls;
    spec.heads = heads;
    spec.track_size = track_size;
    spec.cylinders_per_file = per_file;
    if (std::strncmp(format, "CKD_C", 5) == 0) {
        CckdOptions o;
        o.compression = compression;
        o.threads = 1;
        auto w = create_cckd_volume(path, spec, o);
        fill_ckd(*w, seed);
    } else {
        auto w = create_ckd_volume(path, spec);
        fill_ckd(*w, seed);
    }
}

void make_fba(const std::string& path, const char* format, uint64_t blocks, uint64_t seed,
              CckdCompression compression = CckdCompression::Zlib)
{
    std::remove(path.c_str());
    NewFbaVolume spec;
    spec.format = format;
    spec.blocks = blocks;
    spec.devtype = 0x3370;
    std::unique_ptr<FbaVolumeWriter> w;
    if (std::strcmp(format, "FBA") == 0) {
        w = create_fba_volume(path, spec);
    } else {
        CckdOptions o;
        o.compression = compression;
        o.threads = 1;
        w = create_cfba_volume(path, spec, o);
    }
    Filler f{seed};
    Bytes block(kFbaBlockSize);
    for (uint64_t b = 0; b < blocks; ++b) {
        if (b == 1) {
            auto vol1 = dasdinit_fba_block1("FUZZ02");
            w->write_blocks(b, vol1);
        } else if (f.next() < 120) {
            f.fill(block.data(), block.size());
            w->write_blocks(b, block);
        }
    }
    w->commit();
}

// A multi-file plain CKD volume in the DDRFZSET form fuzz_volume reads.
void make_ckd_set(const std::string& dir, const std::string& out)
{
    const std::string base = dir + "/set.img";
    for (unsigned i = 1; i <= 3; ++i)
        std::remove(ckd_member_name(dir + "/set_1.img", i).c_str());
    make_ckd(base, "CKD_P370", 5, 2, 512, 7, CckdCompression::None, 2);
    Bytes seed{'D', 'D', 'R', 'F', 'Z', 'S', 'E', 'T', 0};
    for (unsigned i = 1; i <= 3; ++i) {
        Bytes f = load(ckd_member_name(dir + "/set_1.img", i));
        for (int k = 0; k < 4; ++k)
            seed.push_back(uint8_t(f.size() >> (8 * k)));
        seed.insert(seed.end(), f.begin(), f.end());
    }
    save(out, seed);
}

// A compressed base and two shadow files in the DDRFZSHD form fuzz_volume reads: each
// shadow is another image with its magic made a shadow's and every other track of its
// first L2 table marked "not in this file".
void make_shadow_chain(const std::string& dir, const std::string& out)
{
    Bytes seed{'D', 'D', 'R', 'F', 'Z', 'S', 'H', 'D', 0};
    for (unsigned i = 0; i < 3; ++i) {
        const std::string name = dir + "/chain-" + std::to_string(i) + ".cckd";
        std::remove(name.c_str());
        make_ckd(name, "CKD_C370", 2, 4, 4096, 20 + i, CckdCompression::Zlib);
        Bytes f = load(name);
        if (i > 0) {
            f[4] = 'S';
            const uint32_t l2 = load_le32(f.data() + cckd::kL1Pos);
            for (uint32_t k = 0; l2 != 0 && k < 8; k += 2)
                std::memset(f.data() + l2 + k * 8, 0xFF, 8);
        }
        for (int k = 0; k < 4; ++k)
            seed.push_back(uint8_t(f.size() >> (8 * k)));
        seed.insert(seed.end(), f.begin(), f.end());
    }
    save(out, seed);
}

// A DDR dump of `vol` in the format of IBM DDR: VHR, THR groups, EOJ, tape mark.
std::vector<Record> dump_records(CkdVolumeReader& vol, uint64_t tod, bool nucleus)
{
    const CkdVolumeInfo& info = vol.info();
    DdrVolumeHeader vhr;
    vhr.tod = tod;
    vhr.mrec = 40;
    vhr.cyla = uint16_t(info.cylinders - 1);
    vhr.mtck = uint16_t(info.heads - 1);
    vhr.volser = volser_to_ebcdic("FUZZ01");
    std::vector<Record> out;
    auto h = vhr.encode();
    out.push_back({false, Bytes(h.begin(), h.end())});
    if (nucleus) {
        Bytes ckp(kNucleusRecordSize, 0);
        static constexpr uint8_t id[8] = {0xC4, 0xD4, 0xD2, 0xC3, 0xD2, 0xD7, 0x40, 0x40};
        std::memcpy(ckp.data() + 14, id, 8);
        out.push_back({false, ckp});
    }
    DdrTrackEncoder enc;
    TrackImage t;
    for (uint32_t c = 0; c < info.cylinders; ++c) {
        for (uint32_t hd = 0; hd < info.heads; ++hd) {
            vol.read_track({c, hd}, t);
            enc.encode(t, {c, hd});
            for (ByteSpan b : enc.blocks())
                out.push_back({false, Bytes(b.begin(), b.end())});
        }
    }
    auto eoj = vhr.as(DdrHeaderKind::Eoj, uint16_t(info.cylinders - 1), vhr.mtck).encode();
    out.push_back({false, Bytes(eoj.begin(), eoj.end())});
    out.push_back({true, {}});
    return out;
}

void manifests(const std::string& dir)
{
    ::mkdir(dir.c_str(), 0755);
    ManifestInfo ckd;
    ckd.device = "3390-3";
    ckd.cylinders = 3339;
    ckd.heads = 15;
    ckd.volser = "SEED01";
    ckd.source = "seed.3390";
    ckd.format = "CKD_P370";
    ManifestWriter c(dir + "/ours-ckd.manifest", ckd);
    for (uint32_t i = 0; i < 20; ++i)
        c.add(TrackAddress{i / 15, i % 15}, 0x9e3779b97f4a7c15ULL * (i + 1));
    c.finish();
    ManifestInfo fba;
    fba.kind = "fba";
    fba.device = "9336";
    fba.blocks = 920115;
    fba.volser = "SEED02";
    fba.source = "seed.fba";
    fba.format = "FBA";
    ManifestWriter f(dir + "/ours-fba.manifest", fba);
    for (uint32_t i = 0; i < 5; ++i)
        f.add_group(i * 120, 120, 0xc2b2ae3d27d4eb4fULL * (i + 1));
    f.finish();
}

void resume_records(const std::string& dir)
{
    ::mkdir(dir.c_str(), 0755);
    ResumeRecord in_place;
    in_place.dump_tod = 0xDD0123456789ABCDull;
    in_place.dump_volser = "SEED01";
    in_place.units_done = 750;
    save(dir + "/in-place.ddr-resume", in_place.encode());
    ResumeRecord fresh = in_place;
    fresh.kind = ResumeKind::RestoreNewImage;
    fresh.fba = true;
    fresh.frontier = 0;
    fresh.temporaries = {".seed.fba.ddr-tmp.4242.a1b2c3"};
    save(dir + "/new-image.ddr-resume", fresh.encode());
    ResumeRecord dump = fresh;
    dump.kind = ResumeKind::DumpNewTape;
    dump.frontier = 123456;
    dump.temporaries = {".seed.aws.ddr-tmp.4242.a1b2c4"};
    dump.source = "vols/seed.fba";
    save(dir + "/dump-tape.ddr-resume", dump.encode());
    ResumeRecord reels = dump;  // three reels begun, two tape sets (--mirror)
    reels.tape_sets = 2;
    reels.temporaries = {".r1.aws.ddr-tmp.4242.a", ".r2.aws.ddr-tmp.4242.b", ".r3.aws.ddr-tmp.4242.c",
                         ".m1.aws.ddr-tmp.4242.d", ".m2.aws.ddr-tmp.4242.e", ".m3.aws.ddr-tmp.4242.f"};
    reels.reel_lengths = {1484341, 1471170};
    save(dir + "/dump-reels-mirror.ddr-resume", reels.encode());
}

void ours(const std::string& dir)
{
    const std::string vols = dir + "/fuzz_volume", tapes = dir + "/fuzz_tape", stream = dir + "/fuzz_ddr_stream",
                      scan = dir + "/fuzz_dump_scan", work = dir + "/work";
    for (const std::string& d : {vols, tapes, stream, scan, work})
        ::mkdir(d.c_str(), 0755);

    // Volumes, tiny geometries so the seeds stay a few kB.
    make_ckd(vols + "/ours-ckd-p370.img", "CKD_P370", 2, 3, 1024, 1, CckdCompression::None);
    make_ckd(vols + "/ours-ckd-p064.img", "CKD_P064", 1, 2, 2048, 2, CckdCompression::None);
    make_ckd(vols + "/ours-cckd-zlib.cckd", "CKD_C370", 3, 4, 4096, 3, CckdCompression::Zlib);
    make_ckd(vols + "/ours-cckd-bzip2.cckd", "CKD_C370", 2, 4, 4096, 4, CckdCompression::Bzip2);
    make_ckd(vols + "/ours-cckd-none.cckd", "CKD_C370", 2, 2, 2048, 5, CckdCompression::None);
    make_ckd(vols + "/ours-cckd64-zlib.cckd", "CKD_C064", 2, 4, 4096, 6, CckdCompression::Zlib);
    make_ckd(work + "/big-endian.cckd", "CKD_C370", 2, 4, 4096, 8, CckdCompression::Zlib);  // cckdswap'd by the script
    make_fba(vols + "/ours-fba.img", "FBA", 24, 9);
    make_fba(vols + "/ours-cfba-zlib.cfba", "FBA_C370", 300, 10, CckdCompression::Zlib);
    make_fba(vols + "/ours-cfba-bzip2.cfba", "FBA_C370", 250, 11, CckdCompression::Bzip2);
    make_fba(vols + "/ours-cfba64.cfba", "FBA_C064", 200, 12, CckdCompression::Zlib);
    make_ckd_set(work, vols + "/ours-ckd-set");
    make_shadow_chain(work, vols + "/ours-shadow-chain");

    // DDR tapes of a small volume made by our writers, in every container form.
    const std::string src = work + "/dump-src.img";
    make_ckd(src, "CKD_P370", 2, 3, 8192, 13, CckdCompression::None);
    auto vol = open_ckd_volume(src);
    std::vector<Record> dump = dump_records(*vol, tod_from_unix_micros(1700000000000000LL), false);
    std::vector<Record> nucleus = dump_records(*vol, tod_from_unix_micros(1700000100000000LL), true);
    std::vector<Record> two = dump;
    two.insert(two.end(), nucleus.begin(), nucleus.end());
    write_records(*new_tape(tapes + "/ours-aws.aws", "AWS", 0), dump);
    write_records(*new_tape(tapes + "/ours-het-zlib.het", "HET", 1), two);
    write_records(*new_tape(tapes + "/ours-het-bzip2.het", "HET", 2), dump);
    // Blocks longer than a chunk: one block in several chunks.
    std::vector<Record> big = {{false, Bytes(10000, 0x11)}, {true, {}}, {false, Bytes(20000, 0x22)}, {true, {}}};
    Filler f{14};
    f.fill(big[2].block.data(), big[2].block.size());
    write_records(*new_tape(tapes + "/ours-chunks.aws", "AWS", 0, 4096), big);
    write_records(*new_tape(tapes + "/ours-chunks.het", "HET", 1, 4096), big);
    save(stream + "/ours-dump", frame({dump}));
    save(stream + "/ours-two-dumps", frame({two}));

    // Two reels: the dump split after its second track with EOV, as DDR does at the end of a reel.
    std::vector<Record> reel1, reel2;
    size_t groups_seen = 0;
    size_t i = 1;
    reel1.push_back(dump[0]);
    for (; i < dump.size() && groups_seen < 2; ++i) {
        if (is_thr_block(dump[i].block) && ++groups_seen == 2)
            break;
        reel1.push_back(dump[i]);
    }
    DdrTrackDecoder d;
    d.begin(dump[i].block);
    const TrackAddress next = d.output_address(false);
    const DdrVolumeHeader vhr = DdrVolumeHeader::decode(dump[0].block);
    auto eov = vhr.as(DdrHeaderKind::Eov, uint16_t(next.cyl), uint16_t(next.head)).encode();
    reel1.push_back({false, Bytes(eov.begin(), eov.end())});
    reel1.push_back({true, {}});
    auto vhr2 = vhr.as(DdrHeaderKind::Vhr, uint16_t(next.cyl), uint16_t(next.head)).encode();
    reel2.push_back({false, Bytes(vhr2.begin(), vhr2.end())});
    reel2.insert(reel2.end(), dump.begin() + std::ptrdiff_t(i), dump.end());
    save(scan + "/ours-two-reels", frame({reel1, reel2}));
    save(scan + "/ours-two-dumps", frame({two}));
}

int usage()
{
    std::fprintf(stderr, "usage: make-seeds cut-tape|frame|groups|slots|ours ... (see make_seeds.cpp)\n");
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3)
        return usage();
    const std::string cmd = argv[1];
    try {
        if (cmd == "cut-tape" && argc == 5) {
            std::vector<Record> recs = cut(read_tape(argv[2]), std::strtoul(argv[4], nullptr, 0));
            write_records(*new_tape(argv[3], "AWS", 0), recs);
        } else if (cmd == "frame" && argc >= 4) {
            std::vector<std::vector<Record>> reels;
            for (int i = 3; i < argc; ++i)
                reels.push_back(read_tape(argv[i]));
            save(argv[2], frame(reels));
        } else if (cmd == "groups" && argc == 5) {
            groups(read_tape(argv[2]), argv[3], std::strtoul(argv[4], nullptr, 0));
        } else if (cmd == "slots" && argc == 5) {
            slots(argv[2], argv[3], std::strtoul(argv[4], nullptr, 0));
        } else if (cmd == "resume-records" && argc == 3) {
            resume_records(argv[2]);
        } else if (cmd == "manifests" && argc == 3) {
            manifests(argv[2]);
        } else if (cmd == "ours" && argc == 3) {
            ours(argv[2]);
        } else {
            return usage();
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "make-seeds: %s\n", e.what());
        return 1;
    }
    return 0;
}
