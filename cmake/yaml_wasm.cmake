# yaml-cpp for wasm32 from Debian's source package. yaml-cpp reports errors by throwing,
# so it (and only the code that calls it) is compiled with -fexceptions. -Oz: the module's
# size is its download.
set(_yaml_root "${CREDVAULT_THIRD_PARTY_SRC}/yaml-cpp")
if(NOT EXISTS "${_yaml_root}/include/yaml-cpp/yaml.h")
  message(FATAL_ERROR "yaml-cpp source not found in ${_yaml_root}: run scripts/setup.sh")
endif()
file(GLOB _yaml_sources CONFIGURE_DEPENDS "${_yaml_root}/src/*.cpp")
add_library(yaml-cpp STATIC ${_yaml_sources})
target_include_directories(yaml-cpp SYSTEM PUBLIC "${_yaml_root}/include")
target_include_directories(yaml-cpp PRIVATE "${_yaml_root}/src")
target_compile_definitions(yaml-cpp PUBLIC YAML_CPP_STATIC_DEFINE)
target_compile_options(yaml-cpp PRIVATE -Oz -fexceptions -w)
target_link_options(yaml-cpp INTERFACE -fexceptions)
