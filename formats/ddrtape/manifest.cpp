#include "formats/ddrtape/manifest.hpp"

#include "formats/io/error.hpp"
#include "formats/io/file.hpp"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <algorithm>
#include <cinttypes>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ddr {

namespace {
constexpr const char* kMagic = "ddr-manifest 1";
constexpr const char* kHashLine = "hash xxh3-64 content";
} // namespace

const uint64_t* Manifest::find(TrackAddress addr) const
{
    auto it = std::lower_bound(tracks.begin(), tracks.end(), addr,
                               [](const auto& e, const TrackAddress& a) { return e.first < a; });
    return it != tracks.end() && it->first == addr ? &it->second : nullptr;
}

const uint64_t* Manifest::find(const UnitGeometry& geometry, Unit u) const
{
    if (geometry.fba())
        return find(TrackAddress{u.address, u.count});
    return find(address_of(u.address, geometry.eav_form));
}

struct ManifestWriter::Hasher {
    XXH3_state_t st;
};

ManifestWriter::ManifestWriter(const std::string& path, const ManifestInfo& info)
    : path_(path), hasher_(std::make_unique<Hasher>())
{
    XXH3_64bits_reset(&hasher_->st);
    if (path == "-") {
        out_ = stdout;
    } else {
        // Refused now, not after a whole dump: a manifest never replaces a file.
        if (path_exists(path))
            fail(ErrorKind::Refused, file_place(path), "the manifest file already exists");
        pending_.emplace(path, CommitRule::NoReplace, 0666);
        const int fd = ::dup(pending_->fd());
        out_ = fd < 0 ? nullptr : ::fdopen(fd, "w");
        if (!out_) {
            if (fd >= 0)
                ::close(fd);
            fail(ErrorKind::WriteFailed, file_place(path), std::string("cannot create the manifest: ") + std::strerror(errno));
        }
    }
    put(std::string(kMagic) + "\n");
    put("kind " + info.kind + "\n");
    put("device " + info.device + "\n");
    if (info.kind == "fba") {
        put("blocks " + std::to_string(info.blocks) + "\n");
        put("group 120\n");
    } else {
        put("cylinders " + std::to_string(info.cylinders) + "\n");
        put("heads " + std::to_string(info.heads) + "\n");
    }
    put("volser " + info.volser + "\n");
    put("source " + info.source + "\n");
    put("format " + info.format + "\n");
    put(std::string(kHashLine) + "\n");
}

// An unfinished manifest's temporary file goes with its PendingFile.
ManifestWriter::~ManifestWriter()
{
    if (out_ && out_ != stdout)
        std::fclose(out_);
}

void ManifestWriter::put(const std::string& text)
{
    XXH3_64bits_update(&hasher_->st, text.data(), text.size());
    if (std::fwrite(text.data(), 1, text.size(), out_) != text.size())
        fail(ErrorKind::WriteFailed, file_place(path_), "cannot write the manifest");
}

void ManifestWriter::add(TrackAddress addr, uint64_t hash)
{
    char line[64];
    std::snprintf(line, sizeof line, "t %" PRIu32 " %" PRIu32 " %016" PRIx64 "\n", addr.cyl, addr.head, hash);
    put(line);
    ++count_;
}

void ManifestWriter::add_group(uint32_t first_block, uint32_t count, uint64_t hash)
{
    char line[64];
    std::snprintf(line, sizeof line, "g %" PRIu32 " %" PRIu32 " %016" PRIx64 "\n", first_block, count, hash);
    put(line);
    ++count_;
}

void ManifestWriter::add(const UnitGeometry& geometry, Unit u, uint64_t hash)
{
    if (geometry.fba()) {
        add_group(u.address, u.count, hash);
        return;
    }
    add(address_of(u.address, geometry.eav_form), hash);
}

void ManifestWriter::finish()
{
    char line[64];
    std::snprintf(line, sizeof line, "end %" PRIu64 " %016" PRIx64 "\n", count_, uint64_t(XXH3_64bits_digest(&hasher_->st)));
    if (std::fputs(line, out_) < 0 || std::fflush(out_) != 0)
        fail(ErrorKind::WriteFailed, file_place(path_), "cannot write the manifest");
    if (pending_) {
        const int closed = std::fclose(out_);
        out_ = nullptr;
        if (closed != 0)
            fail(ErrorKind::WriteFailed, file_place(path_), "cannot write the manifest");
        pending_->commit();
    }
    finished_ = true;
}

Manifest read_manifest(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(ErrorKind::Unreadable, file_place(path), "cannot open the manifest");
    Manifest m;
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    std::string line;
    uint64_t lineno = 0;
    bool ended = false;
    auto bad = [&](const std::string& why) {
        fail(ErrorKind::Unreadable, file_place(path), "line " + std::to_string(lineno) + ": " + why);
    };
    auto value = [&](const char* key) -> std::string {
        size_t n = std::strlen(key);
        if (line.compare(0, n, key) != 0 || line.size() < n + 1 || line[n] != ' ')
            bad(std::string("expected '") + key + " ...'");
        return line.substr(n + 1);
    };
    auto number = [&](const std::string& text) -> uint64_t {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19)
            bad("'" + text + "' is not a number");
        return std::stoull(text);
    };
    // Cylinders, heads and addresses are 32-bit: a larger number is refused, not cut.
    auto number32 = [&](const std::string& text) -> uint32_t {
        const uint64_t v = number(text);
        if (v > UINT32_MAX)
            bad("'" + text + "' is too large");
        return uint32_t(v);
    };
    while (std::getline(in, line)) {
        ++lineno;
        if (ended)
            bad("text after the end line");
        if (lineno == 1 && line != kMagic)
            bad("not a ddr manifest (version 1)");
        else if (lineno == 2) {
            m.info.kind = value("kind");
            if (m.info.kind != "ckd" && m.info.kind != "fba")
                bad("unknown kind '" + m.info.kind + "'");
        }
        else if (lineno == 3)
            m.info.device = value("device");
        else if (lineno == 4 && m.info.kind == "fba")
            m.info.blocks = number(value("blocks"));
        else if (lineno == 5 && m.info.kind == "fba") {
            if (line != "group 120")
                bad("unknown FBA group size ('" + line + "')");
        } else if (lineno == 4)
            m.info.cylinders = number32(value("cylinders"));
        else if (lineno == 5)
            m.info.heads = number32(value("heads"));
        else if (lineno == 6)
            m.info.volser = value("volser");
        else if (lineno == 7)
            m.info.source = value("source");
        else if (lineno == 8)
            m.info.format = value("format");
        else if (lineno == 9 && line != kHashLine)
            bad("unknown hash ('" + line + "')");
        else if (lineno > 9 && line.rfind("end ", 0) == 0) {
            std::istringstream ss(line.substr(4));
            std::string count, check;
            ss >> count >> check;
            if (number(count) != m.tracks.size())
                bad("the end line counts " + count + " tracks; the manifest lists " + std::to_string(m.tracks.size()));
            char want[20];
            std::snprintf(want, sizeof want, "%016" PRIx64, uint64_t(XXH3_64bits_digest(&st)));
            if (check != want)
                bad("the manifest's own checksum does not match: it was changed or damaged");
            ended = true;
            continue;
        } else if (lineno > 9) {
            std::istringstream ss(line);
            std::string t, cyl, head, hash;
            ss >> t >> cyl >> head >> hash;
            const char* want = m.fba() ? "g" : "t";
            if (t != want || hash.size() != 16 || hash.find_first_not_of("0123456789abcdef") != std::string::npos)
                bad(m.fba() ? "expected 'g FIRST COUNT HASH'" : "expected 't CYL HEAD HASH'");
            TrackAddress a{number32(cyl), number32(head)};
            if (!m.tracks.empty() && !(m.tracks.back().first < a))
                bad("tracks must ascend");
            m.tracks.emplace_back(a, std::stoull(hash, nullptr, 16));
        }
        XXH3_64bits_update(&st, line.data(), line.size());
        XXH3_64bits_update(&st, "\n", 1);
    }
    if (!ended)
        fail(ErrorKind::Unreadable, file_place(path), "the manifest has no end line: it is cut short");
    return m;
}

} // namespace ddr
