// Helpers shared by the volume container tests (CKD/FBA images, labels): catching a
// ddr::Error to check its kind and text, running Hercules' utilities, geometry of the
// CKD types dasdinit knows, and random tracks.
#pragma once

#include "formats/volume/ckd_track.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/error_testing.hpp"
#include "tests/unit/support.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <optional>
#include <random>
#include <string>
#include <sys/wait.h>

namespace ddr::test {

// Runs a shell command in `dir`, output discarded; returns its exit status.
inline int run_in(const TempDir& dir, const std::string& command)
{
    std::string full = "cd '" + dir.path().string() + "' && " + command + " >/dev/null 2>&1";
    int rc = std::system(full.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Geometry of the CKD types dasdinit knows (devices/README.md).
struct CkdGeometry {
    const char* type;  // dasdinit's device type argument
    uint32_t heads;
    uint32_t track_size;
    uint8_t devtype_byte;
};
inline constexpr CkdGeometry kCkdTypes[] = {
    {"2305-1", 8, 14336, 0x05}, {"2305-2", 8, 14848, 0x05}, {"2311", 10, 4096, 0x11},
    {"2314", 20, 7680, 0x14},   {"3330", 19, 13312, 0x30},  {"3340", 12, 8704, 0x40},
    {"3350", 30, 19456, 0x50},  {"3375", 12, 35840, 0x75},  {"3380", 15, 47616, 0x80},
    {"3390", 15, 56832, 0x90},  {"9345", 15, 46592, 0x45},
};
inline const CkdGeometry& geometry(const std::string& type)
{
    for (const auto& g : kCkdTypes) {
        if (type == g.type)
            return g;
    }
    throw std::runtime_error("no test geometry for " + type);
}

// A well-formed track at `addr` of random records that fits in `max_bytes`.
inline TrackImage random_track(TrackAddress addr, std::mt19937& rng, size_t max_bytes)
{
    TrackImage t;
    t.start(0, addr);
    uint8_t count[kCountSize];
    encode_cchh(count, addr);
    count[4] = 0;
    count[5] = 0;
    store_be16(count + 6, 8);
    Bytes r0(8);
    for (auto& b : r0)
        b = uint8_t(rng());
    t.add_record(count, {}, r0);
    size_t used = kHomeAddressSize + kCountSize + 8 + kEndOfTrackSize;
    unsigned records = rng() % 12;
    for (unsigned r = 1; r <= records; ++r) {
        size_t kl = rng() % 3 == 0 ? rng() % 45 : 0;
        size_t dl = rng() % 4000;
        if (used + kCountSize + kl + dl > max_bytes)
            break;
        count[4] = uint8_t(r);
        count[5] = uint8_t(kl);
        store_be16(count + 6, uint16_t(dl));
        Bytes kd(kl + dl);
        for (auto& b : kd)
            b = uint8_t(rng());
        t.add_record(count, kd);
        used += kCountSize + kl + dl;
    }
    t.finish();
    return t;
}

// Starts `t` as track `addr` with its home address and a standard R0 (8 zero bytes);
// `count` is left holding R0's count, CCHH set, for the records that follow.
inline void start_with_r0(TrackImage& t, TrackAddress addr, uint8_t (&count)[kCountSize])
{
    t.start(0, addr);
    encode_cchh(count, addr);
    count[4] = 0;
    count[5] = 0;
    store_be16(count + 6, 8);
    t.add_record(count, {}, Bytes(8, 0));
}

// A track of R0 and one record of `data_length` bytes (0x5A): 5+16+8+data+8 bytes.
inline TrackImage one_record_track(TrackAddress addr, uint16_t data_length)
{
    TrackImage t;
    uint8_t count[kCountSize];
    start_with_r0(t, addr, count);
    count[4] = 1;
    store_be16(count + 6, data_length);
    t.add_record(count, {}, Bytes(data_length, 0x5A));
    t.finish();
    return t;
}

} // namespace ddr::test
