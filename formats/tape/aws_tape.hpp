// AWSTAPE: a tape kept as a file of chunks, each behind a 6-byte little-endian header
// (ddrtape(5) section 1):
//
//   u16 length of this chunk | u16 length of the previous chunk | flags1 | flags2
//
// flags1: X'80' first chunk of a block, X'20' last chunk, X'40' tape mark (length 0);
// HET adds X'01' zlib / X'02' bzip2, and flags2 X'80' (Bus-Tech zlib) on read.
// A block is one or more chunks; "previous length" is the length field of the header
// before (0 at the start of the tape; a tape mark counts as a chunk of length 0).
//
// The chunk layer (AwsChunkReader / AwsChunkWriter) is shared with HET, which only adds
// a block codec on top (het_tape.hpp).  AwsTapeReader / AwsTapeWriter are the plain AWS
// containers.
#pragma once

#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"
#include "formats/tape/tape_file.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace ddr {

inline constexpr size_t kAwsHeaderSize = 6;
inline constexpr uint8_t kAwsStartOfBlock = 0x80;
inline constexpr uint8_t kAwsTapeMark = 0x40;
inline constexpr uint8_t kAwsEndOfBlock = 0x20;
inline constexpr uint8_t kHetZlib = 0x01;             // flags1
inline constexpr uint8_t kHetBzip2 = 0x02;            // flags1
inline constexpr uint8_t kHetCompressionMask = 0x03;  // flags1
inline constexpr uint8_t kHetBusTechZlib = 0x80;      // flags2, read only
// Bits with no meaning in either byte: a header carrying one is not a header.
inline constexpr uint8_t kAwsUnknownFlags1 = 0x1C;
inline constexpr uint8_t kAwsUnknownFlags2 = 0x7F;

// The longest logical block any Hercules release reads or writes (H390/SDL); 3.13 stops at 65,535.
inline constexpr size_t kMaxTapeBlock = size_t(2) << 20;
inline constexpr uint32_t kMaxAwsChunk = 65535;
inline constexpr uint32_t kMinAwsChunk = 4096;  // Hercules' lower limit for a chunk size

// Bytes a block of `length` bytes occupies in an AWS container, or a HET one that stores
// it uncompressed: one chunk header, then the bytes.  `length` must be at most
// kMinAwsChunk, so the block is one chunk whatever the chunk size (every DDR and trailer
// block is).  This is what TapeWriter::position() and Hercules' maxsize= count.
constexpr uint64_t aws_block_bytes(uint64_t length) { return kAwsHeaderSize + length; }
// Bytes a tape mark occupies: a chunk header alone.
inline constexpr uint64_t kAwsTapeMarkBytes = kAwsHeaderSize;

struct AwsHeader {
    uint16_t length = 0;
    uint16_t previous = 0;
    uint8_t flags1 = 0;
    uint8_t flags2 = 0;

    static AwsHeader decode(const uint8_t* p)
    {
        return {load_le16(p), load_le16(p + 2), p[4], p[5]};
    }
    void encode(uint8_t* p) const
    {
        store_le16(p, length);
        store_le16(p + 2, previous);
        p[4] = flags1;
        p[5] = flags2;
    }
};

// "0x80 0x00": the two flag bytes of a chunk header, for messages.
std::string aws_flags_text(uint8_t flags1, uint8_t flags2);

struct AwsReaderOptions {
    // The "previous length" field only serves backspacing, and IBM's and Hercules' tapes
    // always get it right, but other writers have not.  By default a wrong value is
    // counted (previous_length_mismatches()) and the tape is still read; strict makes it
    // an error.
    bool strict_previous_length = false;
};

// The chunk layer, reading: frames chunks into blocks and checks every header.
class AwsChunkReader {
public:
    AwsChunkReader(tapeio::BufferedInput input, AwsReaderOptions options);

    // Reads the next record.  For a Block, `stored` receives the block's bytes as stored
    // (compressed for HET), and `flags1`/`flags2` its compression bits (flags1 & 0x03,
    // flags2 & 0x80), which every chunk of the block carries alike.
    TapeRecord read(Bytes& stored, uint8_t& flags1, uint8_t& flags2);
    // The same, without a copy where it can: a one-chunk block comes back as a view into
    // the input's buffers (`stable` = true: valid while kStableViewBytes more are read);
    // any other block is assembled in an internal buffer (`stable` = false: valid until
    // the next read).
    TapeRecord read_view(ByteSpan& stored, bool& stable, uint8_t& flags1, uint8_t& flags2);

    // Where the last record starts (see TapeReader).
    uint64_t block_number() const { return record_block_; }
    uint64_t offset() const { return record_offset_; }
    uint64_t file_number() const { return record_file_; }
    // Where the next record starts (the end of the tape after EndOfData).
    uint64_t next_offset() const { return input_.offset(); }
    // The place of the last record, for errors found above the chunk layer.
    Place place() const;

    const std::string& name() const { return input_.name(); }
    uint64_t previous_length_mismatches() const { return mismatches_; }
    // The first mismatch as a sentence, empty if none.
    const std::string& first_mismatch() const { return first_mismatch_; }
    // What TapeReader::tolerated_irregularities() reports.
    std::string tolerated_irregularities() const;
    // Length of the last chunk read (what the next header's "previous length" must be).
    uint16_t last_chunk_length() const { return last_length_; }
    bool last_record_was_tapemark() const { return last_was_tapemark_; }

private:
    [[noreturn]] void malformed(uint64_t at, const std::string& message) const;
    TapeRecord read_record(Bytes& stored, ByteSpan* view, uint8_t& flags1, uint8_t& flags2);

    tapeio::BufferedInput input_;
    Bytes assembly_;
    AwsReaderOptions options_;
    uint64_t blocks_ = 0;       // data blocks read so far
    uint64_t file_ = 1;         // tape file the next record belongs to
    uint16_t last_length_ = 0;  // length field of the previous header
    bool last_was_tapemark_ = false;
    uint64_t record_block_ = 0;
    uint64_t record_offset_ = 0;
    uint64_t record_file_ = 1;
    uint64_t mismatches_ = 0;
    std::string first_mismatch_;
};

// The chunk layer, writing: cuts blocks into chunks, chains the "previous length"
// fields, and implements mark()/rewind_to() and the file safety rules on a TapeOutput.
class AwsChunkWriter {
public:
    // Opens the target of a tape writer: a stream for "-" (or a FIFO), a new file, or
    // with options.append an existing tape, read up to its end (which must be empty or a
    // tape mark) or up to options.append_at (which must start a block or tape mark, or be
    // the end).  `compressed_ok` says whether HET blocks may be in the part kept.  An
    // append writes a new version of the tape (tapeio::TapeOutput::append_file).
    static AwsChunkWriter open(const std::string& path, const TapeWriterOptions& options, bool compressed_ok);

    AwsChunkWriter(tapeio::TapeOutput output, uint32_t chunk_size, uint16_t previous_length);

    // Writes a block's stored bytes; every chunk carries `compression` in flags1.
    void write_block(ByteSpan stored, uint8_t compression);
    void write_tapemark();
    uint64_t position() const { return output_.position(); }
    // Container bytes a block of `stored` bytes takes in this writer's chunks.
    uint64_t block_bytes(uint64_t stored) const
    {
        const uint64_t chunks = stored == 0 ? 1 : (stored + chunk_size_ - 1) / chunk_size_;
        return stored + chunks * kAwsHeaderSize;
    }
    uint64_t blocks_written() const { return blocks_; }
    TapeMarkPosition mark();
    void rewind_to(const TapeMarkPosition& where);
    void finish() { output_.finish(); }
    const std::string& name() const { return output_.name(); }
    uint64_t sync() { return output_.sync(); }
    std::string temporary_path() const { return output_.temporary_path(); }
    void keep_unfinished() noexcept { output_.keep_unfinished(); }
    void settle() const { output_.settle(); }

private:
    tapeio::TapeOutput output_;
    uint32_t chunk_size_;
    uint16_t previous_length_;
    uint64_t blocks_ = 0;
    bool marked_ = false;
    TapeMarkPosition last_mark_;
};

// What an AWS and a HET tape writer have in common: everything but how a block is
// stored, done by their chunk writer.
class ChunkedTapeWriter : public TapeWriter {
public:
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

protected:
    explicit ChunkedTapeWriter(AwsChunkWriter chunks) : chunks_(std::move(chunks)) {}
    AwsChunkWriter chunks_;
};

// Checks the options every AWS/HET writer shares; throws Error(Usage).
void check_tape_writer_options(const TapeWriterOptions& options);

// A plain AWS tape.  A block whose chunks carry compression bits is an error here (it
// belongs to a HET tape: read those with HetTapeReader or open_tape_reader).
class AwsTapeReader final : public TapeReader {
public:
    AwsTapeReader(tapeio::BufferedInput input, AwsReaderOptions options = {});
    // "-" is standard input.
    static std::unique_ptr<AwsTapeReader> open(const std::string& path, AwsReaderOptions options = {});

    TapeRecord read(Bytes& block) override;
    TapeRecord read_view(ByteSpan& block, bool& stable) override;
    uint64_t block_number() const override { return chunks_.block_number(); }
    uint64_t offset() const override { return chunks_.offset(); }
    uint64_t file_number() const override { return chunks_.file_number(); }
    const std::string& name() const override { return chunks_.name(); }
    std::string format() const override { return "AWS"; }
    std::string tolerated_irregularities() const override;

    uint64_t previous_length_mismatches() const { return chunks_.previous_length_mismatches(); }

private:
    AwsChunkReader chunks_;
};

// A plain AWS tape being written: each block as one chunk with flags X'A0' when it fits
// options.chunk_size, else as X'80', X'00'..., X'20' chunks.
class AwsTapeWriter final : public ChunkedTapeWriter {
public:
    // "-" is standard output.  options.format is not looked at.
    static std::unique_ptr<AwsTapeWriter> create(const std::string& path, const TapeWriterOptions& options);
    explicit AwsTapeWriter(AwsChunkWriter chunks) : ChunkedTapeWriter(std::move(chunks)) {}

    void write_block(ByteSpan block) override;
};

} // namespace ddr
