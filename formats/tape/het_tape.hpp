// HET (Hercules Emulated Tape): AWS chunks whose blocks may be compressed
// (ddrtape(5) section 1: HET).
//
// A block is compressed whole (zlib as compress2 does it, or bzip2 with the level as
// its block size), then cut into chunks exactly as AWS does; every chunk carries the
// same compression bits in flags1 (X'01' zlib, X'02' bzip2), and the lengths in the
// headers are the stored (compressed) lengths.  A block that does not get smaller is
// stored raw without the bits, so an uncompressed HET file is an AWS file and the HET
// reader reads any AWS file.  On read, flags2 X'80' (Bus-Tech) also means zlib.
//
// The chunk layer is AwsChunkReader/AwsChunkWriter; this module adds the block codec.
#pragma once

#include "formats/io/ordered_pool.hpp"
#include "formats/tape/aws_tape.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace ddr {

// Compresses blocks for a HET writer, reusing its buffers and compressor state.
class HetBlockCompressor {
public:
    // method: 0 none, 1 zlib, 2 bzip2; level 1-9.
    HetBlockCompressor(int method, int level);
    ~HetBlockCompressor();
    HetBlockCompressor(HetBlockCompressor&&) noexcept;
    HetBlockCompressor& operator=(HetBlockCompressor&&) = delete;

    // The bytes to store for `block`, and in `flags1` their compression bits: 0 when the
    // block is stored raw because compressing it did not make it smaller.  The span is
    // valid until the next call.
    ByteSpan compress(ByteSpan block, uint8_t& flags1);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Decompresses HET blocks, reusing its buffers and decompressor state.
class HetBlockDecompressor {
public:
    HetBlockDecompressor();
    ~HetBlockDecompressor();
    HetBlockDecompressor(HetBlockDecompressor&&) noexcept;
    HetBlockDecompressor& operator=(HetBlockDecompressor&&) = delete;

    // Replaces `out` by the decompressed block.  `flags1`/`flags2` are the block's
    // compression bits as AwsChunkReader reports them.  A corrupt or truncated stream,
    // trailing bytes after it, or more than kMaxTapeBlock bytes of output throw
    // Error(Unreadable) without a place (the caller adds it).
    void decompress(ByteSpan stored, uint8_t flags1, uint8_t flags2, Bytes& out);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Reads HET and AWS tapes alike.  format() says "HET" once a compressed block has been
// seen (or the opener saw one ahead), else "AWS".
class HetTapeReader final : public TapeReader {
public:
    HetTapeReader(tapeio::BufferedInput input, AwsReaderOptions options = {}, bool compressed_seen = false);
    // "-" is standard input.
    static std::unique_ptr<HetTapeReader> open(const std::string& path, AwsReaderOptions options = {});

    TapeRecord read(Bytes& block) override;
    TapeRecord read_view(ByteSpan& block, bool& stable) override;
    uint64_t block_number() const override { return chunks_.block_number(); }
    uint64_t offset() const override { return chunks_.offset(); }
    uint64_t file_number() const override { return chunks_.file_number(); }
    const std::string& name() const override { return chunks_.name(); }
    std::string format() const override { return compressed_seen_ ? "HET" : "AWS"; }
    std::string tolerated_irregularities() const override { return chunks_.tolerated_irregularities(); }

    uint64_t previous_length_mismatches() const { return chunks_.previous_length_mismatches(); }

private:
    AwsChunkReader chunks_;
    HetBlockDecompressor decompressor_;
    Bytes stored_;
    Bytes expanded_;
    bool compressed_seen_;
};

// A HET tape being written: options.compression (0 none, 1 zlib, 2 bzip2) at
// options.level, in chunks of options.chunk_size.
//
// Compressing is what limits a HET dump, so blocks are compressed on `workers` threads
// (formats/io/ordered_pool.hpp) and written out in their order on the caller's thread:
// the bytes are those a single thread writes.  A block handed to write_block() may thus
// still be in the pool when the call returns; what needs the tape as written waits for
// it: position(), a tape mark, rewind_to(), sync() and finish().  mark() does not wait
// (the reel writer takes one before every track group): the chunk writer's mark is taken
// when the first block after it is written out.  A write error may therefore surface in
// a later call than the block's own, always before finish() returns.
class HetTapeWriter final : public TapeWriter {
public:
    // "-" is standard output.  options.format is not looked at.  The blocks are
    // compressed on one thread per core (up to 8), or on the caller's thread for an
    // uncompressed tape and for a tape continued over an interrupted run's (whose
    // comparison settle() reports must follow the tape group by group).
    static std::unique_ptr<HetTapeWriter> create(const std::string& path, const TapeWriterOptions& options);
    // method and level as HetBlockCompressor's; `workers` 0 compresses each block on the
    // caller's thread inside write_block().
    HetTapeWriter(AwsChunkWriter chunks, int method, int level, unsigned workers);
    ~HetTapeWriter() override;

    void write_block(ByteSpan block) override;
    void write_tapemark() override;
    uint64_t position() const override;
    uint64_t position_at_most() const override;
    uint64_t blocks_written() const override { return chunks_.blocks_written() + (pool_->submitted() - pool_->retired()); }
    TapeMarkPosition mark() override;
    void rewind_to(const TapeMarkPosition& where) override;
    void finish() override;
    const std::string& name() const override { return chunks_.name(); }
    uint64_t sync() override;
    std::string temporary_path() const override { return chunks_.temporary_path(); }
    void keep_unfinished() noexcept override { chunks_.keep_unfinished(); }
    void settle() const override { chunks_.settle(); }

private:
    struct Job {
        Bytes block;
        Bytes stored;        // the compressed bytes, when flags1 says compressed
        uint8_t flags1 = 0;  // 0: the block is stored raw
    };
    // Every block handed over is written out, and a pending mark taken if it is due.
    void write_out() const;
    // Takes the chunk writer's mark now if mark() promised one at this point of the tape.
    void take_mark_if_due() const;
    void write_job(size_t slot) const;

    int method_;
    // Mutable: position() and the other const queries first write out the blocks still
    // being compressed, which changes what is on the tape but not what the tape is.
    mutable AwsChunkWriter chunks_;
    std::vector<Job> jobs_;                          // the pool's ring
    std::vector<HetBlockCompressor> compressors_;    // one per worker (one for the caller's thread)
    mutable std::optional<uint64_t> mark_due_;       // sequence number of the first block after mark()
    mutable TapeMarkPosition chunk_mark_;            // the chunk writer's mark, once taken
    uint64_t mark_blocks_ = 0;                       // blocks_written() at the last mark()
    std::unique_ptr<OrderedPool> pool_;              // last: its threads stop before the rest goes
};

} // namespace ddr
