#include "formats/volume/cckd/builder.hpp"

#include "formats/io/error.hpp"
#include "formats/io/error.hpp"

#include <algorithm>
#include <array>

namespace ddr::cckd {

namespace {

constexpr size_t kWriteBuffer = size_t(1) << 20;

// An L2 entry in memory: the builder always sets size = len, and no offset reaches
// 2^48 (max_file_size is at most kMaxFileSize64).
constexpr unsigned kPosShift = 16;
static_assert(kMaxFileSize64 <= uint64_t(1) << (64 - kPosShift));
uint64_t pack(const L2Entry& e) { return e.pos << kPosShift | e.len; }
L2Entry unpack(uint64_t v)
{
    const uint16_t len = uint16_t(v & 0xFFFF);
    return L2Entry{v >> kPosShift, len, len};
}

} // namespace

Builder::Builder(FileHandle& file, BuildLayout layout) : file_(file), layout_(std::move(layout))
{
    groups_count_ = l1_entries_for(layout_.units);
    l1_count_ = std::max(groups_count_, layout_.l1_entries);
    groups_.resize(size_t(groups_count_));
    non_default_.assign(size_t(groups_count_), 0);
    emitted_.assign(size_t(layout_.units), false);
    layout_.cdevhdr.numl1tab = uint32_t(l1_count_);
    layout_.cdevhdr.numl2tab = kL2Entries;
    end_ = kL1Pos + l1_count_ * l1_entry_size(layout_.kind.wide);
    buf_start_ = end_;
}

bool Builder::is_default(const L2Entry& e) const
{
    if (e.pos != 0)
        return false;
    // Any null FBA entry reads as zeros; a null CKD entry must name the header's format.
    return layout_.kind.flavor == Flavor::Fba || e.len == default_null();
}

L2Entry Builder::entry(uint64_t unit) const
{
    const auto& group = groups_[size_t(unit / kL2Entries)];
    if (!group)
        return L2Entry{0, default_null(), default_null()};
    return unpack(group[unit % kL2Entries]);
}

void Builder::set(uint64_t unit, const L2Entry& e)
{
    if (finished_)
        fail(ErrorKind::Internal, file_place(layout_.target), "image already finished");
    if (e.size != e.len || e.pos >= uint64_t(1) << (64 - kPosShift))
        fail(ErrorKind::Internal, file_place(layout_.target), "L2 entry cannot be held in memory");
    const size_t g = size_t(unit / kL2Entries);
    auto& group = groups_[g];
    const bool now = !is_default(e);
    if (!group) {
        // Every entry of a group without a table reads as the default: setting the
        // default again changes nothing and needs no table.
        emitted_[size_t(unit)] = true;
        if (!now)
            return;
        group = std::make_unique<uint64_t[]>(kL2Entries);
        const uint64_t fmt = pack(L2Entry{0, default_null(), default_null()});
        std::fill(group.get(), group.get() + kL2Entries, fmt);
        ++groups_in_memory_;
    }
    uint64_t& s = group[unit % kL2Entries];
    const L2Entry old = unpack(s);
    if (emitted_[size_t(unit)] && old.pos != 0)
        garbage_ += old.len;
    const bool was = !is_default(old);
    if (was != now) {
        if (now) {
            if (non_default_[g]++ == 0)
                ++tables_needed_;
        } else {
            if (--non_default_[g] == 0)
                --tables_needed_;
        }
    }
    s = pack(e);
    emitted_[size_t(unit)] = true;
}

void Builder::check_room(uint64_t bytes_to_add) const
{
    // The L2 tables still to come count too, so the limit is hit before the last
    // image rather than at finish().
    const uint64_t tables = tables_needed_ * l2_table_size(layout_.kind.wide);
    if (end_ + bytes_to_add + tables > layout_.max_file_size)
        fail(ErrorKind::WriteFailed, file_place(layout_.target), layout_.too_big);
}

void Builder::put(ByteSpan bytes)
{
    if (buf_.size() + bytes.size() > kWriteBuffer)
        flush();
    if (bytes.size() >= kWriteBuffer) {
        file_.write_exact(end_, bytes);
        end_ += bytes.size();
        buf_start_ = end_;
        return;
    }
    // The buffer grows to kWriteBuffer as images come, never past it: an image of a
    // few tracks does not take a megabyte.
    const size_t needed = buf_.size() + bytes.size();
    if (buf_.capacity() < needed)
        buf_.reserve(std::min(kWriteBuffer, std::max(needed, 2 * buf_.capacity())));
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    end_ += bytes.size();
}

void Builder::append(uint64_t unit, ByteSpan stored)
{
    if (stored.size() <= kImageHeaderSize || stored.size() > kMaxStoredImage)
        fail(ErrorKind::Internal, file_place(layout_.target),
             "stored image of " + std::to_string(stored.size()) + " bytes cannot be recorded in an L2 entry");
    // The unit's table may be new: count it before checking the room.
    const L2Entry old = entry(unit);
    const bool adds_table = is_default(old) && non_default_[size_t(unit / kL2Entries)] == 0;
    check_room(stored.size() + (adds_table ? l2_table_size(layout_.kind.wide) : 0));
    const uint64_t pos = end_;
    put(stored);
    set(unit, L2Entry{pos, uint16_t(stored.size()), uint16_t(stored.size())});
}

void Builder::set_null(uint64_t unit, uint8_t fmt)
{
    set(unit, L2Entry{0, fmt, fmt});
}

void Builder::flush()
{
    if (buf_.empty())
        return;
    file_.write_exact(buf_start_, buf_);
    buf_start_ += buf_.size();
    buf_.clear();
}

void Builder::finish()
{
    const bool wide = layout_.kind.wide;
    const ByteOrder order = ByteOrder::Little;
    check_room(0);
    flush();
    std::vector<uint64_t> l1(size_t(l1_count_), 0);
    Bytes table(l2_table_size(wide));
    for (uint64_t g = 0; g < groups_count_; ++g) {
        if (non_default_[size_t(g)] == 0)
            continue;  // every entry reads as the header's null format: no table needed
        const uint64_t* entries = groups_[size_t(g)].get();
        for (unsigned i = 0; i < kL2Entries; ++i)
            store_l2(table.data() + i * l2_entry_size(wide), unpack(entries[i]), wide, order);
        l1[size_t(g)] = end_;
        put(table);
    }
    flush();

    Bytes l1raw(size_t(l1_count_) * l1_entry_size(wide));
    for (uint64_t g = 0; g < l1_count_; ++g)
        store_l1(l1raw.data() + g * l1_entry_size(wide), l1[size_t(g)], wide, order);
    file_.write_exact(kL1Pos, l1raw);

    CompressedHeader& h = layout_.cdevhdr;
    h.size = end_;
    h.used = end_;
    h.free = h.free_total = h.free_largest = h.free_number = h.free_imbed = 0;
    std::array<uint8_t, kDeviceHeaderSize + kCompressedHeaderSize> headers{};
    layout_.devhdr.set_magic(layout_.kind.magic);
    const auto device_header = layout_.devhdr.encode();
    std::copy(device_header.begin(), device_header.end(), headers.begin());
    h.store(headers.data() + kCompressedHeaderPos, wide, order);
    file_.write_exact(0, headers);
    finished_ = true;
}

void copy_live(Builder& from, const FileHandle& from_file, Builder& to)
{
    from.flush();
    Bytes image;
    const uint64_t units = from.layout().units;
    for (uint64_t u = 0; u < units; ++u) {
        if (!from.emitted(u))
            continue;
        const L2Entry e = from.entry(u);
        if (e.pos == 0) {
            to.set_null(u, uint8_t(e.len));
            continue;
        }
        image.resize(e.len);
        from_file.read_exact(e.pos, image);
        to.append(u, image);
    }
}

} // namespace ddr::cckd
