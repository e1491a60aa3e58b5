#include "formats/ddrtape/stream.hpp"

#include "formats/io/wording.hpp"

namespace ddr {

DdrStreamReader::DdrStreamReader(TapeReader& tape) : tape_(tape) {}

TapeRecord DdrStreamReader::read_record()
{
    TapeRecord r = tape_.read_view(view_, stable_);
    place_ = Place{};
    place_.file = tape_.name();
    place_.block = r == TapeRecord::Block ? std::optional<uint64_t>(tape_.block_number()) : std::nullopt;
    place_.offset = tape_.offset();
    place_.counted_from_file = tape_.counted_from_file();
    file_ = tape_.file_number();
    return r;
}

void DdrStreamReader::malformed(const std::string& message) const
{
    fail(ErrorKind::Unreadable, place_, message);
}

void DdrStreamReader::skip_files(uint64_t count)
{
    if (count == 0)
        return;
    auto too_few = [this, count](uint64_t passed) {
        malformed("the tape holds only " + counted(passed, "tape file") + "; cannot skip " + std::to_string(count));
    };
    // A drive spaces over whole dumps at its search speed instead of reading them.
    if (const std::optional<uint64_t> passed = tape_.space_files(count)) {
        place_ = file_place(tape_.name());
        file_ = tape_.file_number();
        if (*passed < count)
            too_few(*passed);
        state_ = State::BetweenFiles;
        return;
    }
    uint64_t seen = 0;
    while (seen < count) {
        TapeRecord r = read_record();
        if (r == TapeRecord::EndOfData)
            too_few(seen);
        if (r == TapeRecord::TapeMark)
            ++seen;
    }
    state_ = State::BetweenFiles;
}

DdrEvent DdrStreamReader::next_uninterpreted()
{
    TapeRecord r = read_record();
    if (r == TapeRecord::Block)
        return DdrEvent::Extension;
    state_ = State::BetweenFiles;
    return r == TapeRecord::TapeMark ? DdrEvent::FileEnd : DdrEvent::EndOfData;
}

template <typename Decoder>
void DdrStreamReader::read_group(Decoder& decoder, const Place& group_place, const char* what)
{
    while (!decoder.complete()) {
        TapeRecord r = read_record();
        if (r != TapeRecord::Block)
            fail(ErrorKind::Unreadable, group_place,
                 std::string(r == TapeRecord::TapeMark ? "tape mark" : "end of tape") + " after block " +
                     std::to_string(decoder.blocks_received()) + " of a " + std::to_string(decoder.block_count()) +
                     "-block " + what + " (truncated tape?)");
        try {
            decoder.add(view_, stable_);
        } catch (const Error& e) {
            Place p = place_;
            p.cyl = group_place.cyl;
            p.head = group_place.head;
            p.fba_block = group_place.fba_block;
            throw e.within(p);
        }
    }
}

DdrEvent DdrStreamReader::next()
{
    TapeRecord r = read_record();

    if (state_ == State::BetweenFiles) {
        if (r == TapeRecord::EndOfData)
            return DdrEvent::EndOfData;
        if (r == TapeRecord::TapeMark)
            return DdrEvent::FileEnd;
        auto kind = DdrVolumeHeader::kind_of(view_);
        if (kind == DdrHeaderKind::Vhr) {
            header_ = DdrVolumeHeader::decode(view_);
            fba_ = fba_fields(header_).has_value();
            state_ = State::AfterVhr;
            return DdrEvent::Header;
        }
        if (kind)
            malformed(std::string("dump starts with an ") + header_name(*kind) + " record, not a VHR");
        malformed("not a DDR dump: " + std::string(article_before(view_.size())) + " " + std::to_string(view_.size()) +
                  "-byte block stands where the 80-byte VHR should be");
    }

    if (state_ == State::AfterEnd) {
        if (r == TapeRecord::TapeMark) {
            state_ = State::BetweenFiles;
            return DdrEvent::FileEnd;
        }
        if (r == TapeRecord::EndOfData) {
            state_ = State::BetweenFiles;
            return DdrEvent::EndOfData;
        }
        return DdrEvent::Extension;
    }

    // AfterVhr or InDump: a THR group, EOV or EOJ is expected (or the checkpoint record).
    if (r == TapeRecord::EndOfData)
        malformed("tape ends inside a dump: no EOJ or EOV after the last track (truncated tape?)");
    if (r == TapeRecord::TapeMark)
        malformed("tape mark inside a dump, before its EOJ or EOV");

    if (state_ == State::AfterVhr) {
        state_ = State::InDump;
        if (is_nucleus_record(view_))
            return DdrEvent::Nucleus;
    }

    if (auto kind = DdrVolumeHeader::kind_of(view_)) {
        if (*kind == DdrHeaderKind::Vhr)
            malformed("a VHR stands inside a dump, before its EOJ or EOV");
        uint64_t dump_tod = header_.tod;
        header_ = DdrVolumeHeader::decode(view_);
        if (header_.tod != dump_tod)
            malformed(std::string(header_name(*kind)) + " carries another dump's TOD clock than its VHR");
        state_ = State::AfterEnd;
        return *kind == DdrHeaderKind::Eoj ? DdrEvent::EndOfJob : DdrEvent::EndOfVolume;
    }

    if (fba_) {
        Place group_place = place_;
        if (view_.size() >= 16)
            group_place.fba_block = load_be32(view_.data() + 12);
        if (!is_fba_group_block(view_))
            fail(ErrorKind::Unreadable, group_place,
                 "expected an FBG, EOV or EOJ block in an FBA dump; found " + std::string(article_before(view_.size())) + " " +
                     std::to_string(view_.size()) + "-byte block");
        try {
            fba_decoder_.begin(view_, stable_);
        } catch (const Error& e) {
            throw e.within(group_place);
        }
        read_group(fba_decoder_, group_place, "group");
        place_ = group_place;
        return DdrEvent::FbaGroup;
    }

    // A damaged THR still names its track when its home address bytes are there.
    Place thr_place = place_;
    if (view_.size() >= 16) {
        const TrackAddress raw = decode_cchh(view_.data() + 12, header_.eav_form());
        thr_place = thr_place.with_track(raw.cyl, raw.head);
    }
    if (!is_thr_block(view_))
        fail(ErrorKind::Unreadable, thr_place,
             "expected a THR, EOV or EOJ block; found " + std::string(article_before(view_.size())) + " " +
                 std::to_string(view_.size()) + "-byte block" +
                 (view_.size() >= 16 ? " (if it is a damaged THR, its home address names this track)" : ""));

    try {
        decoder_.begin(view_, stable_);
    } catch (const Error& e) {
        throw e.within(thr_place);
    }
    const TrackAddress addr = decoder_.output_address(header_.eav_form());
    const Place track_place = thr_place.with_track(addr.cyl, addr.head);
    read_group(decoder_, track_place, "track");
    try {
        decoder_.validate();
    } catch (const Error& e) {
        throw e.within(track_place);
    }
    place_ = track_place;
    return DdrEvent::Track;
}

} // namespace ddr
