#include "formats/ddrtape/units.hpp"

#include "formats/volume/track_read_ahead.hpp"

#include "formats/ddrtape/trailer.hpp"
#include "formats/io/interrupt.hpp"
#include "formats/io/wording.hpp"

#include <algorithm>

namespace ddr {

// ---- UnitGeometry ----

uint64_t UnitGeometry::key_of(uint32_t address) const
{
    return fba() ? address : address_of(address, eav_form).cyl;
}

uint32_t UnitGeometry::with_key(uint32_t address, uint64_t key) const
{
    return fba() ? uint32_t(key) : cchh_value({uint32_t(key), address_of(address, eav_form).head});
}

uint64_t UnitGeometry::order_of(uint32_t address) const
{
    if (fba())
        return address;
    const TrackAddress a = address_of(address, eav_form);
    return (uint64_t(a.cyl) << 16) | a.head;
}

std::string UnitGeometry::describe(uint32_t address) const
{
    if (fba())
        return "block " + std::to_string(address);
    const TrackAddress a = address_of(address, eav_form);
    return "cyl " + std::to_string(a.cyl) + " head " + std::to_string(a.head);
}

std::string UnitGeometry::describe_unit(Unit u) const
{
    if (fba())
        return "blocks " + std::to_string(u.address) + "-" + std::to_string(uint64_t(u.address) + u.count - 1);
    return describe(u.address);
}

Place UnitGeometry::place(const std::string& file, uint32_t address) const
{
    if (fba())
        return file_place(file).with_fba_block(address);
    const TrackAddress a = address_of(address, eav_form);
    return file_place(file).with_track(a.cyl, a.head);
}

void UnitGeometry::for_each_unit(const std::vector<Extent>& extents, const std::function<void(Unit)>& fn) const
{
    UnitCursor cursor(extents, *this);
    while (const auto u = cursor.next())
        fn(*u);
}

uint64_t UnitGeometry::count_units(const std::vector<Extent>& extents) const
{
    uint64_t n = 0;
    for (const Extent& e : extents) {
        if (!fba())
            n += (e.last - e.first + 1) * heads;
        else
            n += e.last / kFbaGroupBlocks - e.first / kFbaGroupBlocks + 1;
    }
    return n;
}

// ---- UnitCursor ----

UnitCursor::UnitCursor(std::vector<Extent> extents, UnitGeometry geometry)
    : extents_(std::move(extents)), geometry_(geometry), key_(extents_.empty() ? 0 : extents_.front().first)
{
}

std::optional<Unit> UnitCursor::next()
{
    while (extent_ < extents_.size()) {
        const Extent& e = extents_[extent_];
        if (key_ > e.last || (!geometry_.fba() && geometry_.heads == 0)) {
            if (++extent_ < extents_.size())
                key_ = extents_[extent_].first;
            continue;
        }
        if (!geometry_.fba()) {
            const Unit track{cchh_value({uint32_t(key_), head_}), 1};
            if (++head_ == geometry_.heads) {
                head_ = 0;
                ++key_;
            }
            return track;
        }
        const uint64_t end = std::min<uint64_t>(e.last, (key_ / kFbaGroupBlocks + 1) * kFbaGroupBlocks - 1);
        const Unit group{uint32_t(key_), uint32_t(end - key_ + 1)};
        key_ = end + 1;
        return group;
    }
    return std::nullopt;
}

// ---- ExtentMap ----

std::optional<size_t> ExtentMap::extent_of(uint32_t address) const
{
    const uint64_t key = geometry_.key_of(address);
    for (size_t i = 0; i < extents_.size(); ++i)
        if (extents_[i].contains(key))
            return i;
    return std::nullopt;
}

uint32_t ExtentMap::output_of(uint32_t source) const
{
    const auto i = extent_of(source);
    return i ? geometry_.with_key(source, extents_[*i].output_of(geometry_.key_of(source))) : source;
}

uint32_t ExtentMap::source_of(uint32_t output) const
{
    const uint64_t key = geometry_.key_of(output);
    for (const Extent& e : extents_)
        if (key >= e.output_first && key <= e.output_last())
            return geometry_.with_key(output, e.first + (key - e.output_first));
    return output;
}

// ---- RestoreSelection ----

RestoreSelection::RestoreSelection(std::vector<Extent> extents, UnitGeometry geometry)
    : map_(std::move(extents), geometry)
{
    for (const Extent& e : map_.extents())
        seen_.emplace_back((e.last - e.first + 1) * (geometry.fba() ? 1 : geometry.heads), false);
}

std::vector<RestoreSelection::Piece> RestoreSelection::select(uint32_t first, uint32_t count)
{
    const UnitGeometry& g = map_.geometry();
    if (map_.empty())
        return {{first, first, 0, count}};
    std::vector<Piece> pieces;
    if (!g.fba()) {
        const auto i = map_.extent_of(first);
        if (!i)
            return pieces;
        const TrackAddress a = address_of(first, g.eav_form);
        if (a.head < g.heads)
            seen_[*i][(a.cyl - map_.extents()[*i].first) * g.heads + a.head] = true;
        pieces.push_back({first, map_.output_of(first), 0, 1});
        return pieces;
    }
    // A group may straddle extents: each run of its blocks goes where its extent says.
    for (uint32_t skip = 0; skip < count;) {
        const uint32_t block = first + skip;
        const auto i = map_.extent_of(block);
        if (!i) {
            ++skip;
            continue;
        }
        const Extent& e = map_.extents()[*i];
        const uint32_t run = uint32_t(std::min<uint64_t>(count - skip, e.last - block + 1));
        std::fill_n(seen_[*i].begin() + std::ptrdiff_t(block - e.first), run, true);
        pieces.push_back({block, uint32_t(e.output_of(block)), skip, run});
        skip += run;
    }
    return pieces;
}

void RestoreSelection::check_complete(const std::string& tape_name) const
{
    const UnitGeometry& g = map_.geometry();
    for (size_t i = 0; i < seen_.size(); ++i) {
        const Extent& e = map_.extents()[i];
        for (size_t k = 0; k < seen_[i].size(); ++k) {
            if (seen_[i][k])
                continue;
            const uint32_t address =
                g.fba() ? uint32_t(e.first + k) : cchh_value({uint32_t(e.first + k / g.heads), uint32_t(k % g.heads)});
            fail(ErrorKind::Usage, g.place(tape_name, address),
                 std::string(g.fba() ? "block" : "track") + " requested by extent '" + e.str() + "' is not on the tape");
        }
    }
}

void RestoreSelection::check_on_tape(const std::vector<std::pair<uint32_t, uint32_t>>& dumped,
                                     const std::string& tape_name) const
{
    const UnitGeometry& g = map_.geometry();
    const char* unit = g.fba() ? "block" : "cylinder";
    for (const Extent& e : map_.extents()) {
        uint64_t key = e.first;
        for (auto [a, b] : dumped)
            if (key >= a && key <= b)
                key = std::min<uint64_t>(uint64_t(b) + 1, e.last + 1);
        if (key <= e.last) {
            const Place where = g.fba() ? file_place(tape_name).with_fba_block(key) : file_place(tape_name).with_cyl(uint32_t(key));
            fail(ErrorKind::Usage, where,
                 std::string(unit) + " " + std::to_string(key) + " of extent '" + e.str() +
                     "' is not on the tape (it holds " + ranges_text(dumped) + ")");
        }
    }
}

std::optional<uint64_t> RestoreSelection::highest_target() const
{
    if (map_.empty())
        return std::nullopt;
    return map_.extents().back().output_last();
}

// ---- VolumeUnits ----

uint64_t VolumeUnits::content_hash(Unit u)
{
    const EncodedGroup& g = encode(u, u.address);
    return digest_group(g.blocks, g.image_length).content;
}

namespace {

class CkdUnits : public VolumeUnits {
public:
    CkdUnits(CkdVolumeReader& volume, std::string name) : volume_(volume), name_(std::move(name))
    {
        geometry_.kind = UnitKind::Track;
        geometry_.heads = volume.info().heads;
        geometry_.eav_form = volume.info().eav_form();
    }
    const UnitGeometry& geometry() const override { return geometry_; }
    bool contains(Unit u) const override
    {
        const TrackAddress a = address_of(u.address, geometry_.eav_form);
        return a.cyl < volume_.info().cylinders && a.head < volume_.info().heads;
    }
    ByteSpan read(Unit u) override
    {
        read_track(u);
        return track_.bytes;
    }
    void read_ahead(const std::vector<Extent>& extents) override
    {
        ahead_.reset();
        if (!extents.empty())
            ahead_ = std::make_unique<TrackReadAhead>(volume_, addresses_of(extents));
    }
    const EncodedGroup& encode(Unit u, uint32_t output) override
    {
        read_track(u);
        const TrackAddress out = address_of(output, geometry_.eav_form);
        try {
            encoder_.encode(track_, out);
        } catch (const Error& err) {
            throw err.within(geometry_.place(name_, u.address));
        }
        group_.blocks = encoder_.blocks();
        group_.image_length = encoder_.image().size();
        group_.cc = cc_of(output);
        group_.hh = hh_of(output);
        group_.data_bytes = encoder_.image().size();
        return group_;
    }

private:
    void read_track(Unit u)
    {
        check_interrupted();
        const TrackAddress a = address_of(u.address, geometry_.eav_form);
        try {
            if (!ahead_ || !ahead_->take(a, track_)) {
                ahead_.reset();
                volume_.read_track(a, track_);
            }
        } catch (const Error& err) {
            throw err.within(geometry_.place(name_, u.address));
        }
    }

    // The tracks of `extents` in the order for_each_unit gives them, one per call.
    TrackReadAhead::AddressSource addresses_of(std::vector<Extent> extents) const
    {
        return [units = UnitCursor(std::move(extents), geometry_),
                eav = geometry_.eav_form]() mutable -> std::optional<TrackAddress> {
            const auto u = units.next();
            if (!u)
                return std::nullopt;
            return address_of(u->address, eav);
        };
    }

    CkdVolumeReader& volume_;
    std::string name_;
    UnitGeometry geometry_;
    TrackImage track_;
    DdrTrackEncoder encoder_;
    EncodedGroup group_;
    std::unique_ptr<TrackReadAhead> ahead_;  // declared last: stopped before the rest goes
};

class FbaUnits : public VolumeUnits {
public:
    FbaUnits(FbaVolumeReader& volume, std::string name)
        : volume_(volume), name_(std::move(name)), data_(size_t(kFbaGroupBlocks) * kFbaBlockSize)
    {
        geometry_.kind = UnitKind::BlockGroup;
    }
    const UnitGeometry& geometry() const override { return geometry_; }
    bool contains(Unit u) const override { return uint64_t(u.address) + u.count <= volume_.info().blocks; }
    ByteSpan read(Unit u) override { return read_blocks(u); }
    const EncodedGroup& encode(Unit u, uint32_t output) override
    {
        encoder_.encode(read_blocks(u), output);
        group_.blocks = encoder_.blocks();
        group_.image_length = encoder_.image().size();
        group_.cc = cc_of(output);
        group_.hh = hh_of(output);
        group_.data_bytes = uint64_t(u.count) * kFbaBlockSize;
        return group_;
    }

private:
    MutableByteSpan read_blocks(Unit u)
    {
        check_interrupted();
        if (u.count == 0 || u.count > kFbaGroupBlocks)
            fail(ErrorKind::Internal, "an FBA group of " + std::to_string(u.count) + " blocks");
        MutableByteSpan span(data_.data(), size_t(u.count) * kFbaBlockSize);
        try {
            volume_.read_blocks(u.address, span);
        } catch (const Error& err) {
            throw err.within(geometry_.place(name_, u.address));
        }
        return span;
    }

    FbaVolumeReader& volume_;
    std::string name_;
    UnitGeometry geometry_;
    Bytes data_;
    FbaGroupEncoder encoder_;
    EncodedGroup group_;
};

class CkdSink : public UnitSink {
public:
    explicit CkdSink(CkdVolumeWriter& volume) : volume_(volume) {}
    void write(uint32_t target, uint32_t, Bytes& bytes, const Place& where) override
    {
        // The bytes are lent to a TrackImage for the write, not copied.
        std::swap(track_.bytes, bytes);
        try {
            volume_.write_track(address_of(target, volume_.info().eav_form()), track_);
        } catch (...) {
            std::swap(track_.bytes, bytes);
            throw;
        }
        std::swap(track_.bytes, bytes);
        (void)where;
    }

private:
    CkdVolumeWriter& volume_;
    TrackImage track_;
};

class FbaSink : public UnitSink {
public:
    FbaSink(FbaVolumeWriter& volume, std::string name) : volume_(volume), name_(std::move(name)) {}
    void write(uint32_t target, uint32_t count, Bytes& bytes, const Place& where) override
    {
        const uint64_t blocks = volume_.info().blocks;
        if (uint64_t(target) + count > blocks)
            fail(ErrorKind::Refused, where,
                 "the dump writes block " + std::to_string(uint64_t(target) + count - 1) + " but " + name_ + " has " +
                     std::to_string(blocks) + " blocks");
        volume_.write_blocks(target, ByteSpan(bytes.data(), size_t(count) * kFbaBlockSize));
    }

private:
    FbaVolumeWriter& volume_;
    std::string name_;
};

// What a checking sink says of a unit that is not the dump's.
[[noreturn]] void fail_not_as_written(const Place& where)
{
    fail(ErrorKind::Refused, where,
         "the target holds other bytes here than the dump, though its resume record says this was written: the "
         "target changed since the restore stopped");
}

class CkdCheckingSink : public UnitSink {
public:
    explicit CkdCheckingSink(CkdVolumeReader& volume) : volume_(volume) {}
    void write(uint32_t target, uint32_t, Bytes& bytes, const Place& where) override
    {
        try {
            volume_.read_track(address_of(target, volume_.info().eav_form()), track_);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::Unreadable)
                throw;
            fail_not_as_written(where);  // a malformed slot is not the dump's track either
        }
        if (track_.bytes != bytes)
            fail_not_as_written(where);
    }

private:
    CkdVolumeReader& volume_;
    TrackImage track_;
};

class FbaCheckingSink : public UnitSink {
public:
    explicit FbaCheckingSink(FbaVolumeReader& volume) : volume_(volume) {}
    void write(uint32_t target, uint32_t count, Bytes& bytes, const Place& where) override
    {
        if (uint64_t(target) + count > volume_.info().blocks)
            fail_not_as_written(where);
        held_.resize(size_t(count) * kFbaBlockSize);
        volume_.read_blocks(target, held_);
        if (!std::equal(held_.begin(), held_.end(), bytes.begin()))
            fail_not_as_written(where);
    }

private:
    FbaVolumeReader& volume_;
    Bytes held_;
};

} // namespace

std::unique_ptr<UnitSink> checking_sink_of(CkdVolumeReader& volume)
{
    return std::make_unique<CkdCheckingSink>(volume);
}

std::unique_ptr<UnitSink> checking_sink_of(FbaVolumeReader& volume)
{
    return std::make_unique<FbaCheckingSink>(volume);
}

std::unique_ptr<VolumeUnits> units_of(CkdVolumeReader& volume, const std::string& name)
{
    return std::make_unique<CkdUnits>(volume, name);
}

std::unique_ptr<VolumeUnits> units_of(FbaVolumeReader& volume, const std::string& name)
{
    return std::make_unique<FbaUnits>(volume, name);
}

OpenedVolume open_volume_units(const std::string& path, UnitKind kind, const VolumeOpenOptions& options)
{
    OpenedVolume v;
    if (kind == UnitKind::Track) {
        v.ckd = open_ckd_volume(path, options);
        v.units = units_of(*v.ckd, path);
    } else {
        v.fba = open_fba_volume(path, options);
        v.units = units_of(*v.fba, path);
    }
    return v;
}

std::unique_ptr<UnitSink> sink_of(CkdVolumeWriter& volume, const std::string&)
{
    return std::make_unique<CkdSink>(volume);
}

std::unique_ptr<UnitSink> sink_of(FbaVolumeWriter& volume, const std::string& name)
{
    return std::make_unique<FbaSink>(volume, name);
}

} // namespace ddr
