// The on-disk structures of Hercules' compressed DASD images (ddrimage(5)):
//
//   0     device header (512, device_header.hpp)                       always little-endian
//   512   compressed header "cdevhdr" (512)                             byte order per option bit 0x02
//   1024  L1 table: one entry per 256 tracks (CKD) or block groups (FBA)
//   ...   L2 tables (256 entries each) and stored images, in any order
//
// Two widths: the classic 32-bit form (CKD_C370 / FBA_C370: u32 L1 entries, 8-byte L2
// entries) and SDL Hyperion's 64-bit form (CKD_C064 / FBA_C064: u64 L1 entries, 16-byte
// L2 entries, a wider cdevhdr).  A stored image starts with 5 bytes: the compression
// code, then CCHH (CKD) or the big-endian block group number (FBA).
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/volume/ckd_track.hpp"
#include "formats/volume/device_header.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace ddr::cckd {

inline constexpr uint64_t kCompressedHeaderPos = kDeviceHeaderSize;
inline constexpr size_t kCompressedHeaderSize = 512;
inline constexpr uint64_t kL1Pos = 1024;
inline constexpr unsigned kL2Entries = 256;
inline constexpr size_t kImageHeaderSize = 5;
// Images shorter than this are always stored uncompressed (Hercules' CCKD_COMPRESS_MIN).
inline constexpr size_t kCompressMin = 512;
// The largest file the 32-bit format can address (every offset is a u32).
inline constexpr uint64_t kMaxFileSize32 = 0xFFFFFFFFu;
// The largest 64-bit image ddr writes: 256 TiB, far beyond any volume (a full EAV of
// incompressible tracks is about 1 TB).  The limit lets a writer keep each L2 entry in
// memory as 8 bytes (48-bit offset, 16-bit length): about 135 MiB for a fully written EAV.
inline constexpr uint64_t kMaxFileSize64 = uint64_t(1) << 48;
// What a writer says when a 32-bit image would pass kMaxFileSize32.
inline constexpr const char* kTooBigCkd = "CCKD file would exceed 4 GiB; use CKD_C064 or plain CKD";
inline constexpr const char* kTooBigFba = "CFBA file would exceed 4 GiB; use FBA_C064 or plain FBA";
// L2 `len` is a u16, so no stored image can be longer than this.
inline constexpr size_t kMaxStoredImage = 0xFFFF;

inline constexpr uint32_t kCfbaGroupBlocks = 120;
inline constexpr size_t kCfbaGroupBytes = kCfbaGroupBlocks * 512;  // 61,440

// cdevhdr option bits.
inline constexpr uint8_t kOptNoFudge = 0x01;
inline constexpr uint8_t kOptBigEndian = 0x02;
inline constexpr uint8_t kOptSpaceErrors = 0x20;
inline constexpr uint8_t kOptOpenedReadWrite = 0x40;
inline constexpr uint8_t kOptOpen = 0x80;
// The option byte of a file we write: Hercules 3.13 sets "no fudge" and "opened
// read/write" in fresh files (0x41, [RUN] dasdinit and dasdcopy); SDL writes its 64-bit
// files with only the latter (0x40).  Both little-endian.
inline constexpr uint8_t kFreshOptions32 = kOptNoFudge | kOptOpenedReadWrite;
inline constexpr uint8_t kFreshOptions64 = kOptOpenedReadWrite;

enum class Flavor : uint8_t { Ckd, Fba };
enum class ByteOrder : uint8_t { Little, Big };

// What the 8-byte magic at offset 0 says.
struct Kind {
    Flavor flavor = Flavor::Ckd;
    bool wide = false;    // the 64-bit (CCKD64) form
    bool shadow = false;  // a shadow file (*_S370 / *_S064)
    std::string magic;
    bool eav = false;     // CKD_E064, ddr's own EAV container (eav_container.hpp): CCKD64 layout
};

// Recognises CKD_C370, CKD_S370, FBA_C370, FBA_S370, the *_C064 / *_S064 forms and
// our CKD_E064 (wide, eav); nullopt for anything else (plain CKD_P370 included).
std::optional<Kind> classify_magic(const uint8_t* first8);
std::string magic_for(Flavor flavor, bool wide);

struct CompressedHeader {
    std::array<uint8_t, 3> vrm{0, 3, 1};
    uint8_t options = 0;
    uint32_t numl1tab = 0;
    uint32_t numl2tab = kL2Entries;
    uint64_t size = 0;
    uint64_t used = 0;
    uint64_t free = 0;
    uint64_t free_total = 0;
    uint64_t free_largest = 0;
    uint64_t free_number = 0;
    uint64_t free_imbed = 0;
    uint32_t cyls = 0;  // CKD: cylinders; FBA: 512-byte sectors.  Always little-endian on disk.
    uint8_t nullfmt = 0;
    uint8_t compress = 0;
    uint16_t compress_parm = 0;

    ByteOrder order() const { return (options & kOptBigEndian) ? ByteOrder::Big : ByteOrder::Little; }

    // Reads the 512 bytes at offset 512 (in the byte order their option bit names).
    static CompressedHeader parse(const uint8_t* p512, bool wide);
    // Writes the header in `order`, setting the byte-order option bit to match.
    // Values too wide for the 32-bit form are truncated: callers check the limits first.
    void store(uint8_t* p512, bool wide, ByteOrder order) const;
};

struct L2Entry {
    uint64_t pos = 0;   // offset of the stored image; 0 = null
    uint16_t len = 0;   // stored length; for a null entry, the null format
    uint16_t size = 0;  // space reserved (>= len)
};

inline size_t l1_entry_size(bool wide) { return wide ? 8 : 4; }
inline size_t l2_entry_size(bool wide) { return wide ? 16 : 8; }
inline size_t l2_table_size(bool wide) { return kL2Entries * l2_entry_size(wide); }
// The L1/L2 offset a shadow file uses for "not in this file".
inline uint64_t shadow_marker(bool wide) { return wide ? ~uint64_t(0) : 0xFFFFFFFFu; }

uint64_t load_l1(const uint8_t* p, bool wide, ByteOrder order);
void store_l1(uint8_t* p, uint64_t value, bool wide, ByteOrder order);
L2Entry load_l2(const uint8_t* p, bool wide, ByteOrder order);
void store_l2(uint8_t* p, const L2Entry& e, bool wide, ByteOrder order);

// ---- Null tracks (ddrimage(5)) ----

inline constexpr uint8_t kNullFmt0 = 0;  // HA, R0, end-of-file R1, marker (37 bytes)
inline constexpr uint8_t kNullFmt1 = 1;  // HA, R0, marker (29 bytes)
inline constexpr uint8_t kNullFmt2 = 2;  // HA, R0, 12 x 4096 zero bytes, marker (49,277 bytes)
inline constexpr size_t kNullFmt2Records = 12;
inline constexpr size_t kNullFmt2DataLength = 4096;

size_t null_track_size(uint8_t fmt);
// Builds the null track of format `fmt` (0, 1 or 2) for `addr` into `out`.
void build_null_track(uint8_t fmt, TrackAddress addr, Bytes& out);
// The null format `track` is byte for byte, or nullopt.  FMT2 is considered only when
// `allow_fmt2` (it is a 3390 Linux pattern; other devices' tracks cannot hold it).
std::optional<uint8_t> null_format_of(ByteSpan track, TrackAddress addr, bool allow_fmt2);

// Number of block groups holding `sectors` 512-byte sectors.
inline uint64_t cfba_groups(uint64_t sectors) { return (sectors + kCfbaGroupBlocks - 1) / kCfbaGroupBlocks; }
inline uint64_t l1_entries_for(uint64_t units) { return (units + kL2Entries - 1) / kL2Entries; }

// FBA device types as the CFBA device header's low byte records them (SDL fills it in;
// Hercules 3.13 leaves it zero).  0 when unknown.
uint16_t fba_devtype_from_byte(uint8_t b);

} // namespace ddr::cckd
