// Request bodies of the JSON API: the checks every endpoint makes before it reads a field.
//
// ParseJsonBody refuses a wrong Content-Type, a body over the endpoint's limit, nesting
// deeper than kMaxJsonDepth (a deep document costs stack to destroy), text that is not JSON,
// and a document that is not an object. CheckFields refuses unknown and missing fields,
// so a typo in a field name is an error rather than a silently ignored value. The Read*
// helpers give kValidation naming the field. Pure functions; thread-safe; never throw.
#ifndef CREDVAULT_SERVER_API_JSON_BODY_H_
#define CREDVAULT_SERVER_API_JSON_BODY_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "credvault/permissions.h"
#include "credvault/status.h"
#include "http_message.h"

namespace credvault::server::api {

// Most bodies are a few kilobytes; those that carry envelopes say so with a larger limit.
inline constexpr size_t kDefaultMaxBodyBytes = 64 << 10;
inline constexpr size_t kMaxJsonDepth = 32;

// Errors: kInvalidArgument (Content-Type is not application/json, body too large, too
// deep), kParseError (not JSON), kValidation (not an object).
Result<nlohmann::json> ParseJsonBody(const HttpRequest& request,
                                     size_t max_bytes = kDefaultMaxBodyBytes);

// kValidation if `body` has a field outside `required` and `optional`, or lacks one of
// `required`.
Status CheckFields(const nlohmann::json& body, std::initializer_list<std::string_view> required,
                   std::initializer_list<std::string_view> optional = {});

// A string field (kValidation when missing, not a string, empty, or longer than max_chars).
Status ReadString(const nlohmann::json& body, const char* name, std::string* out,
                  size_t max_chars = 1024);
// An object id made by a client (IsObjectId).
Status ReadObjectId(const nlohmann::json& body, const char* name, std::string* out);
// A non-negative integer that fits in uint64_t (not a float, not a string).
Status ReadUint(const nlohmann::json& body, const char* name, uint64_t* out);
// A role name ("owner", "admin", ...).
Status ReadRole(const nlohmann::json& body, const char* name, Role* out);
// A base64url envelope that is structurally well-formed (InspectEnvelopeText): kMalformed
// (or the version/algorithm code) naming the field otherwise.
Status ReadEnvelope(const nlohmann::json& body, const char* name, std::string* out);

// An id taken from the path: kNotFound when it is not an object id, since no such object
// can exist (and a workspace id must not reveal more than "not found").
Status CheckPathId(std::string_view id, std::string_view what);

// Emails are stored and compared lower-cased; kValidation for anything without one '@'
// between non-empty parts, with spaces or control characters, or over 254 characters.
Result<std::string> NormalizeEmail(std::string_view email);

}  // namespace credvault::server::api

#endif  // CREDVAULT_SERVER_API_JSON_BODY_H_
