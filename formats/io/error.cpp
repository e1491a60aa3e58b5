#include "formats/io/error.hpp"

namespace ddr {

namespace {
std::string compose(const Place& place, const std::string& message)
{
    return place.empty() ? message : place.str() + ": " + message;
}
} // namespace

bool Place::empty() const
{
    return file.empty() && !reel && !block && !offset && !cyl && !head && !fba_block;
}

std::string Place::str() const
{
    std::string out;
    auto add = [&out](const std::string& part) {
        if (!out.empty())
            out += ": ";
        out += part;
    };
    if (!file.empty())
        add(file);
    if (reel)
        add("reel " + std::to_string(*reel));
    if (block) {
        std::string b = "block " + std::to_string(*block);
        if (counted_from_file)
            b += " from the start of tape file " + std::to_string(*counted_from_file);
        if (offset)
            b += " (offset " + std::to_string(*offset) + ")";
        add(b);
    } else if (offset) {
        add("offset " + std::to_string(*offset) +
            (counted_from_file ? " from the start of tape file " + std::to_string(*counted_from_file) : ""));
    }
    if (cyl && head)
        add("cyl " + std::to_string(*cyl) + " head " + std::to_string(*head));
    else if (cyl)
        add("cyl " + std::to_string(*cyl));
    if (fba_block)
        add("FBA block " + std::to_string(*fba_block));
    return out;
}

Error::Error(ErrorKind kind, Place place, const std::string& message)
    : std::runtime_error(compose(place, message)), kind_(kind), place_(std::move(place)), detail_(message)
{
}

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(message), kind_(kind), detail_(message)
{
}

Error Error::within(const Place& outer) const
{
    Place merged = place_;
    if (merged.file.empty())
        merged.file = outer.file;
    if (!merged.reel)
        merged.reel = outer.reel;
    if (!merged.block)
        merged.block = outer.block;
    if (!merged.offset)
        merged.offset = outer.offset;
    if (!merged.cyl)
        merged.cyl = outer.cyl;
    if (!merged.head)
        merged.head = outer.head;
    if (!merged.fba_block)
        merged.fba_block = outer.fba_block;
    if (!merged.counted_from_file && !place_.block && !place_.offset)
        merged.counted_from_file = outer.counted_from_file;
    return Error(kind_, merged, detail_);
}

void fail(ErrorKind kind, const Place& place, const std::string& message)
{
    throw Error(kind, place, message);
}

void fail(ErrorKind kind, const std::string& message)
{
    throw Error(kind, message);
}

} // namespace ddr
