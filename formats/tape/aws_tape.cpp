#include "formats/tape/aws_tape.hpp"

#include "formats/io/file.hpp"
#include "formats/io/wording.hpp"

#include <cstdio>

namespace ddr {

std::string aws_flags_text(uint8_t flags1, uint8_t flags2)
{
    return hex_byte(flags1, HexStyle::C) + " " + hex_byte(flags2, HexStyle::C);
}

// ---- AwsChunkReader ----

AwsChunkReader::AwsChunkReader(tapeio::BufferedInput input, AwsReaderOptions options)
    : input_(std::move(input)), options_(options)
{
}

Place AwsChunkReader::place() const
{
    Place p;
    p.file = name();
    p.block = record_block_;
    p.offset = record_offset_;
    return p;
}

void AwsChunkReader::malformed(uint64_t at, const std::string& message) const
{
    Place p;
    p.file = name();
    p.block = blocks_ + 1;
    p.offset = at;
    fail(ErrorKind::Unreadable, p, message);
}

TapeRecord AwsChunkReader::read(Bytes& stored, uint8_t& flags1, uint8_t& flags2)
{
    return read_record(stored, nullptr, flags1, flags2);
}

TapeRecord AwsChunkReader::read_view(ByteSpan& stored, bool& stable, uint8_t& flags1, uint8_t& flags2)
{
    ByteSpan direct;
    TapeRecord r = read_record(assembly_, &direct, flags1, flags2);
    stable = direct.data() != nullptr;
    stored = stable ? direct : ByteSpan(assembly_);
    return r;
}

TapeRecord AwsChunkReader::read_record(Bytes& stored, ByteSpan* view, uint8_t& flags1, uint8_t& flags2)
{
    stored.clear();
    if (view)
        *view = ByteSpan();
    flags1 = flags2 = 0;
    const uint64_t start = input_.offset();
    bool in_block = false;
    record_offset_ = start;
    record_file_ = file_;
    record_block_ = blocks_;

    for (;;) {
        const uint64_t at = input_.offset();
        ByteSpan raw = input_.peek(kAwsHeaderSize);
        if (raw.empty()) {
            if (in_block)
                malformed(at, "the tape ends inside the block that starts at offset " + std::to_string(start) +
                                  ": its last chunk has no end-of-block flag");
            return TapeRecord::EndOfData;
        }
        if (raw.size() < kAwsHeaderSize)
            malformed(at, "AWS header at offset " + std::to_string(at) + " is cut short: the tape ends after " +
                              std::to_string(raw.size()) + " of its 6 bytes");
        const AwsHeader h = AwsHeader::decode(raw.data());
        input_.consume(kAwsHeaderSize);

        if ((h.flags1 & kAwsUnknownFlags1) || (h.flags2 & kAwsUnknownFlags2))
            malformed(at, "AWS header at offset " + std::to_string(at) + " has undefined flag bits (flags " +
                              aws_flags_text(h.flags1, h.flags2) + ")");
        if (h.previous != last_length_) {
            std::string what = "AWS header at offset " + std::to_string(at) + " gives the previous chunk length as " +
                               std::to_string(h.previous) + ", but that chunk holds " +
                               std::to_string(last_length_) + " bytes";
            if (options_.strict_previous_length)
                malformed(at, what);
            if (mismatches_++ == 0)
                first_mismatch_ = what;
        }
        last_length_ = h.length;

        if (h.flags1 & kAwsTapeMark) {
            if (h.flags1 != kAwsTapeMark || h.flags2 != 0)
                malformed(at, "tape mark header at offset " + std::to_string(at) + " also carries flags " +
                                  aws_flags_text(h.flags1, h.flags2));
            if (h.length != 0)
                malformed(at, "tape mark header at offset " + std::to_string(at) + " says it carries " +
                                  std::to_string(h.length) + " bytes");
            if (in_block)
                malformed(at, "tape mark at offset " + std::to_string(at) +
                                  " inside the block that starts at offset " + std::to_string(start));
            last_was_tapemark_ = true;
            ++file_;
            return TapeRecord::TapeMark;
        }

        const uint8_t c1 = h.flags1 & kHetCompressionMask;
        const uint8_t c2 = h.flags2 & kHetBusTechZlib;
        if (!in_block) {
            if (!(h.flags1 & kAwsStartOfBlock))
                malformed(at, "chunk at offset " + std::to_string(at) + " (flags " + hex_byte(h.flags1, HexStyle::C) +
                                  ") continues a block that never started");
            in_block = true;
            flags1 = c1;
            flags2 = c2;
        } else {
            if (h.flags1 & kAwsStartOfBlock)
                malformed(at, "chunk at offset " + std::to_string(at) +
                                  " starts a new block before the block at offset " + std::to_string(start) +
                                  " ended");
            if (c1 != flags1 || c2 != flags2)
                malformed(at, "chunk at offset " + std::to_string(at) + " has compression flags " +
                                  aws_flags_text(c1, c2) + ", but its block started with " +
                                  aws_flags_text(flags1, flags2));
        }

        // A whole block in one chunk: hand out the bytes where they lie in the input buffer.
        if (view && stored.empty() && (h.flags1 & kAwsEndOfBlock) && input_.view_life() >= kStableViewBytes) {
            ByteSpan got = input_.take(h.length);
            if (got.size() < h.length)
                malformed(at, "AWS header at offset " + std::to_string(at) + " says " + std::to_string(h.length) +
                                  " bytes but only " + std::to_string(got.size()) + " remain");
            *view = got.empty() ? ByteSpan(reinterpret_cast<const uint8_t*>(""), 0) : got;
            last_was_tapemark_ = false;
            record_block_ = ++blocks_;
            return TapeRecord::Block;
        }
        const size_t have = stored.size();
        if (have + h.length > kMaxTapeBlock)
            malformed(at, "the block at offset " + std::to_string(start) + " is longer than " +
                              std::to_string(kMaxTapeBlock) + " bytes");
        stored.resize(have + h.length);
        const size_t got = input_.read(stored.data() + have, h.length);
        if (got < h.length)
            malformed(at, "AWS header at offset " + std::to_string(at) + " says " + std::to_string(h.length) +
                              " bytes but only " + std::to_string(got) + " remain");

        if (h.flags1 & kAwsEndOfBlock) {
            last_was_tapemark_ = false;
            record_block_ = ++blocks_;
            return TapeRecord::Block;
        }
    }
}

std::string AwsChunkReader::tolerated_irregularities() const
{
    if (mismatches_ == 0)
        return {};
    return std::to_string(mismatches_) + " wrong previous-length field" + (mismatches_ == 1 ? "" : "s") + "; the first: " +
           first_mismatch_;
}

// ---- AwsChunkWriter ----

void check_tape_writer_options(const TapeWriterOptions& options)
{
    if (options.chunk_size < kMinAwsChunk || options.chunk_size > kMaxAwsChunk)
        fail(ErrorKind::Usage, "tape chunk size " + std::to_string(options.chunk_size) + " is not between " +
                                   std::to_string(kMinAwsChunk) + " and " + std::to_string(kMaxAwsChunk));
    if (options.compression < 0 || options.compression > 2)
        fail(ErrorKind::Usage, "unknown HET compression " + std::to_string(options.compression));
    if (options.level < 1 || options.level > 9)
        fail(ErrorKind::Usage, "compression level " + std::to_string(options.level) + " is not between 1 and 9");
    if (options.append_at && !options.append)
        fail(ErrorKind::Usage, "a tape offset to append at is given, but not append");
}

AwsChunkWriter::AwsChunkWriter(tapeio::TapeOutput output, uint32_t chunk_size, uint16_t previous_length)
    : output_(std::move(output)), chunk_size_(chunk_size), previous_length_(previous_length)
{
}

AwsChunkWriter AwsChunkWriter::open(const std::string& path, const TapeWriterOptions& options, bool compressed_ok)
{
    check_tape_writer_options(options);
    Place place;
    place.file = path;
    if (tapeio::TapeOutput::is_stream_path(path)) {
        if (options.append)
            fail(ErrorKind::Usage, place, "cannot append to a stream: it cannot be read back");
        return AwsChunkWriter(tapeio::TapeOutput::open_stream(path), options.chunk_size, 0);
    }

    if (!options.resume_temporary.empty()) {
        if (options.append)
            fail(ErrorKind::Usage, place, "an append cannot be resumed");
        return AwsChunkWriter(tapeio::TapeOutput::resume_file(path, options.resume_temporary,
                                                              options.resume_checked_end, options.overwrite),
                              options.chunk_size, 0);
    }
    const FileStatus st = file_status(path);
    const bool exists = st.exists();
    if (!options.append || (!exists && options.append_at.value_or(0) == 0))
        return AwsChunkWriter(tapeio::TapeOutput::create_file(path, options.overwrite), options.chunk_size, 0);
    const uint64_t cut = options.append_at.value_or(UINT64_MAX);
    if (options.append_at)
        place.offset = cut;
    if (!exists)
        fail(ErrorKind::Usage, place, "cannot append at this offset: the tape file does not exist");

    // Append: walk the existing tape up to its end or the cut, which checks it and finds
    // the "previous length" our first header must carry.
    if (st.kind != FileKind::Regular)
        fail(ErrorKind::Refused, place, "cannot append: not a regular file");
    AwsChunkReader existing(tapeio::BufferedInput(path, tapeio::open_for_reading(path)), AwsReaderOptions{});
    Bytes scratch;
    uint8_t f1 = 0, f2 = 0;
    TapeRecord last = TapeRecord::EndOfData;
    uint64_t last_start = 0;
    while (existing.next_offset() < cut) {
        last_start = existing.next_offset();
        const TapeRecord r = existing.read(scratch, f1, f2);
        if (r == TapeRecord::EndOfData)
            break;
        if (r == TapeRecord::Block && (f1 || f2) && !compressed_ok) {
            place.block = existing.block_number();
            place.offset = existing.offset();
            fail(ErrorKind::Refused, place, "cannot append AWS blocks: the tape holds HET-compressed blocks");
        }
        last = r;
    }
    const uint64_t end = existing.next_offset();
    if (!options.append_at && last == TapeRecord::Block) {
        place.offset = end;
        fail(ErrorKind::Refused, place,
             "cannot append: the tape does not end with a tape mark (its last file is incomplete)");
    }
    if (end < cut && options.append_at)
        fail(ErrorKind::Usage, place, "cannot append at this offset: the tape ends at offset " + std::to_string(end));
    if (end > cut)
        fail(ErrorKind::Usage, place,
             "cannot append at this offset: it is inside the " +
                 std::string(last == TapeRecord::TapeMark ? "tape mark" : "block") + " that starts at offset " +
                 std::to_string(last_start) + ", not where a block or tape mark starts");
    return AwsChunkWriter(tapeio::TapeOutput::append_file(path, end), options.chunk_size,
                          existing.last_chunk_length());
}

void AwsChunkWriter::write_block(ByteSpan stored, uint8_t compression)
{
    if (stored.size() > kMaxTapeBlock)
        fail(ErrorKind::Internal, "a tape block of " + std::to_string(stored.size()) + " bytes is over the " +
                                      std::to_string(kMaxTapeBlock) + "-byte limit");
    uint8_t header[kAwsHeaderSize];
    uint8_t flags = kAwsStartOfBlock | (compression & kHetCompressionMask);
    size_t done = 0;
    do {
        const size_t n = std::min<size_t>(stored.size() - done, chunk_size_);
        if (done + n == stored.size())
            flags |= kAwsEndOfBlock;
        AwsHeader{uint16_t(n), previous_length_, flags, 0}.encode(header);
        output_.write(header, kAwsHeaderSize);
        output_.write(stored.data() + done, n);
        previous_length_ = uint16_t(n);
        done += n;
        flags &= uint8_t(~kAwsStartOfBlock);
    } while (done < stored.size());
    ++blocks_;
}

void AwsChunkWriter::write_tapemark()
{
    uint8_t header[kAwsHeaderSize];
    AwsHeader{0, previous_length_, kAwsTapeMark, 0}.encode(header);
    output_.write(header, kAwsHeaderSize);
    previous_length_ = 0;
}

TapeMarkPosition AwsChunkWriter::mark()
{
    last_mark_ = TapeMarkPosition{position(), blocks_, previous_length_};
    marked_ = true;
    output_.hold_from(last_mark_.bytes);
    return last_mark_;
}

void AwsChunkWriter::rewind_to(const TapeMarkPosition& where)
{
    if (!marked_ || where.bytes != last_mark_.bytes || where.blocks != last_mark_.blocks ||
        where.state != last_mark_.state)
        fail(ErrorKind::Internal, "rewind_to on " + name() + ": not the most recent mark");
    output_.truncate(where.bytes);
    blocks_ = where.blocks;
    previous_length_ = uint16_t(where.state);
}

// ---- AwsTapeReader ----

AwsTapeReader::AwsTapeReader(tapeio::BufferedInput input, AwsReaderOptions options)
    : chunks_(std::move(input), options)
{
}

std::unique_ptr<AwsTapeReader> AwsTapeReader::open(const std::string& path, AwsReaderOptions options)
{
    std::string name = path == "-" ? "standard input" : path;
    return std::make_unique<AwsTapeReader>(tapeio::BufferedInput(name, tapeio::open_for_reading(path)), options);
}

TapeRecord AwsTapeReader::read_view(ByteSpan& block, bool& stable)
{
    uint8_t f1 = 0, f2 = 0;
    TapeRecord r = chunks_.read_view(block, stable, f1, f2);
    if (r == TapeRecord::Block && (f1 || f2))
        fail(ErrorKind::Unreadable, chunks_.place(),
             "block is HET-compressed (flags " + aws_flags_text(f1, f2) + "), which a plain AWS tape cannot hold");
    return r;
}

TapeRecord AwsTapeReader::read(Bytes& block)
{
    uint8_t f1 = 0, f2 = 0;
    TapeRecord r = chunks_.read(block, f1, f2);
    if (r == TapeRecord::Block && (f1 || f2))
        fail(ErrorKind::Unreadable, chunks_.place(),
             "block is HET-compressed (flags " + aws_flags_text(f1, f2) + "), which a plain AWS tape cannot hold");
    return r;
}

std::string AwsTapeReader::tolerated_irregularities() const
{
    return chunks_.tolerated_irregularities();
}

// ---- AwsTapeWriter ----

std::unique_ptr<AwsTapeWriter> AwsTapeWriter::create(const std::string& path, const TapeWriterOptions& options)
{
    return std::make_unique<AwsTapeWriter>(AwsChunkWriter::open(path, options, false));
}

void AwsTapeWriter::write_block(ByteSpan block)
{
    chunks_.write_block(block, 0);
}

} // namespace ddr
