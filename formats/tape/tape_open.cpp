// open_tape_reader / create_tape_writer: which container a tape is, from its bytes.
//
// Recognition follows Hercules' own rule (its first chunk header decides), except that we never look at the name:
// the first AWS header must be the start of a block or a tape mark with only defined flag
// bits; HET is told from AWS by compression bits.  Where Hercules decides on the first
// header alone (a leading tape mark says nothing), we look at up to 16 headers in the
// first 128 KiB.  Either way the reader handles both, so the guess only sets format().
#include "formats/tape/drive_tape.hpp"
#include "formats/tape/het_tape.hpp"
#include "formats/io/file.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace ddr {

namespace {

constexpr size_t kRecognitionWindow = size_t(128) << 10;
constexpr int kRecognitionHeaders = 16;

struct Recognition {
    bool tape = false;
    bool compressed = false;
    std::string why;  // when !tape
};

bool is_upper_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// Is `h` a header that can appear at this point of a tape?
bool plausible(const AwsHeader& h, bool in_block)
{
    if ((h.flags1 & kAwsUnknownFlags1) || (h.flags2 & kAwsUnknownFlags2))
        return false;
    if (h.flags1 & kAwsTapeMark)
        return h.flags1 == kAwsTapeMark && h.flags2 == 0 && h.length == 0 && !in_block;
    return ((h.flags1 & kAwsStartOfBlock) != 0) == !in_block;
}

// `head` is the start of the input; `whole` says it is all of it.
Recognition recognise(ByteSpan head, bool whole)
{
    Recognition r;
    if (head.empty()) {
        r.tape = true;  // an empty file is an empty tape
        return r;
    }
    if (head.size() >= 4 && std::equal(head.begin(), head.begin() + 4, "@TDF")) {
        r.why = "an OMA tape descriptor file, not an AWS or HET tape";
        return r;
    }
    if (head.size() >= 12 && std::all_of(head.begin(), head.begin() + 12, is_upper_hex) &&
        std::equal(head.begin(), head.begin() + 4, "0000")) {
        r.why = "a FakeTape (Flex-ES) file, not an AWS or HET tape";
        return r;
    }
    if (head.size() < kAwsHeaderSize) {
        r.why = "not an AWS or HET tape: only " + std::to_string(head.size()) + " bytes";
        return r;
    }

    const AwsHeader first = AwsHeader::decode(head.data());
    size_t pos = 0;
    int good = 0;
    bool in_block = false;
    while (pos + kAwsHeaderSize <= head.size() && good < kRecognitionHeaders) {
        const AwsHeader h = AwsHeader::decode(head.data() + pos);
        if (!plausible(h, in_block))
            break;
        if ((h.flags1 & kHetCompressionMask) || (h.flags2 & kHetBusTechZlib))
            r.compressed = true;
        if (!(h.flags1 & kAwsTapeMark))
            in_block = !(h.flags1 & kAwsEndOfBlock);
        pos += kAwsHeaderSize + h.length;
        ++good;
    }
    // A first "previous length" other than 0 is allowed only if what follows chains on.
    const bool chained = good >= 2 || (good == 1 && whole && pos == head.size());
    if (good == 0 || (first.previous != 0 && !chained)) {
        r.why = "not an AWS or HET tape (first header: length " + std::to_string(first.length) + ", previous " +
                std::to_string(first.previous) + ", flags " + aws_flags_text(first.flags1, first.flags2) + ")";
        r.compressed = false;
        return r;
    }
    r.tape = true;
    return r;
}

// What an existing file is, for a refusal: the magic of a volume image, else the reason
// it is no tape.
std::string what_it_is(const std::string& path, ByteSpan head, const Recognition& r)
{
    static constexpr const char* kVolumeMagics[] = {"CKD_P370", "CKD_P064", "CKD_C370", "CKD_C064", "CKD_S370",
                                                    "CKD_S064", "FBA_C370", "FBA_C064", "FBA_S370", "FBA_S064",
                                                    "CKD_E064", "DDR_BUSY"};
    for (const char* magic : kVolumeMagics)
        if (head.size() >= 8 && std::equal(head.begin(), head.begin() + 8, magic))
            return std::string("a volume image (") + magic + ")";
    (void)path;
    return r.why.empty() ? std::string("not a tape") : r.why;
}

} // namespace

void check_replaceable_tape(const std::string& path)
{
    const FileStatus st = file_status(path);
    if (st.kind != FileKind::Regular || st.size == 0)
        return;
    tapeio::BufferedInput input(path, tapeio::open_for_reading(path));
    ByteSpan head = input.peek(kRecognitionWindow);
    const Recognition r = recognise(head, head.size() < kRecognitionWindow);
    bool volume = false;
    for (const char* magic : {"CKD_", "FBA_", "DDR_BUSY"})
        volume = volume || (head.size() >= 8 && std::equal(magic, magic + std::strlen(magic), head.begin()));
    if (r.tape && !volume)
        return;
    Place place;
    place.file = path;
    fail(ErrorKind::Refused, place,
         "is " + what_it_is(path, head, r) + ", not a tape file: --overwrite replaces only tape files; left as it was");
}

std::unique_ptr<TapeReader> open_tape_reader(const std::string& path, const TapeReaderOptions& options)
{
    if (auto drive = open_tape_drive(path, false))  // a tape drive holds blocks, not a container
        return std::make_unique<DriveTapeReader>(std::move(drive));
    std::string name = path == "-" ? "standard input" : path;
    tapeio::BufferedInput input(name, tapeio::open_for_reading(path));
    ByteSpan head = input.peek(kRecognitionWindow);
    Recognition r = recognise(head, head.size() < kRecognitionWindow);
    if (!r.tape) {
        Place place;
        place.file = name;
        place.offset = 0;
        fail(ErrorKind::Unreadable, place, r.why);
    }
    AwsReaderOptions aws;
    aws.strict_previous_length = options.strict;
    return std::make_unique<HetTapeReader>(std::move(input), aws, r.compressed);
}

std::unique_ptr<TapeReader> open_tape_reader(const std::string& path)
{
    return open_tape_reader(path, TapeReaderOptions{});
}

std::unique_ptr<TapeWriter> create_tape_writer(const std::string& path, const TapeWriterOptions& options)
{
    std::string format = options.format;
    std::transform(format.begin(), format.end(), format.begin(), [](unsigned char c) { return std::toupper(c); });
    if (options.overwrite && !options.append && path != "-")
        check_replaceable_tape(path);
    if (auto drive = open_tape_drive(path, true))
        return std::make_unique<DriveTapeWriter>(std::move(drive), DriveStart{options.append, options.drive_after_files},
                                                 options.disposition);
    if (options.drive_after_files)
        fail(ErrorKind::Usage, file_place(path),
             "not a tape drive: a tape file is written after its dumps (--append), never at a tape file's start");
    if (format == "AWS")
        return AwsTapeWriter::create(path, options);
    if (format == "HET")
        return HetTapeWriter::create(path, options);
    fail(ErrorKind::Usage, "unknown tape format \"" + options.format + "\" (AWS or HET)");
}

} // namespace ddr
