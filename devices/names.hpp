// Device and media names are matched without regard to case ("3390-a" is "3390-A").
#pragma once

#include <span>
#include <string_view>

namespace ddr {

constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; }

constexpr bool same_name(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (ascii_upper(a[i]) != ascii_upper(b[i]))
            return false;
    return true;
}

// True if `name` is `device`'s name or one of its aliases (an empty alias is an unused
// slot of the table, never a match).
template <typename Device>
constexpr bool answers_to(const Device& device, std::string_view name)
{
    if (same_name(device.name, name))
        return true;
    for (std::string_view alias : device.aliases)
        if (!alias.empty() && same_name(alias, name))
            return true;
    return false;
}

// The entry of `table` that answers to `name`; nullptr for none or an empty name.
template <typename Device>
constexpr const Device* find_by_name(std::span<const Device> table, std::string_view name)
{
    if (name.empty())
        return nullptr;
    for (const Device& d : table)
        if (answers_to(d, name))
            return &d;
    return nullptr;
}

} // namespace ddr
