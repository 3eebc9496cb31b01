# nlohmann/json is header-only; expose Debian's copy without adding -I/usr/include, which
# would let the host's libc headers shadow Emscripten's sysroot.
set(_nl_inc "${CMAKE_BINARY_DIR}/nlohmann_inc")
file(MAKE_DIRECTORY "${_nl_inc}")
if(NOT EXISTS "${_nl_inc}/nlohmann")
  file(CREATE_LINK /usr/include/nlohmann "${_nl_inc}/nlohmann" SYMBOLIC)
endif()
add_library(nlohmann_json INTERFACE)
target_include_directories(nlohmann_json SYSTEM INTERFACE "${_nl_inc}")
add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json)
