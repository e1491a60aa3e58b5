#include "formats/io/resume_record.hpp"

#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <zlib.h>

namespace ddr {

namespace {

constexpr char kMagic[] = "DDRRESUM";
constexpr char kSuffix[] = ".ddr-resume";
constexpr size_t kVolserBytes = 6;
constexpr uint8_t kFlagFba = 0x01;

uint32_t crc_of(const uint8_t* p, size_t n)
{
    return uint32_t(::crc32(::crc32(0, nullptr, 0), p, uInt(n)));
}

// A name a record may hold: a plain file name in the target's folder, nothing that
// climbs out of it or hides a byte a path cannot carry.
bool acceptable_name(std::string_view name)
{
    if (name.empty() || name.size() > ResumeRecord::kMaxNameBytes || name == "." || name == "..")
        return false;
    return std::none_of(name.begin(), name.end(), [](char c) { return c == '/' || c == '\0'; });
}

// The fixed fields of a record from its first kFixedSize bytes (already known to be there).
ResumeRecord decode_fixed(const uint8_t* p)
{
    ResumeRecord r;
    r.kind = ResumeKind(p[10]);
    r.fba = (p[11] & kFlagFba) != 0;
    r.dump_tod = load_le64(p + 16);
    std::string volser(reinterpret_cast<const char*>(p + 24), kVolserBytes);
    const size_t last = volser.find_last_not_of(' ');
    r.dump_volser = last == std::string::npos ? std::string() : volser.substr(0, last + 1);
    r.dump_file = load_le32(p + 32);
    r.units_done = load_le64(p + 40);
    r.frontier = load_le64(p + 48);
    r.selection = load_le64(p + 56);
    return r;
}

} // namespace

Bytes ResumeRecord::encode() const
{
    Bytes out(kFixedSize, 0);
    std::memcpy(out.data(), kMagic, 8);
    store_le16(out.data() + 8, kVersion);
    out[10] = uint8_t(kind);
    out[11] = fba ? kFlagFba : 0;
    store_le64(out.data() + 16, dump_tod);
    std::fill(out.begin() + 24, out.begin() + 24 + kVolserBytes, uint8_t(' '));
    std::memcpy(out.data() + 24, dump_volser.data(), std::min(dump_volser.size(), kVolserBytes));
    if (kind == ResumeKind::DumpNewTape)
        out[30] = uint8_t(tape_sets - 1);
    store_le32(out.data() + 32, dump_file);
    store_le32(out.data() + 36, uint32_t(temporaries.size()));
    store_le64(out.data() + 40, units_done);
    store_le64(out.data() + 48, frontier);
    store_le64(out.data() + 56, selection);
    auto put_text = [&out](const std::string& text) {
        uint8_t len[2];
        store_le16(len, uint16_t(text.size()));
        out.insert(out.end(), len, len + 2);
        out.insert(out.end(), text.begin(), text.end());
    };
    for (const std::string& name : temporaries)
        put_text(name);
    if (kind == ResumeKind::DumpNewTape) {
        put_text(source);
        for (uint64_t length : reel_lengths) {
            uint8_t at[8];
            store_le64(at, length);
            out.insert(out.end(), at, at + 8);
        }
    }
    store_le32(out.data() + 12, uint32_t(out.size() + 4));
    uint8_t crc[4];
    store_le32(crc, crc_of(out.data(), out.size()));
    out.insert(out.end(), crc, crc + 4);
    return out;
}

std::variant<ResumeRecord, std::string> ResumeRecord::decode(ByteSpan bytes)
{
    if (bytes.size() < kFixedSize + 4)
        return std::string("too short for a resume record (" + std::to_string(bytes.size()) + " bytes)");
    const uint8_t* p = bytes.data();
    if (std::memcmp(p, kMagic, 8) != 0)
        return std::string("not a resume record (no DDRRESUM magic)");
    if (load_le16(p + 8) != kVersion)
        return "resume record version " + std::to_string(load_le16(p + 8)) + ", not 1";
    const uint32_t length = load_le32(p + 12);
    if (length != bytes.size() || length > kMaxSize)
        return "the record says it is " + std::to_string(length) + " bytes long, the file holds " +
               std::to_string(bytes.size());
    if (load_le32(p + length - 4) != crc_of(p, length - 4))
        return std::string("its CRC-32 does not match: the record is damaged");
    ResumeRecord r = decode_fixed(p);
    if (r.kind != ResumeKind::RestoreInPlace && r.kind != ResumeKind::RestoreNewImage &&
        r.kind != ResumeKind::DumpNewTape)
        return "unknown run kind " + std::to_string(p[10]);
    const bool dump = r.kind == ResumeKind::DumpNewTape;
    if ((p[11] & ~kFlagFba) != 0 || (!dump && p[30] != 0) || p[31] != 0)
        return std::string("reserved bits are set");
    r.tape_sets = dump ? uint32_t(p[30]) + 1 : 1;
    const uint32_t count = load_le32(p + 36);
    if (dump ? count == 0 || count > kMaxDumpTemporaries || count % r.tape_sets != 0
             : count > kMaxTemporaries || (r.kind == ResumeKind::RestoreNewImage) != (count > 0))
        return std::to_string(count) + " temporary files for a " +
               (dump ? "dump to " + std::to_string(r.tape_sets) + " tape set(s)"
                     : r.kind == ResumeKind::RestoreNewImage ? "new image" : "restore in place");
    size_t at = kFixedSize;
    // The next length-prefixed text, or nullopt if it runs past the CRC.
    auto next_text = [&]() -> std::optional<std::string> {
        if (at + 2 > length - 4)
            return std::nullopt;
        const size_t len = load_le16(p + at);
        at += 2;
        if (len > length - 4 - at)
            return std::nullopt;
        at += len;
        return std::string(reinterpret_cast<const char*>(p + at - len), len);
    };
    for (uint32_t i = 0; i < count; ++i) {
        std::optional<std::string> name = next_text();
        if (!name)
            return std::string("a temporary file's name runs past the record's end");
        if (!acceptable_name(*name))
            return std::string("a temporary file's name is not a plain file name");
        r.temporaries.push_back(std::move(*name));
    }
    if (dump) {
        std::optional<std::string> source = next_text();
        if (!source)
            return std::string("the source's name runs past the record's end");
        if (source->empty() || source->size() > kMaxSourceBytes || source->find('\0') != std::string::npos)
            return std::string("the source's name is not a path");
        r.source = std::move(*source);
        const size_t ended = count / r.tape_sets - 1;
        if (length - 4 - at != ended * 8)
            return std::to_string(length - 4 - at) + " bytes after the source's name, for " +
                   std::to_string(ended) + " ended reel(s)";
        for (size_t i = 0; i < ended; ++i, at += 8)
            r.reel_lengths.push_back(load_le64(p + at));
    }
    if (at != length - 4)
        return std::string("bytes after the last name");
    return r;
}

std::string resume_record_name(const std::string& path)
{
    return path + kSuffix;
}

bool is_resume_record_name(const std::string& name)
{
    const size_t n = std::strlen(kSuffix);
    return name.size() > n && name.compare(name.size() - n, n, kSuffix) == 0 && name[0] != '.';
}

void write_resume_record(const std::string& record_path, const ResumeRecord& record)
{
    PendingFile file(record_path, CommitRule::Replace, 0644);
    pwrite_all(file.fd(), record.encode(), 0, file_place(file.temp_path()));
    file.commit();
}

std::optional<ResumeRecord> read_resume_record(const std::string& record_path)
{
    const FileStatus st = file_status(record_path);
    if (!st.exists())
        return std::nullopt;
    const Place at = file_place(record_path);
    if (st.kind != FileKind::Regular || st.size > ResumeRecord::kMaxSize)
        fail(ErrorKind::Unreadable, at, "not a resume record (" +
             (st.kind != FileKind::Regular ? std::string("not a regular file") : std::to_string(st.size) + " bytes") + ")");
    UniqueFd fd = open_existing(record_path, false);
    Bytes bytes(size_t(st.size));
    bytes.resize(pread_some(fd.get(), bytes, 0, at));
    auto decoded = ResumeRecord::decode(bytes);
    if (auto* why = std::get_if<std::string>(&decoded))
        fail(ErrorKind::Unreadable, at, *why);
    return std::get<ResumeRecord>(std::move(decoded));
}

void remove_resume_record(const std::string& record_path) noexcept
{
    if (::unlink(record_path.c_str()) == 0) {
        try {
            sync_parent_folder(record_path);
        } catch (...) {
            // Best effort: a record that comes back after a crash names a finished run's
            // files, which are gone or complete; --resume then refuses it.
        }
    }
}

bool KeptForResume::keeps(const std::string& path) const
{
    if (std::find(paths.begin(), paths.end(), path) != paths.end())
        return true;
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const std::string& p) { return path.compare(0, p.size(), p) == 0; });
}

KeptForResume temporaries_kept_for_resume(const std::string& folder)
{
    KeptForResume kept;
    DIR* dir = ::opendir(folder.c_str());
    if (!dir)
        return kept;
    std::vector<std::string> records;
    while (const dirent* e = ::readdir(dir)) {
        if (is_resume_record_name(e->d_name))
            records.push_back(e->d_name);
    }
    ::closedir(dir);
    for (const std::string& name : records) {
        try {
            if (auto r = read_resume_record(folder + "/" + name))
                for (const std::string& temp : r->temporaries)
                    kept.paths.push_back(folder + "/" + temp);
        } catch (const Error&) {
            const std::string target = name.substr(0, name.size() - std::strlen(kSuffix));
            kept.prefixes.push_back(folder + "/." + target + ".ddr-tmp.");
        }
    }
    return kept;
}

} // namespace ddr
