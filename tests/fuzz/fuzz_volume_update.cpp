// fuzz_volume_update: a restore onto an existing volume, whose bytes are untrusted.
//
// The input is a volume image file.  It is read as fuzz_volume reads it (bounded), then
// opened for update the way `ddr restore` onto an existing target does
// (update_ckd_volume / update_fba_volume), one track or block is written and the update
// committed.  Then, as a restore's promises:
//   * a committed image opens again, the written track/block reads back as written, and
//     every other track/block read before reads back the same (nothing else changed);
//   * a compressed image (CCKD/CFBA) whose update fails is left byte for byte as it was,
//     with no temporary file beside it.
// (A plain CKD or FBA image whose update fails stays marked busy by design.)
#include "formats/volume/ckd_track.hpp"
#include "formats/volume/volume.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstring>
#include <map>
#include <optional>

using namespace ddr;

namespace {

constexpr char kName[] = "vol.img";

bool is_compressed(ByteSpan input)
{
    return input.size() >= 8 && (std::memcmp(input.data(), "CKD_C", 5) == 0 || std::memcmp(input.data(), "FBA_C", 5) == 0);
}

// What a failed update of a compressed image must leave: the input, alone.
void check_untouched(const fuzz::ScratchDir& dir, ByteSpan input)
{
    if (!is_compressed(input))
        return;
    fuzz::check(dir.list() == std::vector<std::string>{kName}, "a failed update left other files beside the image");
    const Bytes now = dir.read(kName);
    fuzz::check(now.size() == input.size() && std::equal(now.begin(), now.end(), input.begin()),
                "a failed update changed the image");
}

TrackImage track_to_write(TrackAddress addr, uint32_t track_size)
{
    TrackImage t;
    t.start(0, addr);
    uint8_t count[kCountSize] = {};
    encode_cchh(count, addr);
    count[7] = 8;
    static constexpr uint8_t r0[8] = {};
    t.add_record(count, ByteSpan(r0, 8));
    static constexpr uint8_t data[16] = {'f', 'u', 'z', 'z', 'e', 'd', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    if (kEmptyTrackSize + kCountSize + sizeof data <= track_size) {
        count[4] = 1;
        count[7] = sizeof data;
        t.add_record(count, ByteSpan(data, sizeof data));
    }
    t.finish();
    return t;
}

using Snapshot = std::map<uint64_t, Bytes>;  // unit -> contents, for the units that read

Snapshot ckd_snapshot(const std::string& path, uint64_t& tracks, uint32_t& heads)
{
    Snapshot s;
    tracks = 0;
    try {
        auto vol = open_ckd_volume(path);
        tracks = vol->info().tracks();
        heads = vol->info().heads;
        TrackImage t;
        for (uint64_t u : fuzz::units_to_read(tracks)) {
            try {
                vol->read_track({uint32_t(u / heads), uint32_t(u % heads)}, t);
                s[u] = t.bytes;
            } catch (const Error& e) {
                fuzz::expect_input_error(e);
            }
        }
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    return s;
}

void update_ckd(const fuzz::ScratchDir& dir, ByteSpan input)
{
    const std::string path = dir.path(kName);
    uint64_t tracks = 0;
    uint32_t heads = 1;
    const Snapshot before = ckd_snapshot(path, tracks, heads);

    std::optional<uint64_t> written_unit;
    TrackImage written;
    try {
        auto w = update_ckd_volume(path);
        const CkdVolumeInfo info = w->info();
        const uint64_t unit = info.tracks() > 1 ? 1 : 0;
        const TrackAddress addr{uint32_t(unit / info.heads), uint32_t(unit % info.heads)};
        written = track_to_write(addr, info.track_size);
        w->write_track(addr, written);
        TrackImage back;
        w->read_track(addr, back);
        fuzz::check(back.bytes == written.bytes, "read_track() during an update does not return the track written");
        w->commit();
        written_unit = unit;
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    if (!written_unit) {
        check_untouched(dir, input);
        return;
    }

    uint64_t tracks_after = 0;
    uint32_t heads_after = 1;
    const Snapshot after = ckd_snapshot(path, tracks_after, heads_after);
    fuzz::check(tracks_after > *written_unit, "a committed CKD update does not open again");
    fuzz::check(after.count(*written_unit) && after.at(*written_unit) == written.bytes,
                "the track an update wrote does not read back");
    for (const auto& [unit, bytes] : before) {
        if (unit == *written_unit)
            continue;
        fuzz::check(after.count(unit) && after.at(unit) == bytes, "an update changed a track it did not write");
    }
}

Snapshot fba_snapshot(const std::string& path, uint64_t& blocks)
{
    Snapshot s;
    blocks = 0;
    try {
        auto vol = open_fba_volume(path);
        blocks = vol->info().blocks;
        Bytes b(kFbaBlockSize);
        for (uint64_t u : fuzz::units_to_read(blocks)) {
            try {
                vol->read_blocks(u, b);
                s[u] = b;
            } catch (const Error& e) {
                fuzz::expect_input_error(e);
            }
        }
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    return s;
}

void update_fba(const fuzz::ScratchDir& dir, ByteSpan input)
{
    const std::string path = dir.path(kName);
    uint64_t blocks = 0;
    const Snapshot before = fba_snapshot(path, blocks);

    std::optional<uint64_t> written_block;
    const Bytes pattern(kFbaBlockSize, 0x5A);
    try {
        auto w = update_fba_volume(path);
        const uint64_t block = w->info().blocks > 1 ? 1 : 0;
        w->write_blocks(block, pattern);
        Bytes back(kFbaBlockSize);
        w->read_blocks(block, back);
        fuzz::check(back == pattern, "read_blocks() during an update does not return the block written");
        w->commit();
        written_block = block;
    } catch (const Error& e) {
        fuzz::expect_input_error(e);
    }
    if (!written_block) {
        check_untouched(dir, input);
        return;
    }

    uint64_t blocks_after = 0;
    const Snapshot after = fba_snapshot(path, blocks_after);
    fuzz::check(blocks_after == blocks || blocks == 0, "an FBA update changed the number of blocks");
    fuzz::check(after.count(*written_block) && after.at(*written_block) == pattern,
                "the block an update wrote does not read back");
    for (const auto& [unit, bytes] : before) {
        if (unit == *written_block)
            continue;
        fuzz::check(after.count(unit) && after.at(unit) == bytes, "an update changed a block it did not write");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static fuzz::ScratchDir dir;
    const ByteSpan input(data, size);

    dir.clear();
    dir.write(kName, input);
    update_ckd(dir, input);

    dir.clear();
    dir.write(kName, input);
    update_fba(dir, input);
    return 0;
}
