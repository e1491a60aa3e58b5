#include "formats/volume/cckd/codec.hpp"

#include "formats/volume/cckd/layout.hpp"
#include "formats/io/bzip2_memory.hpp"
#include "formats/io/error.hpp"

#include <bzlib.h>
#include <climits>
#include <cstring>
#include <new>
#include <zlib.h>

namespace ddr {

const char* compression_name(CckdCompression c)
{
    switch (c) {
    case CckdCompression::None: return "none";
    case CckdCompression::Zlib: return "zlib";
    case CckdCompression::Bzip2: return "bzip2";
    }
    return "unknown";
}

namespace cckd {

namespace {

// bzip2's block size only caps how much input one block holds.  Every image we
// compress is under 100 kB, so any block size gives the same stream apart from the
// level digit in its header, while a smaller one needs far less memory to undo.
int bzip2_block_size(int level) { return level >= 1 && level <= 9 ? level : 1; }

// A stream from `in` to the `room` bytes at `out`, its memory from `memory`; not yet
// set up (BZ2_bz*Init keeps the buffers given).
bz_stream bzip2_stream(Bzip2Memory& memory, ByteSpan in, uint8_t* out, unsigned room)
{
    bz_stream b{};
    memory.attach(b);
    b.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
    b.avail_in = unsigned(in.size());
    b.next_out = reinterpret_cast<char*>(out);
    b.avail_out = room;
    return b;
}

// BZ2_bzBuffToBuffCompress and BZ2_bzBuffToBuffDecompress with their return codes
// (BZ_OUTBUFF_FULL, BZ_UNEXPECTED_EOF, ...), the same bytes, and `memory` for the work
// areas, which those two would allocate and free again for every track image.
int bzip2_compress(Bzip2Memory& memory, uint8_t* out, unsigned& out_len, ByteSpan in, int block_size)
{
    bz_stream b = bzip2_stream(memory, in, out, out_len);
    int rc = BZ2_bzCompressInit(&b, block_size, 0, 0);
    if (rc != BZ_OK)
        return rc;
    rc = BZ2_bzCompress(&b, BZ_FINISH);
    const unsigned left = b.avail_out;
    BZ2_bzCompressEnd(&b);
    if (rc == BZ_FINISH_OK)
        return BZ_OUTBUFF_FULL;
    if (rc != BZ_STREAM_END)
        return rc;
    out_len -= left;
    return BZ_OK;
}

int bzip2_decompress(Bzip2Memory& memory, uint8_t* out, unsigned& out_len, ByteSpan in)
{
    bz_stream b = bzip2_stream(memory, in, out, out_len);
    int rc = BZ2_bzDecompressInit(&b, 0, 0);
    if (rc != BZ_OK)
        return rc;
    rc = BZ2_bzDecompress(&b);
    const unsigned left = b.avail_out;
    BZ2_bzDecompressEnd(&b);
    if (rc == BZ_OK)
        return left > 0 ? BZ_UNEXPECTED_EOF : BZ_OUTBUFF_FULL;
    if (rc != BZ_STREAM_END)
        return rc;
    out_len -= left;
    return BZ_OK;
}

} // namespace

struct Compressor::ZlibState {
    z_stream stream{};
    int level = INT_MIN;  // the level `stream` was set up for; INT_MIN = not set up
    ~ZlibState()
    {
        if (level != INT_MIN)
            deflateEnd(&stream);
    }
};

Compressor::Compressor() : zlib_(std::make_unique<ZlibState>()), bzip2_(std::make_unique<Bzip2Memory>()) {}
Compressor::~Compressor() = default;

bool Compressor::compress(CckdCompression method, int level, ByteSpan in, Bytes& out, size_t offset, size_t limit)
{
    if (limit <= 1 || in.empty())
        return false;
    const size_t room = limit - 1;  // a result must be strictly shorter than `limit`
    if (out.size() < offset + room)
        out.resize(offset + room);
    if (method == CckdCompression::Zlib) {
        ZlibState& z = *zlib_;
        const int zlevel = level < 0 || level > 9 ? Z_DEFAULT_COMPRESSION : level;
        if (z.level != zlevel) {
            if (z.level != INT_MIN)
                deflateEnd(&z.stream);
            z.stream = z_stream{};
            z.level = INT_MIN;
            if (deflateInit(&z.stream, zlevel) != Z_OK)
                throw std::bad_alloc();
            z.level = zlevel;
        } else if (deflateReset(&z.stream) != Z_OK) {
            fail(ErrorKind::Internal, "zlib refused to reset its compression stream");
        }
        z.stream.next_in = const_cast<Bytef*>(in.data());
        z.stream.avail_in = uInt(in.size());
        z.stream.next_out = out.data() + offset;
        z.stream.avail_out = uInt(room);
        int rc = deflate(&z.stream, Z_FINISH);
        if (rc != Z_STREAM_END)
            return false;  // ran out of room: not worth compressing
        out.resize(offset + z.stream.total_out);
        return true;
    }
    if (method == CckdCompression::Bzip2) {
        unsigned int out_len = unsigned(room);
        int rc = bzip2_compress(*bzip2_, out.data() + offset, out_len, in, bzip2_block_size(level));
        if (rc == BZ_OUTBUFF_FULL)
            return false;
        if (rc == BZ_MEM_ERROR)
            throw std::bad_alloc();
        if (rc != BZ_OK)
            fail(ErrorKind::Internal, "bzip2 compression failed with code " + std::to_string(rc));
        out.resize(offset + out_len);
        return true;
    }
    return false;
}

struct Decompressor::ZlibState {
    z_stream stream{};
    bool ready = false;
    ~ZlibState()
    {
        if (ready)
            inflateEnd(&stream);
    }
};

Decompressor::Decompressor() : zlib_(std::make_unique<ZlibState>()), bzip2_(std::make_unique<Bzip2Memory>()) {}
Decompressor::~Decompressor() = default;

std::optional<size_t> Decompressor::decompress(CckdCompression method, ByteSpan in, MutableByteSpan out, std::string& why)
{
    if (method == CckdCompression::Zlib) {
        ZlibState& z = *zlib_;
        if (!z.ready) {
            if (inflateInit(&z.stream) != Z_OK)
                throw std::bad_alloc();
            z.ready = true;
        } else if (inflateReset(&z.stream) != Z_OK) {
            fail(ErrorKind::Internal, "zlib refused to reset its decompression stream");
        }
        z.stream.next_in = const_cast<Bytef*>(in.data());
        z.stream.avail_in = uInt(in.size());
        z.stream.next_out = out.data();
        z.stream.avail_out = uInt(out.size());
        int rc = inflate(&z.stream, Z_FINISH);
        if (rc == Z_STREAM_END)
            return out.size() - z.stream.avail_out;
        if (rc == Z_MEM_ERROR)
            throw std::bad_alloc();
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
            why = std::string("corrupt zlib stream (") + (z.stream.msg ? z.stream.msg : "no detail") + ")";
            return std::nullopt;
        }
        // Z_BUF_ERROR (or Z_OK): either the output is full or the input ran out.
        if (z.stream.avail_out == 0)
            why = "zlib stream decompresses to more than " + std::to_string(out.size()) + " bytes";
        else
            why = "zlib stream is truncated (" + std::to_string(in.size()) + " bytes give only " +
                  std::to_string(out.size() - z.stream.avail_out) + " before the data runs out)";
        return std::nullopt;
    }
    if (method == CckdCompression::Bzip2) {
        unsigned int out_len = unsigned(out.size());
        int rc = bzip2_decompress(*bzip2_, out.data(), out_len, in);
        switch (rc) {
        case BZ_OK:
            return out_len;
        case BZ_OUTBUFF_FULL:
            why = "bzip2 stream decompresses to more than " + std::to_string(out.size()) + " bytes";
            return std::nullopt;
        case BZ_MEM_ERROR:
            throw std::bad_alloc();
        case BZ_UNEXPECTED_EOF:
            why = "bzip2 stream is truncated";
            return std::nullopt;
        case BZ_DATA_ERROR_MAGIC:
            why = "corrupt bzip2 stream (no BZh signature)";
            return std::nullopt;
        default:
            why = "corrupt bzip2 stream (code " + std::to_string(rc) + ")";
            return std::nullopt;
        }
    }
    why = "compression code " + std::to_string(unsigned(method)) + " is not 1 (zlib) or 2 (bzip2)";
    return std::nullopt;
}

void check_compression_level(CckdCompression method, int level, const std::string& file)
{
    if (method > CckdCompression::Bzip2)
        fail(ErrorKind::Usage, file_place(file),
             "compression code " + std::to_string(unsigned(method)) + " is not 0 (none), 1 (zlib) or 2 (bzip2)");
    const bool ok = level == -1 || (method == CckdCompression::Zlib && level >= 0 && level <= 9) ||
                    (method == CckdCompression::Bzip2 && level >= 1 && level <= 9) || method == CckdCompression::None;
    if (!ok)
        fail(ErrorKind::Usage, file_place(file),
             std::string("compression level ") + std::to_string(level) + " is not valid for " + ddr::compression_name(method) +
                 (method == CckdCompression::Bzip2 ? " (1-9, or -1 for the default)" : " (0-9, or -1 for the default)"));
}

bool compress_image(Compressor& compressor, CckdCompression method, int level, ByteSpan raw, Bytes& stored)
{
    if (method == CckdCompression::None || raw.size() < kCompressMin)
        return false;
    if (!compressor.compress(method, level, raw.subspan(kImageHeaderSize), stored, kImageHeaderSize,
                             raw.size() - kImageHeaderSize))
        return false;
    std::memcpy(stored.data(), raw.data(), kImageHeaderSize);
    stored[0] = uint8_t(method);
    return true;
}

} // namespace cckd
} // namespace ddr
