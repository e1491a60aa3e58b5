#include "tests/unit/test_cckd_helpers.hpp"

#include "formats/volume/cckd/layout.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>

namespace ddr::test {

using namespace ddr::cckd;

NewCkdVolume new_volume(const CkdGeometry& g, uint32_t cylinders, const std::string& format)
{
    NewCkdVolume v;
    v.format = format;
    v.devtype_byte = g.devtype_byte;
    v.cylinders = cylinders;
    v.heads = g.heads;
    v.track_size = g.track_size;
    return v;
}

namespace {

void count(uint8_t* c, TrackAddress addr, uint8_t r, uint8_t kl, uint16_t dl)
{
    encode_cchh(c, addr);
    c[4] = r;
    c[5] = kl;
    store_be16(c + 6, dl);
}

Bytes text_bytes(size_t n, std::mt19937& rng)
{
    static const char* words[] = {"DATA ", "RECORD ", "SYS1.", "LINKLIB ", "00001 ", "  ", "CSECT ", "END   "};
    Bytes out;
    while (out.size() < n) {
        const char* w = words[rng() % 8];
        out.insert(out.end(), w, w + std::strlen(w));
    }
    out.resize(n);
    for (auto& b : out)
        b = uint8_t(b | 0x40);  // EBCDIC-ish range, compressible
    return out;
}

Bytes random_bytes(size_t n, std::mt19937& rng)
{
    Bytes out(n);
    for (auto& b : out)
        b = uint8_t(rng());
    return out;
}

} // namespace

TrackImage empty_fmt0(TrackAddress addr)
{
    return track_with_records(addr, {{Bytes{}, Bytes{}}});
}

TrackImage track_with_records(TrackAddress addr, const std::vector<std::pair<Bytes, Bytes>>& key_data,
                              const uint8_t* r0data)
{
    TrackImage t;
    t.start(0, addr);
    uint8_t c[8];
    count(c, addr, 0, 0, 8);
    static const uint8_t zeros[8] = {};
    t.add_record(c, {}, ByteSpan(r0data ? r0data : zeros, 8));
    uint8_t r = 1;
    for (const auto& [key, data] : key_data) {
        count(c, addr, r++, uint8_t(key.size()), uint16_t(data.size()));
        t.add_record(c, key, data);
    }
    t.finish();
    return t;
}

TrackImage sample_track(TrackAddress addr, unsigned kind, uint32_t track_size, std::mt19937& rng)
{
    switch (kind % 8) {
    case 0:
        return TrackImage::empty(addr);
    case 1:
        return empty_fmt0(addr);
    case 2: {  // keyed records (a VTOC-like track)
        std::vector<std::pair<Bytes, Bytes>> recs;
        for (int i = 0; i < 5; ++i)
            recs.push_back({Bytes(44, uint8_t(0xC1 + i)), text_bytes(96, rng)});
        return track_with_records(addr, recs);
    }
    case 3: {  // data, then an end-of-file record
        return track_with_records(addr, {{Bytes{}, text_bytes(3120, rng)}, {Bytes{}, text_bytes(3120, rng)}, {Bytes{}, Bytes{}}});
    }
    case 4: {  // one record filling the track
        const size_t dl = track_size - (5 + 16 + 8 + 8);
        return track_with_records(addr, {{Bytes{}, text_bytes(dl, rng)}});
    }
    case 5: {  // non-zero R0 data and a small keyed record
        const uint8_t r0[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        return track_with_records(addr, {{Bytes{0xE5, 0xD6, 0xD3, 0xF1}, text_bytes(80, rng)}}, r0);
    }
    case 6: {  // many 80-byte card images
        std::vector<std::pair<Bytes, Bytes>> recs;
        const size_t n = std::min<size_t>(40, (track_size - 29) / 88 - 1);
        for (size_t i = 0; i < n; ++i)
            recs.push_back({Bytes{}, text_bytes(80, rng)});
        return track_with_records(addr, recs);
    }
    default: {  // incompressible 4 KiB blocks, as many as fit (at most 12)
        std::vector<std::pair<Bytes, Bytes>> recs;
        size_t used = 5 + 16 + 8;
        while (recs.size() < 12 && used + 8 + 4096 <= track_size) {
            recs.push_back({Bytes{}, random_bytes(4096, rng)});
            used += 8 + 4096;
        }
        if (recs.empty())
            recs.push_back({Bytes{}, random_bytes(track_size - used - 8, rng)});
        return track_with_records(addr, recs);
    }
    }
}

std::vector<TrackImage> sample_volume(const CkdGeometry& g, uint32_t cylinders, uint64_t content_tracks, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<TrackImage> tracks;
    const uint64_t n = uint64_t(cylinders) * g.heads;
    tracks.reserve(size_t(n));
    for (uint64_t u = 0; u < n; ++u) {
        TrackAddress addr{uint32_t(u / g.heads), uint32_t(u % g.heads)};
        if (u < content_tracks)
            tracks.push_back(sample_track(addr, unsigned(u % 8), g.track_size, rng));
        else
            tracks.push_back(TrackImage::empty(addr));
    }
    return tracks;
}

void write_plain_ckd(const std::string& path, const CkdGeometry& g, uint32_t cylinders, const std::vector<TrackImage>& tracks)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::array<uint8_t, 512> hdr{};
    std::memcpy(hdr.data(), "CKD_P370", 8);
    store_le32(hdr.data() + 8, g.heads);
    store_le32(hdr.data() + 12, g.track_size);
    hdr[16] = g.devtype_byte;
    out.write(reinterpret_cast<const char*>(hdr.data()), 512);
    Bytes slot(g.track_size);
    for (uint64_t u = 0; u < uint64_t(cylinders) * g.heads; ++u) {
        std::fill(slot.begin(), slot.end(), 0);
        const Bytes& t = tracks.at(size_t(u)).bytes;
        std::memcpy(slot.data(), t.data(), t.size());
        out.write(reinterpret_cast<const char*>(slot.data()), std::streamsize(slot.size()));
    }
    if (!out)
        throw std::runtime_error("cannot write " + path);
}

TrackImage read_plain_track(const std::string& path, uint32_t track_size, uint64_t unit)
{
    std::ifstream in(path, std::ios::binary);
    in.seekg(std::streamoff(512 + unit * track_size));
    Bytes slot(track_size);
    in.read(reinterpret_cast<char*>(slot.data()), std::streamsize(track_size));
    if (!in)
        throw std::runtime_error("cannot read track " + std::to_string(unit) + " of " + path);
    TrackImage t;
    t.assign_from_slot(slot);
    return t;
}

std::string run(const std::string& command, int* rc)
{
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p)
        throw std::runtime_error("cannot run " + command);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int status = ::pclose(p);
    if (rc)
        *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

bool have_hercules()
{
    int rc = 0;
    run("command -v cckdcdsk && command -v dasdcopy && command -v dasdinit", &rc);
    return rc == 0;
}

void check_cckdcdsk_clean(const std::string& path)
{
    const Bytes before = read_file(path);
    int rc = -1;
    const std::string out = run("cckdcdsk -3 '" + path + "'", &rc);
    INFO("cckdcdsk output: " << out);
    CHECK(rc == 0);
    CHECK(out.empty());
    CHECK(read_file(path) == before);
}

void write_all(CkdVolumeWriter& writer, const std::vector<TrackImage>& tracks, uint32_t heads)
{
    for (size_t u = 0; u < tracks.size(); ++u)
        writer.write_track({uint32_t(u / heads), uint32_t(u % heads)}, tracks[u]);
    writer.commit();
}

void make_big_endian(const std::string& path)
{
    Bytes f = read_file(path);
    const auto kind = classify_magic(f.data());
    if (!kind || kind->wide)
        throw std::runtime_error("make_big_endian: not a 32-bit compressed image");
    auto h = CompressedHeader::parse(f.data() + 512, false);
    if (h.order() != ByteOrder::Little)
        throw std::runtime_error("make_big_endian: already big-endian");
    h.store(f.data() + 512, false, ByteOrder::Big);
    for (uint32_t i = 0; i < h.numl1tab; ++i) {
        uint8_t* p = f.data() + 1024 + 4 * i;
        const uint64_t l2 = load_l1(p, false, ByteOrder::Little);
        store_l1(p, l2, false, ByteOrder::Big);
        if (l2 == 0)
            continue;
        for (unsigned j = 0; j < 256; ++j) {
            uint8_t* e = f.data() + l2 + 8 * j;
            store_l2(e, load_l2(e, false, ByteOrder::Little), false, ByteOrder::Big);
        }
    }
    write_file(path, f);
}

} // namespace ddr::test
