#include "formats/volume/ckd_image.hpp"

#include "formats/io/wording.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace ddr {

namespace {

constexpr char kMagicP370[] = "CKD_P370";
constexpr char kMagicP064[] = "CKD_P064";
// Where an update keeps file 1's real magic while the magic reads DDR_BUSY (the last 8
// bytes of the header's reserved zeros), so a redone restore can put it back, and, just
// before it, the RestoreRecord saying which dump the restore writes (busy_image.hpp).
constexpr size_t kStashOffset = kDeviceHeaderSize - 8;
constexpr size_t kRecordOffset = kStashOffset - RestoreRecord::kSize;
// Sanity limits on header fields, so a corrupt header cannot make us allocate wildly.
constexpr uint32_t kMaxTrackSize = 1u << 20;
constexpr uint32_t kMaxHeads = 0xFFFF;
// A track slot is read first up to the end of the page it starts in (at least
// kMinFirstRead bytes, so a slot starting near a page's end reads into the next page):
// enough for an empty or short track, whose slot is mostly a hole.  The rest is read only
// for a track that goes on, so the hole pages of a sparse image are never touched (a read
// of a hole fills the page cache with zeros and costs as much as a read of data).
constexpr uint64_t kMinFirstRead = 512;
// How far ahead of the track being read the start of a slot is asked for.
constexpr uint64_t kReadAheadSlots = 64;
// Bytes of whole slots gathered before one write.
constexpr size_t kWriteBufferBytes = 4u << 20;
// Sparse writes of a new image: granularity, and the gap of zeros worth writing rather
// than issuing another system call.
constexpr uint64_t kPage = 4096;
constexpr uint64_t kMergeGap = 16384;
// The shortest run written past the page cache: many short direct writes, each waiting
// for the disk, measured slower than the page cache (a sparse volume's restore).
constexpr uint64_t kDirectRunMin = 1u << 20;

// Bytes of a slot of `slot_size` bytes at file offset `offset` read first (see kMinFirstRead).
size_t first_read_length(uint64_t offset, size_t slot_size)
{
    uint64_t end = (offset / kPage + 1) * kPage;
    if (end - offset < kMinFirstRead)
        end += kPage;
    return size_t(std::min<uint64_t>(end - offset, slot_size));
}

bool magic_is(const std::array<char, 8>& magic, const char* text)
{
    return std::memcmp(magic.data(), text, 8) == 0;
}

bool is_plain_magic(const std::array<char, 8>& magic)
{
    return magic_is(magic, kMagicP370) || magic_is(magic, kMagicP064);
}

std::string printable_magic(const std::array<char, 8>& magic)
{
    std::string out;
    for (char c : magic) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7F) {
            out += c;
        } else {
            out += hex_byte(u);
        }
    }
    return out;
}

std::string base_name(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

size_t base_start(const std::string& path)
{
    auto slash = path.rfind('/');
    return slash == std::string::npos ? 0 : slash + 1;
}

// The first dot of the base name, not counting a leading one; npos if none.
size_t first_dot(const std::string& path)
{
    size_t start = base_start(path);
    if (start >= path.size())
        return std::string::npos;
    return path.find('.', start + 1);
}

} // namespace

uint32_t default_cylinders_per_file(uint32_t heads, uint32_t track_size)
{
    uint64_t cylinder_bytes = uint64_t(heads) * track_size;
    if (cylinder_bytes == 0)
        return 0;
    return uint32_t(((uint64_t(1) << 31) - kDeviceHeaderSize) / cylinder_bytes);
}

// ---- names ----

char ckd_sequence_char(unsigned seq)
{
    if (seq >= 1 && seq <= 9)
        return char('0' + seq);
    if (seq >= 10 && seq <= kCkdMaxFiles)
        return char('A' + (seq - 10));
    fail(ErrorKind::Internal, "no file sequence character for file " + std::to_string(seq));
}

size_t ckd_sequence_position(const std::string& path)
{
    size_t start = base_start(path);
    if (start >= path.size())
        return std::string::npos;
    size_t dot = first_dot(path);
    if (dot == std::string::npos)
        return path.size() - 1;
    return dot - 1;
}

std::string ckd_member_name(const std::string& first_file, unsigned seq)
{
    size_t pos = ckd_sequence_position(first_file);
    if (pos == std::string::npos)
        fail(ErrorKind::Internal, file_place(first_file), "no file name to number");
    std::string name = first_file;
    name[pos] = ckd_sequence_char(seq);
    return name;
}

std::vector<std::string> ckd_split_file_names(const std::string& path, unsigned files)
{
    if (files == 1)
        return {path};
    if (files == 0 || files > kCkdMaxFiles)
        fail(ErrorKind::Internal, "a CKD volume is split over 1 to 27 files, not " + std::to_string(files));
    if (base_name(path).empty())
        fail(ErrorKind::Usage, file_place(path), "no file name given");
    std::string first;
    size_t dot = first_dot(path);
    size_t start = base_start(path);
    if (dot != std::string::npos) {
        if (dot >= start + 2 && path[dot - 2] == '_')
            first = path;  // "vol_1.3390": the number's place is already there
        else
            first = path.substr(0, dot) + "_1" + path.substr(dot);
    } else {
        size_t len = path.size() - start;
        if (len >= 2 && path[path.size() - 2] == '_')
            first = path;
        else
            first = path + "_1";
    }
    std::vector<std::string> names;
    for (unsigned seq = 1; seq <= files; ++seq)
        names.push_back(ckd_member_name(first, seq));
    return names;
}

// ---- reader ----

CkdImageReader::CkdImageReader(const std::string& path, bool allow_unfinished)
{
    open_set(path, false, allow_unfinished);
}

namespace {

struct HeaderRead {
    std::array<uint8_t, kDeviceHeaderSize> raw{};
    DeviceHeader header;
    uint64_t size = 0;
};

HeaderRead read_header(int fd, const std::string& path)
{
    HeaderRead r;
    r.size = file_size(fd, path);
    if (r.size < kDeviceHeaderSize)
        fail(ErrorKind::Unreadable, file_place(path),
             "file is " + std::to_string(r.size) + " bytes, shorter than the 512-byte CKD device header");
    pread_exact(fd, r.raw, 0, file_place(path));
    r.header = DeviceHeader::decode(r.raw.data());
    return r;
}

// The name of file 1 of the set `path` is a file of: `path` itself unless its header
// says it is file 2 or later of a plain set.
std::string first_file_of(const std::string& path)
{
    UniqueFd fd = open_existing(path, false);
    HeaderRead hr = read_header(fd.get(), path);
    uint8_t seq = hr.header.file_sequence;
    if (seq <= 1 || !is_plain_magic(hr.header.magic) || seq > kCkdMaxFiles)
        return path;
    size_t pos = ckd_sequence_position(path);
    if (pos == std::string::npos || path[pos] != ckd_sequence_char(seq))
        fail(ErrorKind::Unreadable, file_place(path),
             "this is file " + std::to_string(seq) +
                 " of a multi-file CKD volume, but its name does not carry that number; open the volume by its first file");
    return ckd_member_name(path, 1);
}

std::optional<RestoreRecord> record_in_header(const std::array<uint8_t, kDeviceHeaderSize>& raw)
{
    if (std::memcmp(raw.data(), kCkdBusyMagic, 8) != 0)
        return std::nullopt;
    return RestoreRecord::decode(ByteSpan(raw.data() + kRecordOffset, RestoreRecord::kSize));
}

// The header commit() puts back: file 1's own, with the real magic (kept in the stash
// while the magic reads DDR_BUSY) and the bytes of the busy mark cleared.  Hercules
// leaves those bytes zero; other content there is refused rather than overwritten.
std::array<uint8_t, kDeviceHeaderSize> header_to_restore(const std::array<uint8_t, kDeviceHeaderSize>& raw,
                                                      const std::array<char, 8>& real_magic, const std::string& file)
{
    std::array<uint8_t, kDeviceHeaderSize> out = raw;
    std::memcpy(out.data(), real_magic.data(), 8);
    const bool ours = std::memcmp(raw.data(), kCkdBusyMagic, 8) == 0;
    const bool clear = std::all_of(raw.begin() + kRecordOffset, raw.end(), [](uint8_t b) { return b == 0; });
    if (!ours && !clear)
        fail(ErrorKind::Refused, file_place(file, kRecordOffset),
             "bytes " + std::to_string(kRecordOffset) + "-511 of the CKD header are not zero (Hercules leaves them "
             "zero); ddr keeps the mark of a restore in progress there, so it does not write into this image in place");
    std::fill(out.begin() + kRecordOffset, out.end(), 0);
    return out;
}

} // namespace

std::string ckd_first_file_name(const std::string& path)
{
    try {
        return first_file_of(path);
    } catch (const Error&) {
        return path;  // no plain CKD file: its own name is all there is
    }
}

std::optional<RestoreRecord> ckd_restore_record(const std::string& file)
{
    UniqueFd fd = open_existing(file, false);
    return record_in_header(read_header(fd.get(), file).raw);
}

namespace {

// The names open_set finds a set under: file 1's (`first`, the name the volume is
// known by) and the one it has now (`first_now`: NAME.ddr-busy while a restore writes
// the volume, busy_image.hpp).
struct SetNames {
    std::string first;
    std::string first_now;
};

// Finds file 1 of the set `path` is a file of, and the name it has now.  Hercules is
// given the first file; we also accept any other member, whose header says where it
// stands.  Error(Unreadable) if `path` is a later file and file 1 is missing; with
// `allow_busy` (a restore redone), fail_both_names if NAME and NAME.ddr-busy both exist.
SetNames locate_set(const std::string& path, bool allow_busy)
{
    SetNames n;
    n.first = path_exists(path) ? first_file_of(path) : path;
    n.first_now = n.first;
    const std::string busy = busy_image_name(n.first);
    if (!path_exists(n.first) && path_exists(busy))
        n.first_now = busy;
    else if (allow_busy && path_exists(busy))
        fail_both_names(path, UnfinishedRestore{n.first, busy, true, true, ckd_restore_record(busy)});
    else if (n.first != path && !path_exists(n.first))
        fail(ErrorKind::Unreadable, file_place(path),
             "this is a file of a multi-file CKD volume, but its first file " + n.first + " is missing");
    return n;
}

// File 1's header `hr`, read from names.first_now, checked as the header of the volume
// `path` and returned with its real magic: an update that marked it DDR_BUSY kept that
// magic in the stash.  Unless `allow_busy`, a volume a restore did not finish (busy
// name or magic) is refused with fail_unfinished.  Error(Unreadable) for a magic other
// than a plain image's, or heads or a track size outside the sanity limits.
DeviceHeader checked_first_header(const HeaderRead& hr, const std::string& path, const SetNames& names,
                                  bool allow_busy)
{
    DeviceHeader h = hr.header;
    const std::string& name = names.first_now;
    const bool busy_magic = magic_is(h.magic, kCkdBusyMagic);
    if ((busy_magic || names.first_now != names.first) && !allow_busy)
        fail_unfinished(path, UnfinishedRestore{names.first, names.first_now, true, false, record_in_header(hr.raw)});
    if (busy_magic) {
        std::array<char, 8> stash{};
        std::memcpy(stash.data(), hr.raw.data() + kStashOffset, 8);
        h.magic = is_plain_magic(stash) ? stash : std::array<char, 8>{'C', 'K', 'D', '_', 'P', '3', '7', '0'};
    } else if (!is_plain_magic(h.magic)) {
        fail(ErrorKind::Unreadable, file_place(name),
             "not a plain CKD image (magic \"" + printable_magic(h.magic) + "\")");
    }
    if (h.heads == 0 || h.heads > kMaxHeads)
        fail(ErrorKind::Unreadable, file_place(name, 8), "header says " + std::to_string(h.heads) + " heads per cylinder");
    if (h.track_size < kEmptyTrackSize || h.track_size > kMaxTrackSize)
        fail(ErrorKind::Unreadable, file_place(name, 12),
             "header says the track size is " + std::to_string(h.track_size) + " bytes");
    return h;
}

// Error(Unreadable) unless the header `h` of `name`, a later file of the set, agrees
// with file 1's `h1` on magic, heads, track size and device type.
void check_later_header(const DeviceHeader& h, const DeviceHeader& h1, const std::string& name)
{
    if (h.magic != h1.magic)
        fail(ErrorKind::Unreadable, file_place(name),
             "magic \"" + printable_magic(h.magic) + "\" differs from file 1's \"" + printable_magic(h1.magic) + "\"");
    if (h.heads != h1.heads || h.track_size != h1.track_size)
        fail(ErrorKind::Unreadable, file_place(name, 8),
             "header says " + std::to_string(h.heads) + " heads and " + std::to_string(h.track_size) +
                 "-byte tracks, but file 1 says " + std::to_string(h1.heads) + " and " + std::to_string(h1.track_size));
    if (h.devtype_byte != h1.devtype_byte)
        fail(ErrorKind::Unreadable, file_place(name, 16),
             "device type byte " + hex_byte(h.devtype_byte) + " differs from file 1's " + hex_byte(h1.devtype_byte));
}

// Error(Unreadable) unless the header `h` of `name` carries file `seq`'s sequence
// number: 0 or 1 for file 1 (a lone file has 0), `seq` itself for a later file.
void check_file_sequence(const DeviceHeader& h, unsigned seq, const std::string& name)
{
    if (seq == 1 ? h.file_sequence <= 1 : h.file_sequence == seq)
        return;
    fail(ErrorKind::Unreadable, file_place(name, 17),
         h.file_sequence == 0xFF ? std::string("file sequence number is 255: a dasdcopy into it did not finish")
                                 : "file sequence number is " + std::to_string(h.file_sequence) + ", expected " +
                                       (seq == 1 ? std::string("0 or 1") : std::to_string(seq)));
}

// The cylinders the file `name` of `size` bytes holds behind its (checked) header `h`,
// the files before it holding `next_cyl`.  Error(Unreadable) unless it is the header
// plus whole cylinders of track slots, at least one, and the volume stays within what a
// CKD image can address.
uint64_t cylinders_in_file(uint64_t size, const DeviceHeader& h, uint32_t next_cyl, const std::string& name)
{
    const Place at = file_place(name);
    const uint64_t slots = size - kDeviceHeaderSize;
    if (slots % h.track_size != 0)
        fail(ErrorKind::Unreadable, at,
             "file size " + std::to_string(size) + " is not the 512-byte header plus whole " +
                 std::to_string(h.track_size) + "-byte track slots");
    const uint64_t tracks = slots / h.track_size;
    if (tracks % h.heads != 0)
        fail(ErrorKind::Unreadable, at,
             "file holds " + std::to_string(tracks) + " tracks, not a whole number of " + std::to_string(h.heads) +
                 "-track cylinders");
    const uint64_t cyls = tracks / h.heads;
    if (cyls == 0)
        fail(ErrorKind::Unreadable, at, "file holds no tracks");
    if (next_cyl + cyls > kCkdMaxCylinders)
        fail(ErrorKind::Unreadable, at,
             "volume would have " + std::to_string(next_cyl + cyls) + " cylinders, more than a CKD image can address");
    return cyls;
}

// True if file `seq` of the set, holding `cyls` cylinders from `next_cyl` on, is its
// last, by its header's highcyl (h.last_cylinder): 0 in the last (or only) file, else
// the file's own last cylinder.  Old images may hold the cylinder count in a single
// file's highcyl; Hercules accepts that, and so do we.  Error(Unreadable) for any other.
bool is_last_file(const DeviceHeader& h, unsigned seq, uint32_t next_cyl, uint64_t cyls, const std::string& name)
{
    const uint64_t last_cyl = next_cyl + cyls - 1;
    if (h.last_cylinder == 0)
        return true;
    if (seq == 1 && h.last_cylinder == cyls)
        return true;
    if (h.last_cylinder != last_cyl)
        fail(ErrorKind::Unreadable, file_place(name, 18),
             "header says its last cylinder is " + std::to_string(h.last_cylinder) + ", but the file holds cylinders " +
                 std::to_string(next_cyl) + "-" + std::to_string(last_cyl));
    return h.file_sequence == 0;  // a lone file (sequence 0) naming its own last cylinder
}

} // namespace

// Opens every file of the set `path` is a file of (writable for an update), checking
// each header against file 1's and each file's size against its header, and fills
// info_, members_ and first_header_.  `allow_busy`: a volume a restore did not finish
// is opened (that restore is being redone) rather than refused.
void CkdImageReader::open_set(const std::string& path, bool writable, bool allow_busy)
{
    const SetNames names = locate_set(path, allow_busy);
    members_.clear();
    info_ = CkdVolumeInfo{};
    uint32_t next_cyl = 0;
    for (unsigned seq = 1;; ++seq) {
        if (seq > kCkdMaxFiles)
            fail(ErrorKind::Unreadable, file_place(members_.back().path),
                 "volume goes on past file 27, the most a CKD volume may have");
        const std::string logical = seq == 1 ? names.first : ckd_member_name(names.first, seq);
        const std::string name = seq == 1 ? names.first_now : logical;
        if (seq > 1 && !path_exists(name))
            fail(ErrorKind::Unreadable, file_place(name),
                 "file " + std::to_string(seq) + " of the volume is missing (" + members_.back().path +
                     " says its last cylinder is " + std::to_string(members_.back().header.last_cylinder) + ")");
        Member m;
        m.path = name;
        m.owned_fd = open_existing(name, writable);
        m.fd = m.owned_fd.get();
        const HeaderRead hr = read_header(m.fd, name);
        if (seq == 1) {
            first_header_ = hr.raw;
            m.header = checked_first_header(hr, path, names, allow_busy);
        } else {
            m.header = hr.header;
            check_later_header(m.header, members_.front().header, name);
        }
        check_file_sequence(m.header, seq, name);
        const uint64_t cyls = cylinders_in_file(hr.size, m.header, next_cyl, name);
        const bool last = is_last_file(m.header, seq, next_cyl, cyls, name);
        m.first_cyl = next_cyl;
        m.cylinders = uint32_t(cyls);
        next_cyl += uint32_t(cyls);
        info_.bytes += hr.size;
        info_.files.push_back(logical);
        members_.push_back(std::move(m));
        if (last)
            break;
    }

    const DeviceHeader& h1 = members_.front().header;
    info_.format = h1.magic_text();
    info_.devtype_byte = h1.devtype_byte;
    info_.cylinders = next_cyl;
    info_.heads = h1.heads;
    info_.track_size = h1.track_size;
    slot_.assign(h1.track_size, 0);
}

const CkdImageReader::Member& CkdImageReader::member_of(uint32_t cyl) const
{
    for (const Member& m : members_) {
        if (cyl < m.first_cyl + m.cylinders)
            return m;
    }
    return members_.back();
}

uint64_t CkdImageReader::slot_offset(const Member& m, TrackAddress addr) const
{
    uint64_t index = uint64_t(addr.cyl - m.first_cyl) * info_.heads + addr.head;
    return kDeviceHeaderSize + index * info_.track_size;
}

void CkdImageReader::read_track(TrackAddress addr, TrackImage& out)
{
    if (addr.cyl >= info_.cylinders || addr.head >= info_.heads)
        fail(ErrorKind::Device, file_place(info_.files.front()).with_track(addr.cyl, addr.head),
             "track is outside the volume (" + std::to_string(info_.cylinders) + " cylinders of " +
                 std::to_string(info_.heads) + " tracks)");
    read_slot_into(addr, out, true);
}

// Contract: reads the rest of the slot at `offset` (from `prefix` on) into slot_; with
// `carry_next`, and a next slot in the same file, also that slot's first read, kept in
// carry_ for take_carry().  Failures are today's: a read that comes up short or fails
// anywhere within this slot is made again alone, and throws as pread_exact does; one
// that fails only within the next slot's bytes leaves them to be read (and reported)
// with that track.
void CkdImageReader::read_slot_rest(const Member& m, TrackAddress addr, uint64_t offset, size_t prefix,
                                    bool carry_next)
{
    const MutableByteSpan rest(slot_.data() + prefix, slot_.size() - prefix);
    const uint64_t next = offset + slot_.size();
    const uint64_t member_end = kDeviceHeaderSize + uint64_t(m.cylinders) * info_.heads * slot_.size();
    if (carry_next && next + slot_.size() <= member_end) {
        const size_t next_prefix = first_read_length(next, slot_.size());
        if (carry_.size() < next_prefix)
            carry_.resize(2 * kPage);
        const Transfer t = pread_pair(m.fd, rest, MutableByteSpan(carry_.data(), next_prefix), offset + prefix);
        if (t.done == rest.size() + next_prefix) {
            carry_length_ = next_prefix;
            carry_offset_ = next;
            carry_fd_ = m.fd;
        }
        if (t.done >= rest.size())
            return;
    }
    const Place rest_at = file_place(m.path, offset + prefix).with_track(addr.cyl, addr.head);
    pread_exact(m.fd, rest, offset + prefix, rest_at);
}

// Contract: true, with `out` filled, if the bytes at `offset` of `fd` were read along
// with the previous track and are all of `out`; false otherwise.  Either way they are
// taken: the next read of that slot reads the file again.
bool CkdImageReader::take_carry(int fd, uint64_t offset, MutableByteSpan out)
{
    const bool hit = carry_length_ == out.size() && carry_fd_ == fd && carry_offset_ == offset;
    if (hit)
        std::memcpy(out.data(), carry_.data(), out.size());
    carry_length_ = 0;
    return hit;
}

void CkdImageReader::read_slot_into(TrackAddress addr, TrackImage& out, bool carry_next)
{
    const Member& m = member_of(addr.cyl);
    const uint64_t offset = slot_offset(m, addr);
    const Place at = file_place(m.path, offset).with_track(addr.cyl, addr.head);
    // Most of the slot of an empty or short track is a hole: read the first part, and the
    // rest only if the track does not end there.  A track measured whole within a prefix
    // measures the same in the whole slot (measure() looks at no byte past the end marker).
    const size_t prefix = first_read_length(offset, slot_.size());
    // The kernel reads ahead only for reads that follow each other, which these do not:
    // ask for the start of the slot kReadAheadSlots further on (only that: reading ahead
    // the whole stretch would fill the page cache with the zeros of the holes).
    const uint64_t ahead = offset + kReadAheadSlots * slot_.size();
    (void)::posix_fadvise(m.fd, off_t(ahead), off_t(first_read_length(ahead, slot_.size())), POSIX_FADV_WILLNEED);
    if (!take_carry(m.fd, offset, MutableByteSpan(slot_.data(), prefix)))
        pread_exact(m.fd, MutableByteSpan(slot_.data(), prefix), offset, at);
    if (!TrackImage::measure(ByteSpan(slot_.data(), prefix)))
        read_slot_rest(m, addr, offset, prefix, carry_next);
    try {
        out.assign_from_slot(slot_);
    } catch (const Error& e) {
        throw e.within(at);
    }
    auto want = encode_cchh(addr);
    if (std::memcmp(out.bytes.data() + 1, want.data(), 4) != 0) {
        const TrackAddress says = out.home_address(false);
        fail(ErrorKind::Unreadable, at,
             "home address names cyl " + std::to_string(says.cyl) + " head " + std::to_string(says.head) +
                 ", not this track");
    }
}

// ---- writer ----

std::unique_ptr<CkdImageWriter> CkdImageWriter::create(const std::string& path, const NewCkdVolume& spec)
{
    const Place at = file_place(path);
    if (spec.format != kMagicP370 && spec.format != kMagicP064)
        fail(ErrorKind::Internal, at, "plain CKD writer asked for format \"" + spec.format + "\"");
    if (spec.heads == 0 || spec.heads > kMaxHeads)
        fail(ErrorKind::Device, at, "cannot make a CKD image with " + std::to_string(spec.heads) + " heads per cylinder");
    if (spec.track_size < kEmptyTrackSize || spec.track_size > kMaxTrackSize)
        fail(ErrorKind::Device, at, "cannot make a CKD image with " + std::to_string(spec.track_size) + "-byte tracks");
    if (spec.cylinders == 0 || spec.cylinders > kCkdMaxCylinders)
        fail(ErrorKind::Device, at,
             "a Hercules CKD image holds 1 to 65,536 cylinders, not " + std::to_string(spec.cylinders));

    uint32_t per_file = spec.cylinders_per_file == 0 ? spec.cylinders : std::min(spec.cylinders_per_file, spec.cylinders);
    uint32_t files = (spec.cylinders + per_file - 1) / per_file;
    // A file's header names its last cylinder, and 0 there means "the last file": so a
    // first file holding only cylinder 0 cannot be followed by others.
    if (files > 1 && per_file < 2)
        fail(ErrorKind::Usage, at, "a CKD volume split over several files needs at least 2 cylinders per file");
    if (files > kCkdMaxFiles)
        fail(ErrorKind::Refused, at,
             std::to_string(spec.cylinders) + " cylinders at " + std::to_string(per_file) + " per file need " +
                 std::to_string(files) + " files, more than the 27 a CKD volume may have");
    std::vector<std::string> names = ckd_split_file_names(path, files);
    if (path_exists(path))
        fail(ErrorKind::Refused, at, "already exists; not replacing it");
    for (const std::string& name : names) {
        if (path_exists(name))
            fail(ErrorKind::Refused, file_place(name), "already exists; not replacing it");
    }

    std::unique_ptr<CkdImageWriter> w(new CkdImageWriter());
    w->creating_ = true;
    CkdImageReader& img = w->image_;
    img.info_.format = spec.format;
    img.info_.devtype_byte = spec.devtype_byte;
    img.info_.cylinders = spec.cylinders;
    img.info_.heads = spec.heads;
    img.info_.track_size = spec.track_size;
    img.slot_.assign(spec.track_size, 0);
    w->pending_.reserve(files);
    for (uint32_t i = 0; i < files; ++i) {
        uint32_t first_cyl = i * per_file;
        uint32_t cyls = std::min(per_file, spec.cylinders - first_cyl);
        DeviceHeader h;
        h.set_magic(spec.format);
        h.heads = spec.heads;
        h.track_size = spec.track_size;
        h.devtype_byte = spec.devtype_byte;
        h.file_sequence = files == 1 ? 0 : uint8_t(i + 1);
        h.last_cylinder = i + 1 == files ? 0 : uint16_t(first_cyl + cyls - 1);

        w->pending_.emplace_back(names[i]);
        PendingFile& pf = w->pending_.back();
        const uint64_t size = kDeviceHeaderSize + uint64_t(cyls) * spec.heads * spec.track_size;
        // The slots start as holes of zeros; only the bytes of each track are written.
        truncate_file(pf.fd(), size, names[i]);
        auto raw = h.encode();
        pwrite_all(pf.fd(), raw, 0, file_place(names[i]));

        CkdImageReader::Member m;
        m.path = names[i];
        m.fd = pf.fd();
        m.direct_fd = open_direct_writer(pf.temp_path());
        m.header = h;
        m.first_cyl = first_cyl;
        m.cylinders = cyls;
        img.members_.push_back(std::move(m));
        img.info_.files.push_back(names[i]);
        img.info_.bytes += size;
        if (i == 0)
            img.first_header_ = raw;
    }
    w->allocate_buffer();
    return w;
}

std::unique_ptr<CkdImageWriter> CkdImageWriter::update(const std::string& path,
                                                       const std::optional<RestoreRecord>& record)
{
    std::unique_ptr<CkdImageWriter> w(new CkdImageWriter());
    CkdImageReader& img = w->image_;
    img.open_set(path, true, true);
    CkdImageReader::Member& first = img.members_.front();
    w->commit_header_ = header_to_restore(img.first_header_, first.header.magic, first.path);

    // The busy mark, durable before any track is written: the busy name first, so that
    // no Hercules utility ever finds a DDR_BUSY file under the volume's own name.
    const std::string busy = busy_image_name(img.info_.files.front());
    if (first.path != busy) {
        rename_no_replace(first.path, busy);
        sync_parent_folder(busy);
        first.path = busy;
    }
    std::array<uint8_t, kDeviceHeaderSize> marked = w->commit_header_;
    std::memcpy(marked.data(), kCkdBusyMagic, 8);
    if (record) {
        const auto rec = record->encode();
        std::copy(rec.begin(), rec.end(), marked.begin() + kRecordOffset);
    }
    std::memcpy(marked.data() + kStashOffset, w->commit_header_.data(), 8);
    pwrite_all(first.fd, marked, 0, file_place(first.path));
    sync_file(first.fd, file_place(first.path));
    img.first_header_ = marked;

    w->allocate_buffer();
    return w;
}

// Room for 4 MiB of slots, but no more slots than the image has: a volume of a
// cylinder or two (test volumes, every fuzzing input) does not take, and zero, 4 MiB.
void CkdImageWriter::allocate_buffer()
{
    const uint64_t tracks = std::max<uint64_t>(1, image_.info_.tracks());
    buf_capacity_ = size_t(std::clamp<uint64_t>(kWriteBufferBytes / image_.info_.track_size, 1, tracks));
    buf_.assign(buffer_bytes(), 0);
    buf_lengths_.assign(buf_capacity_, 0);
}

void CkdImageWriter::adopt_member(const std::string& final_name, const std::string& temp, size_t seq)
{
    pending_.push_back(PendingFile::adopt(final_name, temp));
    PendingFile& pf = pending_.back();
    const Place at = file_place(temp);
    std::array<uint8_t, kDeviceHeaderSize> raw{};
    pread_exact(pf.fd(), raw, 0, at);
    const DeviceHeader h = DeviceHeader::decode(raw.data());
    CkdVolumeInfo& info = image_.info_;
    if (seq == 0) {
        if (!is_plain_magic(h.magic) || h.heads == 0 || h.heads > kMaxHeads || h.track_size < kEmptyTrackSize ||
            h.track_size > kMaxTrackSize)
            fail(ErrorKind::Unreadable, at, "is not the start of a plain CKD image; not continuing it");
        info.format = h.magic_text();
        info.devtype_byte = h.devtype_byte;
        info.heads = h.heads;
        info.track_size = h.track_size;
        image_.first_header_ = raw;
    } else if (h.magic_text() != info.format || h.heads != info.heads || h.track_size != info.track_size) {
        fail(ErrorKind::Unreadable, at, "is not a file of the same plain CKD image as the first; not continuing it");
    }
    const uint64_t size = file_size(pf.fd(), temp);
    const uint64_t cyl_bytes = uint64_t(info.heads) * info.track_size;
    if (size < kDeviceHeaderSize + cyl_bytes || (size - kDeviceHeaderSize) % cyl_bytes != 0 ||
        info.cylinders + (size - kDeviceHeaderSize) / cyl_bytes > kCkdMaxCylinders)
        fail(ErrorKind::Unreadable, at, "holds " + std::to_string(size) + " bytes, not whole cylinders; not continuing it");
    CkdImageReader::Member m;
    m.path = final_name;
    m.fd = pf.fd();
    m.direct_fd = open_direct_writer(temp);
    m.header = h;
    m.first_cyl = info.cylinders;
    m.cylinders = uint32_t((size - kDeviceHeaderSize) / cyl_bytes);
    info.cylinders += m.cylinders;
    info.files.push_back(final_name);
    info.bytes += size;
    image_.members_.push_back(std::move(m));
}

void CkdImageWriter::cut_back_to_frontier()
{
    const CkdVolumeInfo& info = image_.info_;
    for (size_t i = 0; i < image_.members_.size(); ++i) {
        const CkdImageReader::Member& m = image_.members_[i];
        const uint64_t first = uint64_t(m.first_cyl) * info.heads, end = first + uint64_t(m.cylinders) * info.heads;
        if (frontier_ >= end)
            continue;
        const uint64_t keep = kDeviceHeaderSize + (std::max(frontier_, first) - first) * info.track_size;
        const uint64_t size = kDeviceHeaderSize + (end - first) * info.track_size;
        truncate_file(m.fd, keep, pending_[i].temp_path());
        truncate_file(m.fd, size, pending_[i].temp_path());
    }
}

std::unique_ptr<CkdImageWriter> CkdImageWriter::resume(const std::string& path, const std::vector<std::string>& temporaries,
                                                       uint64_t frontier)
{
    if (temporaries.empty() || temporaries.size() > kCkdMaxFiles)
        fail(ErrorKind::Unreadable, file_place(path), "a new image to continue has 1 to 27 files, not " +
                                                          std::to_string(temporaries.size()));
    const std::vector<std::string> names = ckd_split_file_names(path, unsigned(temporaries.size()));
    for (const std::string& name : names) {
        if (path_exists(name))
            fail(ErrorKind::Refused, file_place(name), "already exists; not replacing it");
    }
    std::unique_ptr<CkdImageWriter> w(new CkdImageWriter());
    w->creating_ = true;
    w->pending_.reserve(temporaries.size());
    try {
        for (size_t i = 0; i < temporaries.size(); ++i)
            w->adopt_member(names[i], temporaries[i], i);
        if (frontier > w->image_.info_.tracks())
            fail(ErrorKind::Unreadable, file_place(temporaries.front()),
                 "holds " + std::to_string(w->image_.info_.tracks()) + " tracks, fewer than the " +
                     std::to_string(frontier) + " its resume record says were written");
    } catch (...) {
        w->keep_unfinished();  // refused: the files stay as they were
        throw;
    }
    w->image_.slot_.assign(w->image_.info_.track_size, 0);
    w->frontier_ = frontier;
    w->cut_back_to_frontier();
    w->allocate_buffer();
    return w;
}

uint64_t CkdImageWriter::sync_written()
{
    drain();
    for (const CkdImageReader::Member& m : image_.members_)
        sync_file(m.fd, file_place(m.path));
    return creating_ ? frontier_ : 0;
}

std::vector<std::string> CkdImageWriter::temporary_files() const
{
    std::vector<std::string> names;
    for (const PendingFile& pf : pending_)
        names.push_back(pf.temp_path());
    return names;
}

void CkdImageWriter::keep_unfinished()
{
    // The writer thread stops first (the write under way finishes, queued buffers are
    // dropped: the resume record counts none of them): once the files are closed below,
    // their descriptor numbers go to the next files opened, which it would write into.
    behind_.reset();
    for (PendingFile& pf : pending_)
        pf.keep();
}

CkdImageWriter::~CkdImageWriter()
{
    // Nothing to do on abandon: PendingFile removes the temporary files of a new image,
    // and an updated image keeps its busy name and magic until a restore finishes it.
}

TrackAddress CkdImageWriter::address_of(uint64_t index) const
{
    return {uint32_t(index / image_.info_.heads), uint32_t(index % image_.info_.heads)};
}

void CkdImageWriter::check_address(TrackAddress addr, const char* what) const
{
    const CkdVolumeInfo& info = image_.info_;
    if (addr.cyl >= info.cylinders || addr.head >= info.heads)
        fail(ErrorKind::Device, file_place(info.files.front()).with_track(addr.cyl, addr.head),
             std::string(what) + " a track outside the volume (" + std::to_string(info.cylinders) + " cylinders of " +
                 std::to_string(info.heads) + " tracks)");
}

void CkdImageWriter::check_track(TrackAddress addr, const TrackImage& track) const
{
    const CkdVolumeInfo& info = image_.info_;
    const Place at = file_place(info.files.front()).with_track(addr.cyl, addr.head);
    if (track.size() > info.track_size)
        fail(ErrorKind::Refused, at,
             "track of " + std::to_string(track.size()) + " bytes does not fit the " + std::to_string(info.track_size) +
                 "-byte track slot of this image");
    std::string why;
    auto len = TrackImage::measure(track.bytes, &why);
    if (!len)
        fail(ErrorKind::Internal, at, "asked to write a malformed track: " + why);
    if (*len != track.size())
        fail(ErrorKind::Internal, at, "asked to write a track with bytes after its end-of-track marker");
    auto want = encode_cchh(addr);
    if (std::memcmp(track.bytes.data() + 1, want.data(), 4) != 0) {
        const TrackAddress says = track.home_address(false);
        fail(ErrorKind::Internal, at,
             "asked to write a track whose home address names cyl " + std::to_string(says.cyl) + " head " +
                 std::to_string(says.head));
    }
}

void CkdImageWriter::read_track(TrackAddress addr, TrackImage& out)
{
    check_address(addr, "asked to read");
    const uint64_t index = track_index(addr);
    if (creating_ && index >= frontier_) {
        out = TrackImage::empty(addr);
        return;
    }
    // Only a track still in the buffer needs it written first; one handed to the writer
    // thread needs that thread to have finished.
    if (buf_count_ > 0 && index >= buf_first_ && index < buf_first_ + buf_count_)
        flush();
    if (behind_)
        behind_->drain();
    image_.read_slot_into(addr, out);
}

void CkdImageWriter::write_track(TrackAddress addr, const TrackImage& track)
{
    if (committed_)
        fail(ErrorKind::Internal, file_place(image_.info_.files.front()), "track written after commit");
    check_address(addr, "asked to write");
    check_track(addr, track);
    const uint64_t index = track_index(addr);
    bool rewrite = !creating_ || index < frontier_;
    if (creating_) {
        while (frontier_ < index)
            buffer_empty_slot(frontier_++);
        if (index == frontier_)
            ++frontier_;
    }
    buffer_slot(index, track.bytes, rewrite);
}

void CkdImageWriter::buffer_empty_slot(uint64_t index)
{
    TrackAddress addr = address_of(index);
    uint8_t empty[kEmptyTrackSize] = {};
    encode_cchh(empty + 1, addr);
    encode_cchh(empty + kHomeAddressSize, addr);
    empty[kHomeAddressSize + 7] = 8;  // R0: key length 0, data length 8
    std::memset(empty + kHomeAddressSize + kCountSize + 8, 0xFF, kEndOfTrackSize);
    buffer_slot(index, ByteSpan(empty, sizeof empty), false);
}

void CkdImageWriter::buffer_slot(uint64_t index, ByteSpan track_bytes, bool rewrite)
{
    const CkdVolumeInfo& info = image_.info_;
    const uint32_t cyl = uint32_t(index / info.heads);
    if (buf_count_ > 0) {
        const uint64_t next = buf_first_ + buf_count_;
        const uint32_t buf_cyl = uint32_t(buf_first_ / info.heads);
        bool same_file = &image_.member_of(cyl) == &image_.member_of(buf_cyl);
        if (index != next || buf_count_ == buf_capacity_ || !same_file)
            flush();
    }
    if (buf_count_ == 0) {
        buf_first_ = index;
        const uint64_t base = image_.slot_offset(image_.member_of(cyl), address_of(index));
        const uintptr_t memory = reinterpret_cast<uintptr_t>(buf_.data());
        buf_shift_ = size_t((base - memory) % kDirectWriteAlign);
    }
    uint8_t* slot = buffered_slot(buf_count_);
    std::memcpy(slot, track_bytes.data(), track_bytes.size());
    std::memset(slot + track_bytes.size(), 0, info.track_size - track_bytes.size());
    buf_lengths_[buf_count_] = uint32_t(track_bytes.size());
    ++buf_count_;
    rewrite_in_buffer_ = rewrite_in_buffer_ || rewrite;
}

// Hands the buffered slots to the writer thread, with the runs of the file to write.
void CkdImageWriter::flush()
{
    if (buf_count_ == 0)
        return;
    const CkdVolumeInfo& info = image_.info_;
    CkdImageReader::Member& m = image_.member_of(uint32_t(buf_first_ / info.heads));
    const uint64_t base = image_.slot_offset(m, address_of(buf_first_));
    const uint64_t total = uint64_t(buf_count_) * info.track_size;
    // Slots of a new image that were never written are holes that read as zeros, so
    // only the pages holding track bytes need writing.  Anything else (an update, or a
    // track of a new image written a second time) is written whole, zeros included, so
    // no stale bytes stay behind a shorter track.  Runs: [file offset, end) pairs.
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    if (!creating_ || rewrite_in_buffer_) {
        runs.emplace_back(base, base + total);
    } else {
        for (size_t i = 0; i < buf_count_; ++i) {
            uint64_t s = base + uint64_t(i) * info.track_size;
            uint64_t e = s + buf_lengths_[i];
            uint64_t ps = std::max(base, s / kPage * kPage);
            uint64_t pe = std::min(base + total, (e + kPage - 1) / kPage * kPage);
            if (!runs.empty() && ps <= runs.back().second + kMergeGap)
                runs.back().second = std::max(runs.back().second, pe);
            else
                runs.emplace_back(ps, pe);
        }
    }
    // Short runs (a sparse volume's tracks) are cheaper through the page cache, written
    // here as they always were; a buffer with a long run (dense tracks) goes to the
    // writer thread, past the page cache.  Earlier buffers are written first either way.
    const bool long_run = std::any_of(runs.begin(), runs.end(), [](const auto& r) { return r.second - r.first >= kDirectRunMin; });
    if (!m.direct_fd || direct_refused_ || !long_run) {
        if (behind_)
            behind_->drain();
        for (const auto& [start, end] : runs)
            pwrite_all(m.fd, ByteSpan(buffered_slot(0) + (start - base), size_t(end - start)), start, file_place(m.path));
        buf_count_ = 0;
        rewrite_in_buffer_ = false;
        return;
    }
    if (!behind_)
        behind_ = std::make_unique<WriteBehind>();
    const size_t first = buf_shift_;
    behind_->submit(std::move(buf_), [this, &m, first, base, runs = std::move(runs)](ByteSpan bytes) {
        for (const auto& [start, end] : runs)
            write_run(m, bytes.data() + first + (start - base), start, end);
    });
    buf_ = behind_->take_buffer(buffer_bytes());
    buf_.resize(buffer_bytes());
    buf_count_ = 0;
    rewrite_in_buffer_ = false;
}

void CkdImageWriter::drain()
{
    flush();
    if (behind_)
        behind_->drain();
}

void CkdImageWriter::write_run(CkdImageReader::Member& m, const uint8_t* data, uint64_t start, uint64_t end)
{
    const uint64_t first_page = std::min(end, (start + kDirectWriteAlign - 1) / kDirectWriteAlign * kDirectWriteAlign);
    const uint64_t last_page = std::max(first_page, end / kDirectWriteAlign * kDirectWriteAlign);
    if (!m.direct_fd || direct_refused_ || last_page - first_page < kDirectRunMin) {
        pwrite_all(m.fd, ByteSpan(data, size_t(end - start)), start, file_place(m.path));
        return;
    }
    const Place at = file_place(m.path);
    pwrite_all(m.fd, ByteSpan(data, size_t(first_page - start)), start, at);
    const ByteSpan pages(data + (first_page - start), size_t(last_page - first_page));
    if (!pwrite_direct(m.direct_fd.get(), pages, first_page, at)) {
        direct_refused_ = true;  // the file system refuses: every later write goes the ordinary way
        pwrite_all(m.fd, pages, first_page, at);
    }
    pwrite_all(m.fd, ByteSpan(data + (last_page - start), size_t(end - last_page)), last_page, at);
}

void CkdImageWriter::commit()
{
    if (committed_)
        return;
    const CkdVolumeInfo& info = image_.info_;
    if (creating_) {
        const uint64_t tracks = info.tracks();
        while (frontier_ < tracks)
            buffer_empty_slot(frontier_++);
        drain();
        for (PendingFile& pf : pending_)
            pf.sync();
        // The later files first and the first file last: until the first file has its
        // name, Hercules (and we) cannot open the set at all.
        try {
            for (size_t i = pending_.size(); i-- > 1;)
                pending_[i].rename_into_place();
            pending_.front().rename_into_place();
        } catch (...) {
            // Take back the files already renamed: without the first file they are
            // not a volume, only clutter under names the user did not get.
            for (size_t i = 1; i < pending_.size(); ++i) {
                if (pending_[i].renamed())
                    ::unlink(pending_[i].final_path().c_str());
            }
            throw;
        }
        sync_parent_folder(info.files.front());
    } else {
        // Every track on disk, then the real header, then the name: a run stopped
        // anywhere in between leaves the busy name, and the next one redoes the restore.
        drain();
        for (const CkdImageReader::Member& m : image_.members_)
            sync_file(m.fd, file_place(m.path));
        CkdImageReader::Member& first = image_.members_.front();
        pwrite_all(first.fd, commit_header_, 0, file_place(first.path));
        sync_file(first.fd, file_place(first.path));
        image_.first_header_ = commit_header_;
        rename_no_replace(first.path, info.files.front());
        sync_parent_folder(info.files.front());
        first.path = info.files.front();
    }
    committed_ = true;
}

} // namespace ddr
