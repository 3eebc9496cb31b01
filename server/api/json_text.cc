#include "api/json_text.h"

#include <charconv>

namespace credvault::server::api {
namespace {

using nlohmann::json;

void AppendDump(std::string& out, const json& value) {
  out += value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// True when nlohmann writes `text` unchanged between quotes.
bool IsPlain(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

template <typename Int>
void AppendInt(std::string& out, Int value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, ec == std::errc() ? end : buffer);
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  if (!IsPlain(text)) return AppendDump(out, json(text));
  out += '"';
  out += text;
  out += '"';
}

void AppendJsonText(std::string& out, const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.get_ref<const json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, key);
        out += ':';
        AppendJsonText(out, item);
      }
      out += '}';
      return;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const json& item : value.get_ref<const json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        AppendJsonText(out, item);
      }
      out += ']';
      return;
    }
    case json::value_t::string:
      return AppendJsonString(out, value.get_ref<const json::string_t&>());
    case json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case json::value_t::null:
      out += "null";
      return;
    case json::value_t::number_integer:
      return AppendInt(out, value.get<json::number_integer_t>());
    case json::value_t::number_unsigned:
      return AppendInt(out, value.get<json::number_unsigned_t>());
    default:  // floating point, binary, discarded: nlohmann's own text
      return AppendDump(out, value);
  }
}

std::string JsonText(const json& value) {
  std::string out;
  out.reserve(512);
  AppendJsonText(out, value);
  return out;
}

}  // namespace credvault::server::api
