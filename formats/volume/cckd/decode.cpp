#include "formats/volume/cckd/decode.hpp"

#include "formats/volume/cckd/eav_container.hpp"

#include <cstring>
#include <utility>

namespace ddr::cckd {

namespace {

std::string hex2(uint8_t v)
{
    static const char digits[] = "0123456789ABCDEF";
    return std::string("0x") + digits[v >> 4] + digits[v & 0xF];
}

void check_code(uint8_t code, const Place& at, const char* what)
{
    if (code > uint8_t(CckdCompression::Bzip2))
        fail(ErrorKind::Unreadable, at,
             std::string(what) + " has compression code " + hex2(code) + " (expected 0 none, 1 zlib or 2 bzip2)");
}

} // namespace

void ImageDecoder::read_track(const FileHandle& file, const L2Entry& e, TrackAddress addr, uint32_t track_size,
                              TrackImage& out, const Place& where)
{
    Place at = where;
    at.offset = e.pos;
    Bytes& img = out.bytes;
    img.resize(e.len);
    try {
        file.read_exact(e.pos, img);
    } catch (const Error& err) {
        throw err.within(at);
    }
    const uint8_t code = img[0];
    check_code(code, at, "track image");
    const auto cchh = encode_cchh(addr);
    if (std::memcmp(img.data() + 1, cchh.data(), 4) != 0)
        fail(ErrorKind::Unreadable, at,
             "track image header says " +
                 (eav_form_ ? eav::describe_cchh(img.data() + 1)
                            : "cyl " + std::to_string(load_be16(img.data() + 1)) + " head " +
                                  std::to_string(load_be16(img.data() + 3))) +
                 ", not this track");
    if (code == uint8_t(CckdCompression::None)) {
        if (img.size() > track_size)
            fail(ErrorKind::Unreadable, at,
                 "uncompressed track image is " + std::to_string(img.size()) + " bytes, more than the " +
                     std::to_string(track_size) + "-byte track size");
    } else {
        // Decompress straight into the caller's buffer; the stored bytes move to ours.
        std::swap(img, stored_);
        img.resize(track_size);
        std::memcpy(img.data(), stored_.data(), kImageHeaderSize);
        std::string why;
        auto n = decompressor_.decompress(CckdCompression(code), ByteSpan(stored_).subspan(kImageHeaderSize),
                                          MutableByteSpan(img).subspan(kImageHeaderSize), why);
        if (!n)
            fail(ErrorKind::Unreadable, at, "track image: " + why);
        img.resize(kImageHeaderSize + *n);
        img[0] = 0;
    }
    std::string why;
    auto len = TrackImage::measure(img, &why);
    if (!len)
        fail(ErrorKind::Unreadable, at, "track image: " + why);
    if (*len != img.size())
        fail(ErrorKind::Unreadable, at,
             "track image has " + std::to_string(img.size() - *len) + " bytes after its end-of-track marker");
}

void ImageDecoder::read_group(const FileHandle& file, const L2Entry& e, uint64_t group, MutableByteSpan out,
                              const Place& where)
{
    Place at = where;
    at.offset = e.pos;
    stored_.resize(e.len);
    try {
        file.read_exact(e.pos, stored_);
    } catch (const Error& err) {
        throw err.within(at);
    }
    const uint8_t code = stored_[0];
    check_code(code, at, "block group image");
    const uint32_t number = load_be32(stored_.data() + 1);
    if (number != group)
        fail(ErrorKind::Unreadable, at, "block group image header says group " + std::to_string(number) + ", not this group");
    if (code == uint8_t(CckdCompression::None)) {
        if (stored_.size() != kImageHeaderSize + kCfbaGroupBytes)
            fail(ErrorKind::Unreadable, at,
                 "uncompressed block group image is " + std::to_string(stored_.size()) + " bytes, not 61,445");
        std::memcpy(out.data(), stored_.data() + kImageHeaderSize, kCfbaGroupBytes);
        return;
    }
    std::string why;
    auto n = decompressor_.decompress(CckdCompression(code), ByteSpan(stored_).subspan(kImageHeaderSize), out, why);
    if (!n)
        fail(ErrorKind::Unreadable, at, "block group image: " + why);
    if (*n != kCfbaGroupBytes)
        fail(ErrorKind::Unreadable, at,
             "block group image decompresses to " + std::to_string(*n) + " bytes, not 61,440");
}

} // namespace ddr::cckd
