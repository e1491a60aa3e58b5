#include "formats/tape/het_tape.hpp"

#include "formats/io/bzip2_memory.hpp"

#include <bzlib.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

namespace ddr {

namespace {

std::string zlib_message(const z_stream& z, int rc)
{
    if (z.msg)
        return z.msg;
    return "zlib error " + std::to_string(rc);
}

} // namespace

// ---- HetBlockCompressor ----

struct HetBlockCompressor::State {
    int method = 0;
    int level = 4;
    // kMaxTapeBlock bytes, allocated once and never zeroed: a compressor that handles a
    // few small blocks does not pay for clearing 2 MiB.
    std::unique_ptr<uint8_t[]> out;
    z_stream zlib{};
    bool zlib_ready = false;
    Bzip2Memory bzip2_memory;

    ~State()
    {
        if (zlib_ready)
            deflateEnd(&zlib);
    }
};

HetBlockCompressor::HetBlockCompressor(int method, int level) : state_(std::make_unique<State>())
{
    if (method < 0 || method > 2)
        fail(ErrorKind::Usage, "unknown HET compression " + std::to_string(method));
    if (level < 1 || level > 9)
        fail(ErrorKind::Usage, "compression level " + std::to_string(level) + " is not between 1 and 9");
    state_->method = method;
    state_->level = level;
    if (method == 0)
        return;
    state_->out = std::make_unique_for_overwrite<uint8_t[]>(kMaxTapeBlock);
    if (method == 1) {
        // The parameters compress2() uses, so the bytes match Hercules' HET writer.
        if (deflateInit2(&state_->zlib, level, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::bad_alloc();
        state_->zlib_ready = true;
    }
}

HetBlockCompressor::~HetBlockCompressor() = default;
HetBlockCompressor::HetBlockCompressor(HetBlockCompressor&&) noexcept = default;

ByteSpan HetBlockCompressor::compress(ByteSpan block, uint8_t& flags1)
{
    flags1 = 0;
    State& s = *state_;
    // Only a result strictly smaller than the block is kept, so the output room is one
    // byte less than the block: running out of room means "store it raw".
    if (s.method == 0 || block.size() < 2 || block.size() > kMaxTapeBlock)
        return block;
    const size_t room = block.size() - 1;

    if (s.method == 1) {
        z_stream& z = s.zlib;
        if (deflateReset(&z) != Z_OK)
            fail(ErrorKind::Internal, "zlib deflateReset failed");
        z.next_in = const_cast<Bytef*>(block.data());
        z.avail_in = uInt(block.size());
        z.next_out = s.out.get();
        z.avail_out = uInt(room);
        const int rc = deflate(&z, Z_FINISH);
        if (rc == Z_STREAM_END) {
            flags1 = kHetZlib;
            return ByteSpan(s.out.get(), size_t(z.total_out));
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            fail(ErrorKind::Internal, "zlib compression failed: " + zlib_message(z, rc));
        return block;
    }

    bz_stream b{};
    s.bzip2_memory.attach(b);
    int rc = BZ2_bzCompressInit(&b, s.level, 0, 0);
    if (rc == BZ_MEM_ERROR)
        throw std::bad_alloc();
    if (rc != BZ_OK)
        fail(ErrorKind::Internal, "bzip2 compressor setup failed: " + std::to_string(rc));
    b.next_in = reinterpret_cast<char*>(const_cast<uint8_t*>(block.data()));
    b.avail_in = unsigned(block.size());
    b.next_out = reinterpret_cast<char*>(s.out.get());
    b.avail_out = unsigned(room);
    do
        rc = BZ2_bzCompress(&b, BZ_FINISH);
    while (rc == BZ_FINISH_OK && b.avail_out > 0);
    const size_t produced = room - b.avail_out;
    BZ2_bzCompressEnd(&b);
    if (rc == BZ_STREAM_END) {
        flags1 = kHetBzip2;
        return ByteSpan(s.out.get(), produced);
    }
    if (rc != BZ_FINISH_OK)
        fail(ErrorKind::Internal, "bzip2 compression failed: " + std::to_string(rc));
    return block;
}

// ---- HetBlockDecompressor ----

struct HetBlockDecompressor::State {
    // The output buffer, allocated (not zeroed) on the first compressed block and
    // doubled, up to kMaxTapeBlock, only when a block needs more: HET blocks are mostly
    // tens of kilobytes, so a reader seldom holds the 2 MiB the largest block needs.
    std::unique_ptr<uint8_t[]> out;
    size_t out_size = 0;
    z_stream zlib{};
    bool zlib_ready = false;
    Bzip2Memory bzip2_memory;

    ~State()
    {
        if (zlib_ready)
            inflateEnd(&zlib);
    }
};

namespace {

constexpr size_t kFirstDecompressBuffer = size_t(64) << 10;

// Makes `out` larger (the first buffer, or twice the last, at most kMaxTapeBlock),
// keeping its first `produced` bytes.  False when it is kMaxTapeBlock already.
bool grow_output(std::unique_ptr<uint8_t[]>& out, size_t& size, size_t produced)
{
    if (size >= kMaxTapeBlock)
        return false;
    const size_t larger = size == 0 ? kFirstDecompressBuffer : std::min(2 * size, kMaxTapeBlock);
    auto grown = std::make_unique_for_overwrite<uint8_t[]>(larger);
    if (produced > 0)
        std::memcpy(grown.get(), out.get(), produced);
    out = std::move(grown);
    size = larger;
    return true;
}

} // namespace

HetBlockDecompressor::HetBlockDecompressor() : state_(std::make_unique<State>()) {}
HetBlockDecompressor::~HetBlockDecompressor() = default;
HetBlockDecompressor::HetBlockDecompressor(HetBlockDecompressor&&) noexcept = default;

void HetBlockDecompressor::decompress(ByteSpan stored, uint8_t flags1, uint8_t flags2, Bytes& out)
{
    State& s = *state_;
    const uint8_t method = flags1 & kHetCompressionMask;
    const bool bustech = (flags2 & kHetBusTechZlib) != 0;
    if (method == kHetCompressionMask || (method != 0 && bustech))
        fail(ErrorKind::Unreadable, "block has conflicting compression flags (" + aws_flags_text(flags1, flags2) + ")");
    if (!s.out)
        grow_output(s.out, s.out_size, 0);

    size_t produced = 0;
    if (method == kHetZlib || bustech) {
        z_stream& z = s.zlib;
        if (!s.zlib_ready) {
            if (inflateInit(&z) != Z_OK)
                throw std::bad_alloc();
            s.zlib_ready = true;
        } else if (inflateReset(&z) != Z_OK) {
            fail(ErrorKind::Internal, "zlib inflateReset failed");
        }
        z.next_in = const_cast<Bytef*>(stored.data());
        z.avail_in = uInt(stored.size());
        int rc;
        // Z_FINISH that runs out of room returns Z_BUF_ERROR and may be called again
        // with more: the stream goes on where it stopped.
        for (;;) {
            z.next_out = s.out.get() + produced;
            z.avail_out = uInt(s.out_size - produced);
            rc = inflate(&z, Z_FINISH);
            produced = size_t(z.total_out);
            if (rc != Z_BUF_ERROR || z.avail_out != 0 || !grow_output(s.out, s.out_size, produced))
                break;
        }
        if (rc == Z_STREAM_END) {
            if (z.avail_in != 0)
                fail(ErrorKind::Unreadable,
                     "zlib data ends " + std::to_string(z.avail_in) + " bytes before the end of the block");
        } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
            fail(ErrorKind::Unreadable, "corrupt zlib data in the block: " + zlib_message(z, rc));
        } else if (rc == Z_MEM_ERROR) {
            throw std::bad_alloc();
        } else if (z.avail_out == 0) {
            fail(ErrorKind::Unreadable,
                 "block decompresses to more than " + std::to_string(kMaxTapeBlock) + " bytes");
        } else {
            fail(ErrorKind::Unreadable, "zlib data in the block is cut short");
        }
    } else if (method == kHetBzip2) {
        bz_stream b{};
        s.bzip2_memory.attach(b);
        int rc = BZ2_bzDecompressInit(&b, 0, 0);
        if (rc == BZ_MEM_ERROR)
            throw std::bad_alloc();
        if (rc != BZ_OK)
            fail(ErrorKind::Internal, "bzip2 decompressor setup failed: " + std::to_string(rc));
        b.next_in = reinterpret_cast<char*>(const_cast<uint8_t*>(stored.data()));
        b.avail_in = unsigned(stored.size());
        for (;;) {
            b.next_out = reinterpret_cast<char*>(s.out.get() + produced);
            b.avail_out = unsigned(s.out_size - produced);
            do
                rc = BZ2_bzDecompress(&b);
            while (rc == BZ_OK && b.avail_in > 0 && b.avail_out > 0);
            produced = s.out_size - b.avail_out;
            if (rc != BZ_OK || b.avail_out != 0 || !grow_output(s.out, s.out_size, produced))
                break;
        }
        const unsigned left_in = b.avail_in;
        const unsigned left_out = b.avail_out;
        BZ2_bzDecompressEnd(&b);
        if (rc == BZ_STREAM_END) {
            if (left_in != 0)
                fail(ErrorKind::Unreadable,
                     "bzip2 data ends " + std::to_string(left_in) + " bytes before the end of the block");
        } else if (rc == BZ_DATA_ERROR || rc == BZ_DATA_ERROR_MAGIC) {
            fail(ErrorKind::Unreadable, "corrupt bzip2 data in the block");
        } else if (rc == BZ_MEM_ERROR) {
            throw std::bad_alloc();
        } else if (rc == BZ_OK && left_out == 0) {
            fail(ErrorKind::Unreadable,
                 "block decompresses to more than " + std::to_string(kMaxTapeBlock) + " bytes");
        } else if (rc == BZ_OK) {
            fail(ErrorKind::Unreadable, "bzip2 data in the block is cut short");
        } else {
            fail(ErrorKind::Unreadable, "bzip2 decompression failed (" + std::to_string(rc) + ")");
        }
    } else {
        out.assign(stored.begin(), stored.end());
        return;
    }
    out.assign(s.out.get(), s.out.get() + produced);
}

// ---- HetTapeReader ----

HetTapeReader::HetTapeReader(tapeio::BufferedInput input, AwsReaderOptions options, bool compressed_seen)
    : chunks_(std::move(input), options), compressed_seen_(compressed_seen)
{
}

std::unique_ptr<HetTapeReader> HetTapeReader::open(const std::string& path, AwsReaderOptions options)
{
    std::string name = path == "-" ? "standard input" : path;
    return std::make_unique<HetTapeReader>(tapeio::BufferedInput(name, tapeio::open_for_reading(path)), options);
}

TapeRecord HetTapeReader::read_view(ByteSpan& block, bool& stable)
{
    uint8_t f1 = 0, f2 = 0;
    TapeRecord r = chunks_.read_view(block, stable, f1, f2);
    if (r != TapeRecord::Block || (f1 == 0 && f2 == 0))
        return r;
    compressed_seen_ = true;
    stored_.assign(block.begin(), block.end());
    try {
        decompressor_.decompress(stored_, f1, f2, expanded_);
    } catch (const Error& e) {
        throw e.within(chunks_.place());
    }
    block = expanded_;
    stable = false;
    return r;
}

TapeRecord HetTapeReader::read(Bytes& block)
{
    uint8_t f1 = 0, f2 = 0;
    // Raw blocks land in `block` directly; compressed ones are decompressed from there.
    TapeRecord r = chunks_.read(block, f1, f2);
    if (r != TapeRecord::Block || (f1 == 0 && f2 == 0))
        return r;
    compressed_seen_ = true;
    stored_.swap(block);
    try {
        decompressor_.decompress(stored_, f1, f2, block);
    } catch (const Error& e) {
        throw e.within(chunks_.place());
    }
    return r;
}

// ---- HetTapeWriter ----

std::unique_ptr<HetTapeWriter> HetTapeWriter::create(const std::string& path, const TapeWriterOptions& options)
{
    check_tape_writer_options(options);  // refuses a bad method or level before the file is made
    const bool in_pool = options.compression != 0 && options.resume_temporary.empty();
    return std::make_unique<HetTapeWriter>(AwsChunkWriter::open(path, options, true), options.compression,
                                           options.level, in_pool ? default_worker_threads() : 0);
}

HetTapeWriter::HetTapeWriter(AwsChunkWriter chunks, int method, int level, unsigned workers)
    : method_(method), chunks_(std::move(chunks))
{
    if (method == 0)
        workers = 0;
    jobs_.resize(OrderedPool::slots_for(workers));
    for (unsigned i = 0; i < std::max(1u, workers); ++i)
        compressors_.emplace_back(method, level);
    pool_ = std::make_unique<OrderedPool>(
        workers,
        [this](size_t slot, unsigned worker) {
            Job& job = jobs_[slot];
            const ByteSpan stored = compressors_[worker].compress(job.block, job.flags1);
            if (job.flags1 != 0)
                job.stored.assign(stored.begin(), stored.end());
        },
        [this](size_t slot) { write_job(slot); });
}

HetTapeWriter::~HetTapeWriter() = default;

void HetTapeWriter::take_mark_if_due() const
{
    if (mark_due_ && *mark_due_ == pool_->retired()) {
        chunk_mark_ = chunks_.mark();
        mark_due_.reset();
    }
}

void HetTapeWriter::write_job(size_t slot) const
{
    take_mark_if_due();
    const Job& job = jobs_[slot];
    chunks_.write_block(job.flags1 != 0 ? ByteSpan(job.stored) : ByteSpan(job.block), job.flags1);
}

void HetTapeWriter::write_out() const
{
    pool_->drain();
    take_mark_if_due();
}

void HetTapeWriter::write_block(ByteSpan block)
{
    if (block.size() > kMaxTapeBlock)
        fail(ErrorKind::Internal, "a tape block of " + std::to_string(block.size()) + " bytes is over the " +
                                      std::to_string(kMaxTapeBlock) + "-byte limit");
    if (method_ == 0) {  // no pool in use: mark() took the chunk writer's mark at once
        chunks_.write_block(block, 0);
        return;
    }
    Job& job = jobs_[pool_->prepare()];
    job.block.assign(block.begin(), block.end());
    job.flags1 = 0;
    pool_->submit(true);
}

void HetTapeWriter::write_tapemark()
{
    write_out();
    chunks_.write_tapemark();
}

uint64_t HetTapeWriter::position() const
{
    write_out();
    return chunks_.position();
}

uint64_t HetTapeWriter::position_at_most() const
{
    // A block is stored compressed only when that is smaller, so its raw length bounds
    // what it takes.
    uint64_t at_most = chunks_.position();
    for (uint64_t seq = pool_->retired(); seq < pool_->submitted(); ++seq)
        at_most += chunks_.block_bytes(jobs_[pool_->slot_of(seq)].block.size());
    return at_most;
}

TapeMarkPosition HetTapeWriter::mark()
{
    mark_due_ = pool_->submitted();
    mark_blocks_ = blocks_written();
    take_mark_if_due();
    // Blocks still in the pool: the chunk writer's mark comes when they are written out.
    return mark_due_ ? TapeMarkPosition{0, mark_blocks_, 0} : chunk_mark_;
}

void HetTapeWriter::rewind_to(const TapeMarkPosition& where)
{
    if (where.blocks != mark_blocks_)
        fail(ErrorKind::Internal, "rewind_to on " + name() + ": not the most recent mark");
    write_out();
    chunks_.rewind_to(chunk_mark_);
}

void HetTapeWriter::finish()
{
    write_out();
    chunks_.finish();
}

uint64_t HetTapeWriter::sync()
{
    write_out();
    return chunks_.sync();
}

} // namespace ddr
