// Compression of CCKD/CFBA stored images (ddrimage(5)): the part after the 5-byte image
// header is kept raw, as one zlib stream (RFC 1950) or as one bzip2 stream.  The
// compression code travels in byte 0 of the image header.
#pragma once

#include "formats/io/bytes.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ddr {

class Bzip2Memory;

enum class CckdCompression : uint8_t { None = 0, Zlib = 1, Bzip2 = 2 };

const char* compression_name(CckdCompression c);

namespace cckd {

// Holds the library state between calls, so compressing track after track does not
// set up a new zlib stream or new bzip2 work areas each time.  One per thread.
class Compressor {
public:
    Compressor();
    ~Compressor();
    Compressor(const Compressor&) = delete;
    Compressor& operator=(const Compressor&) = delete;

    // Compresses `in` into `out` from byte `offset` on (`out` is resized to end with the
    // result; the bytes before `offset` are kept).  Returns false, leaving `out`
    // unspecified, when the result would not be shorter than `limit` bytes: the caller
    // then stores the data raw.  `level` -1 = the library default.
    bool compress(CckdCompression method, int level, ByteSpan in, Bytes& out, size_t offset, size_t limit);

private:
    struct ZlibState;
    std::unique_ptr<ZlibState> zlib_;
    std::unique_ptr<Bzip2Memory> bzip2_;
};

class Decompressor {
public:
    Decompressor();
    ~Decompressor();
    Decompressor(const Decompressor&) = delete;
    Decompressor& operator=(const Decompressor&) = delete;

    // Decompresses `in` into `out`, which bounds the result.  Returns the length, or
    // nullopt with `why` set when the stream is corrupt, truncated or longer than `out`.
    // Bytes after the end of the stream are ignored, as Hercules ignores them.
    std::optional<size_t> decompress(CckdCompression method, ByteSpan in, MutableByteSpan out, std::string& why);

private:
    struct ZlibState;
    std::unique_ptr<ZlibState> zlib_;
    std::unique_ptr<Bzip2Memory> bzip2_;
};

// Error(Usage) naming `file` unless `level` suits `method` (-1 = default; zlib 0-9, bzip2 1-9).
void check_compression_level(CckdCompression method, int level, const std::string& file);

// The stored form of a raw image (5-byte header, byte 0 = 0, then the data): raw, or
// compressed when that is shorter (ddrimage(5); images under 512 bytes stay raw).
// Returns true and fills `stored` when compressed; false means "store `raw` as it is".
bool compress_image(Compressor& compressor, CckdCompression method, int level, ByteSpan raw, Bytes& stored);

} // namespace cckd
} // namespace ddr
