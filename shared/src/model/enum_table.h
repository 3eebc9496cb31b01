// Name tables for the model's enums: each enum's stable names are written once, in the .cc
// that owns the enum, as an array of these; the lookups below read them.
#ifndef CREDVAULT_MODEL_ENUM_TABLE_H_
#define CREDVAULT_MODEL_ENUM_TABLE_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace credvault::internal {

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

template <typename E, size_t N>
constexpr std::string_view NameOf(const EnumName<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";
}

template <typename E, size_t N>
constexpr std::optional<E> ValueOf(const EnumName<E> (&table)[N], std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

}  // namespace credvault::internal

#endif  // CREDVAULT_MODEL_ENUM_TABLE_H_
