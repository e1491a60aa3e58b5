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

#include "formats/tape/aws_tape.hpp"

#include <memory>

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
class HetTapeWriter final : public TapeWriter {
public:
    // "-" is standard output.  options.format is not looked at.
    static std::unique_ptr<HetTapeWriter> create(const std::string& path, const TapeWriterOptions& options);
    HetTapeWriter(AwsChunkWriter chunks, HetBlockCompressor compressor)
        : chunks_(std::move(chunks)), compressor_(std::move(compressor))
    {
    }

    void write_block(ByteSpan block) override;
    void write_tapemark() override { chunks_.write_tapemark(); }
    uint64_t position() const override { return chunks_.position(); }
    uint64_t blocks_written() const override { return chunks_.blocks_written(); }
    TapeMarkPosition mark() override { return chunks_.mark(); }
    void rewind_to(const TapeMarkPosition& where) override { chunks_.rewind_to(where); }
    void finish() override { chunks_.finish(); }
    const std::string& name() const override { return chunks_.name(); }
    uint64_t sync() override { return chunks_.sync(); }
    std::string temporary_path() const override { return chunks_.temporary_path(); }
    void keep_unfinished() noexcept override { chunks_.keep_unfinished(); }
    void settle() const override { chunks_.settle(); }

private:
    AwsChunkWriter chunks_;
    HetBlockCompressor compressor_;
};

} // namespace ddr
