// The server's version as /metrics and /api/openapi.json report it. Kept equal to the
// `project(credvault VERSION ...)` of the top-level CMakeLists.txt (a test checks it).
#ifndef CREDVAULT_SERVER_OPS_BUILD_INFO_H_
#define CREDVAULT_SERVER_OPS_BUILD_INFO_H_

#include <string_view>

namespace credvault::server::ops {

inline constexpr std::string_view kServerVersion = "0.1.0";

}  // namespace credvault::server::ops

#endif  // CREDVAULT_SERVER_OPS_BUILD_INFO_H_
