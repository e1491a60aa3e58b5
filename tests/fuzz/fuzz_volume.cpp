// fuzz_volume: the input is a volume image file, opened the way every ddr command
// opens one (open_ckd_volume / open_fba_volume pick the container from its bytes:
// plain CKD, CCKD in either byte order and width, CFBA, plain FBA), then info() and a
// bounded number of tracks or blocks are read.
//
// An input starting with "DDRFZSET" is a multi-file plain CKD volume instead:
//   "DDRFZSET" | u8 which file to open | up to 4 x (u32 little-endian length, bytes)
// written as vol_1.img, vol_2.img, ... (the names Hercules' dasdinit gives a split
// volume).
//
// An input starting with "DDRFZSHD" is a compressed base with Hercules shadow files, in
// the same form: the first file is written as base.img, the others as sh_1.img,
// sh_2.img, sh_3.img, and base.img is opened with the shadow files of sf=sh_*.img
// (the byte after the magic is not used).
//
// What the readers promise and the target checks: a track that reads without error is
// well formed (it measures to its own length), fits the track size, and carries the
// home address of the track asked for; out-of-range reads are never attempted.
#include "ddr/device_choice.hpp"
#include "formats/volume/cckd/layout.hpp"
#include "formats/volume/ckd_track.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cstring>

using namespace ddr;

namespace {

constexpr char kSetMagic[] = "DDRFZSET";
constexpr char kShadowMagic[] = "DDRFZSHD";
constexpr size_t kMaxFiles = 4;
using fuzz::units_to_read;

void read_ckd(const std::string& path, const VolumeOpenOptions& options)
{
    std::unique_ptr<CkdVolumeReader> vol;
    try {
        vol = open_ckd_volume(path, options);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        return;
    }
    const CkdVolumeInfo info = vol->info();
    fuzz::check(info.heads > 0 && info.cylinders > 0, "an open CKD volume has no tracks");
    (void)info.eav_form();
    // What dump makes of the geometry: the device type, or Error(Device).
    (void)describe_image(info);
    try {
        (void)device_for_image(info, std::nullopt, path);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    TrackImage t;
    for (uint64_t unit : units_to_read(info.tracks())) {
        const TrackAddress addr{uint32_t(unit / info.heads), uint32_t(unit % info.heads)};
        try {
            vol->read_track(addr, t);
        } catch (const Error& e) {
            fuzz::expect_input_error(e);
            continue;
        }
        fuzz::check(TrackImage::measure(t.bytes) == t.size(), "read_track() returned a malformed track");
        const bool known_fmt0 = fuzz::known_issue("cckd-null-fmt0-oversize") &&
                                t.size() == cckd::null_track_size(cckd::kNullFmt0);
        fuzz::check(t.size() <= info.track_size || known_fmt0,
                    "read_track() returned a track larger than the track size");
        const auto cchh = encode_cchh(addr);
        fuzz::check(std::memcmp(t.bytes.data() + 1, cchh.data(), 4) == 0,
                    "read_track() returned a track with another home address");
        if (unit == 0)
            (void)find_ckd_volume_label(t);
    }
}

void read_fba(const std::string& path, const VolumeOpenOptions& options)
{
    std::unique_ptr<FbaVolumeReader> vol;
    try {
        vol = open_fba_volume(path, options);
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
        return;
    }
    const FbaVolumeInfo info = vol->info();
    fuzz::check(info.blocks > 0, "an open FBA volume has no blocks");
    static constexpr size_t kCounts[] = {1, 7, 120, 3, 121, 2};
    Bytes buf;
    size_t which = 0;
    for (uint64_t first : units_to_read(info.blocks)) {
        const size_t count = size_t(std::min<uint64_t>(kCounts[which++ % std::size(kCounts)], info.blocks - first));
        buf.assign(count * kFbaBlockSize, 0xA5);
        try {
            vol->read_blocks(first, buf);
        } catch (const Error& e) {
            fuzz::expect_input_error(e);
            continue;
        }
        if (first <= 1 && first + count > 1)
            (void)find_fba_volser(ByteSpan(buf).subspan((1 - first) * kFbaBlockSize, kFbaBlockSize));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static fuzz::ScratchDir dir;
    for (size_t i = 1; i <= kMaxFiles; ++i) {
        dir.remove("vol_" + std::to_string(i) + ".img");
        dir.remove("sh_" + std::to_string(i) + ".img");
    }
    dir.remove("base.img");

    std::string open_name = "vol_1.img";
    VolumeOpenOptions options;
    const bool set = size >= 8 && std::memcmp(data, kSetMagic, 8) == 0;
    const bool chain = size >= 8 && std::memcmp(data, kShadowMagic, 8) == 0;
    if (set || chain) {
        fuzz::Cursor in(data + 8, size - 8);
        const unsigned pick = in.u8();
        size_t files = 0;
        while (!in.empty() && files < kMaxFiles) {
            const uint32_t len = in.le32();
            ++files;
            const std::string name = !chain ? "vol_" + std::to_string(files) + ".img"
                                     : files == 1 ? std::string("base.img")
                                                  : "sh_" + std::to_string(files - 1) + ".img";
            dir.write(name, in.take(len));
        }
        if (files == 0)
            return 0;
        open_name = chain ? "base.img" : "vol_" + std::to_string(pick % files + 1) + ".img";
        if (chain)
            options.shadow_files = dir.path("sh_*.img");
    } else {
        dir.write(open_name, ByteSpan(data, size));
    }

    const std::string path = dir.path(open_name);
    (void)looks_like_ckd_volume(path);
    read_ckd(path, options);
    read_fba(path, options);
    return 0;
}
