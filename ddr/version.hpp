#pragma once

namespace ddr {
inline constexpr const char* kDdrVersion = "0.1.0";
}
