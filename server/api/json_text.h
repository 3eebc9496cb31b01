// AppendJsonText: the compact text of a nlohmann::json value, byte for byte what
// value.dump(-1, ' ', false, error_handler_t::replace) writes, but faster on the common case.
//
// Every JSON response and log line goes through here. nlohmann's serializer decodes each
// string byte by byte as UTF-8; here a string of plain printable ASCII (ids, base64url
// envelopes, enum names) is copied as is, and anything else — control characters, UTF-8,
// invalid bytes, floating-point numbers, binary values — is handed to nlohmann itself, so
// the two never differ. Pure; thread-safe; never throws on any input.
#ifndef CREDVAULT_SERVER_API_JSON_TEXT_H_
#define CREDVAULT_SERVER_API_JSON_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace credvault::server::api {

void AppendJsonText(std::string& out, const nlohmann::json& value);
// A JSON string literal of `text` (quoted and escaped as nlohmann would).
void AppendJsonString(std::string& out, std::string_view text);
// The whole text, as dump() would return it.
std::string JsonText(const nlohmann::json& value);

}  // namespace credvault::server::api

#endif  // CREDVAULT_SERVER_API_JSON_TEXT_H_
