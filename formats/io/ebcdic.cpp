#include "formats/io/ebcdic.hpp"

namespace ddr {

Bytes to_ebcdic(std::string_view text)
{
    Bytes out(text.size());
    for (size_t i = 0; i < text.size(); ++i)
        out[i] = to_ebcdic(text[i]);
    return out;
}

void to_ebcdic_field(std::string_view text, MutableByteSpan out)
{
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = i < text.size() ? to_ebcdic(text[i]) : to_ebcdic(' ');
}

std::string from_ebcdic(ByteSpan bytes)
{
    std::string out(bytes.size(), '\0');
    for (size_t i = 0; i < bytes.size(); ++i)
        out[i] = from_ebcdic(bytes[i]);
    return out;
}

std::string ebcdic_printable(ByteSpan bytes)
{
    std::string out(bytes.size(), '.');
    for (size_t i = 0; i < bytes.size(); ++i) {
        const uint8_t c = kEbcdicToLatin1[bytes[i]];
        if (c >= 0x20 && c <= 0x7E)
            out[i] = char(c);
    }
    return out;
}

bool ebcdic_equals(ByteSpan bytes, std::string_view text)
{
    if (bytes.size() != text.size())
        return false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (bytes[i] != to_ebcdic(text[i]))
            return false;
    }
    return true;
}

} // namespace ddr
