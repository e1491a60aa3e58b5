#include "formats/volume/busy_image.hpp"

#include "formats/io/tod.hpp"
#include "formats/io/error.hpp"

#include <algorithm>
#include <cstring>
#include <zlib.h>

namespace ddr {

namespace {

constexpr char kRecordMagic[] = "DDRRSTOR";
constexpr size_t kVolserBytes = 6;
constexpr size_t kCrcAt = 40;
constexpr uint8_t kPriorVolserPresent = 0x01;

void store_volser(uint8_t* p, const std::string& volser)
{
    std::fill(p, p + kVolserBytes, uint8_t(' '));
    std::memcpy(p, volser.data(), std::min(volser.size(), kVolserBytes));
}

std::string load_volser(const uint8_t* p)
{
    std::string s(reinterpret_cast<const char*>(p), kVolserBytes);
    auto last = s.find_last_not_of(' ');
    return last == std::string::npos ? std::string() : s.substr(0, last + 1);
}

uint32_t crc_of(const uint8_t* p, size_t n)
{
    return uint32_t(::crc32(::crc32(0, nullptr, 0), p, uInt(n)));
}

// "a restore of VOLA01 (dumped ...)" or, with nothing recorded, "a restore".
std::string what_restore(const UnfinishedRestore& u)
{
    return u.record ? u.record->describe() : std::string("a restore");
}

} // namespace

std::string busy_image_name(const std::string& path)
{
    return path + ".ddr-busy";
}

std::array<uint8_t, RestoreRecord::kSize> RestoreRecord::encode() const
{
    std::array<uint8_t, kSize> out{};
    std::memcpy(out.data(), kRecordMagic, 8);
    store_be64(out.data() + 8, dump_tod);
    store_volser(out.data() + 16, dump_volser);
    store_volser(out.data() + 22, prior_volser.value_or(""));
    out[28] = prior_volser ? kPriorVolserPresent : 0;
    store_le64(out.data() + 32, fba_blocks);
    store_le32(out.data() + kCrcAt, crc_of(out.data(), kCrcAt));
    return out;
}

std::optional<RestoreRecord> RestoreRecord::decode(ByteSpan bytes)
{
    if (bytes.size() < kSize || std::memcmp(bytes.data(), kRecordMagic, 8) != 0)
        return std::nullopt;
    if (load_le32(bytes.data() + kCrcAt) != crc_of(bytes.data(), kCrcAt))
        return std::nullopt;
    RestoreRecord r;
    r.dump_tod = load_be64(bytes.data() + 8);
    r.dump_volser = load_volser(bytes.data() + 16);
    if (bytes[28] & kPriorVolserPresent)
        r.prior_volser = load_volser(bytes.data() + 22);
    r.fba_blocks = load_le64(bytes.data() + 32);
    return r;
}

bool RestoreRecord::has_magic(ByteSpan bytes)
{
    return bytes.size() >= 8 && std::memcmp(bytes.data(), kRecordMagic, 8) == 0;
}

std::string RestoreRecord::describe() const
{
    return "a restore of " + (dump_volser.empty() ? std::string("(blank volser)") : dump_volser) + " (dumped " +
           format_tod_utc(dump_tod) + ")";
}

std::string busy_whereabouts(const std::string& path, const UnfinishedRestore& u)
{
    if (u.file_now == u.image)
        return "its magic reads DDR_BUSY";
    return (u.image == path ? "it is named " : "its first file is named ") + u.file_now;
}

void fail_unfinished(const std::string& path, const UnfinishedRestore& u)
{
    fail(ErrorKind::Unreadable, file_place(path),
         "image is incomplete: " + what_restore(u) + " into it did not finish (" + busy_whereabouts(path, u) +
             " until one does); run the same restore again (ddr restore TAPE " + path + ") to finish it");
}

void fail_both_names(const std::string& path, const UnfinishedRestore& u)
{
    fail(ErrorKind::Refused, file_place(path),
         u.image + " and " + u.file_now + " both exist: " + u.file_now + " is an image " + what_restore(u) +
             " did not finish, " + u.image + " another file under the image's own name; remove whichever of the "
             "two is not wanted (or rename it), then run the restore again");
}

} // namespace ddr
