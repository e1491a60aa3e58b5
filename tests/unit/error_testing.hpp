// Checking the ddr::Error an expression throws: its kind and its text.
#pragma once

#include "formats/io/error.hpp"

#include <doctest/doctest.h>
#include <optional>
#include <string>

namespace ddr::test {

// The ddr::Error `f` throws, or nullopt.
template <class F>
std::optional<Error> caught(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    return std::nullopt;
}

// Checks that `expr` throws a ddr::Error of `kind` whose full text contains `text`.
#define CHECK_ERROR(expr, kind_, text)                                                                     \
    do {                                                                                                   \
        auto err_ = ::ddr::test::caught([&] { (void)(expr); });                                            \
        REQUIRE_MESSAGE(err_.has_value(), "no ddr::Error from " #expr);                                    \
        CHECK_MESSAGE(err_->kind() == (kind_), std::string(err_->what()));                                 \
        CHECK_MESSAGE(std::string(err_->what()).find(text) != std::string::npos, std::string(err_->what())); \
    } while (0)

} // namespace ddr::test
