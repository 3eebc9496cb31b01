#include "api/json_body.h"

#include <algorithm>

#include "credvault/crypto.h"

namespace credvault::server::api {
namespace {

using nlohmann::json;

constexpr size_t kMaxEmailChars = 254;

bool IsJsonContentType(std::string_view value) {
  const std::string_view media = value.substr(0, value.find(';'));
  std::string_view trimmed = media;
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
  return EqualsIgnoreCase(trimmed, "application/json");
}

// Nesting depth of a JSON text, counting brackets outside strings. The parser checks the
// rest; this only keeps a hostile document from building a structure deep enough to
// exhaust the stack when it is destroyed.
size_t NestingDepth(std::string_view text) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Status FieldError(const char* name, std::string_view what) {
  return Status(ErrorCode::kValidation, std::string(name) + ": " + std::string(what));
}

bool Contains(std::initializer_list<std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<json> ParseJsonBody(const HttpRequest& request, size_t max_bytes) {
  if (!IsJsonContentType(request.Header("content-type"))) {
    return Status(ErrorCode::kInvalidArgument, "Content-Type must be application/json");
  }
  if (request.body.size() > max_bytes) {
    return Status(ErrorCode::kInvalidArgument,
                  "body is over this endpoint's limit of " + std::to_string(max_bytes) + " bytes");
  }
  if (NestingDepth(request.body) > kMaxJsonDepth) {
    return Status(ErrorCode::kInvalidArgument, "body is nested too deeply");
  }
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return Status(ErrorCode::kParseError, "body is not valid JSON");
  if (!body.is_object()) return Status(ErrorCode::kValidation, "body must be a JSON object");
  return body;
}

Status CheckFields(const json& body, std::initializer_list<std::string_view> required,
                   std::initializer_list<std::string_view> optional) {
  if (!body.is_object()) return Status(ErrorCode::kValidation, "expected a JSON object");
  for (const auto& item : body.items()) {
    if (!Contains(required, item.key()) && !Contains(optional, item.key())) {
      return Status(ErrorCode::kValidation, item.key() + ": unknown field");
    }
  }
  for (std::string_view name : required) {
    if (!body.contains(name)) {
      return Status(ErrorCode::kValidation, std::string(name) + ": missing");
    }
  }
  return Status::Ok();
}

Status ReadString(const json& body, const char* name, std::string* out, size_t max_chars) {
  const auto it = body.find(name);
  if (it == body.end()) return FieldError(name, "missing");
  if (!it->is_string()) return FieldError(name, "must be a string");
  const std::string& value = it->get_ref<const std::string&>();
  if (value.empty()) return FieldError(name, "must not be empty");
  if (value.size() > max_chars) {
    return FieldError(name, "longer than " + std::to_string(max_chars) + " characters");
  }
  *out = value;
  return Status::Ok();
}

Status ReadObjectId(const json& body, const char* name, std::string* out) {
  std::string value;
  CV_RETURN_IF_ERROR(ReadString(body, name, &value, 64));
  if (!IsObjectId(value)) return FieldError(name, "not an object id");
  *out = std::move(value);
  return Status::Ok();
}

Status ReadUint(const json& body, const char* name, uint64_t* out) {
  const auto it = body.find(name);
  if (it == body.end()) return FieldError(name, "missing");
  // Parsed text gives number_unsigned for non-negative integers; built documents may hold
  // a signed one.
  const bool non_negative =
      it->is_number_unsigned() || (it->is_number_integer() && it->get<int64_t>() >= 0);
  if (!non_negative) return FieldError(name, "must be a non-negative integer");
  *out = it->get<uint64_t>();
  return Status::Ok();
}

Status ReadRole(const json& body, const char* name, Role* out) {
  std::string value;
  CV_RETURN_IF_ERROR(ReadString(body, name, &value, 32));
  const std::optional<Role> role = ParseRole(value);
  if (!role) return FieldError(name, "not a role");
  *out = *role;
  return Status::Ok();
}

Status ReadEnvelope(const json& body, const char* name, std::string* out) {
  std::string value;
  CV_RETURN_IF_ERROR(ReadString(body, name, &value, 2 * kEnvelopeMaxBytes));
  const Result<EnvelopeHeader> header = InspectEnvelopeText(value);
  if (!header.ok()) {
    return Status(header.code(), std::string(name) + ": " + header.status().message());
  }
  *out = std::move(value);
  return Status::Ok();
}

Status CheckPathId(std::string_view id, std::string_view what) {
  if (IsObjectId(id)) return Status::Ok();
  return Status(ErrorCode::kNotFound, "no such " + std::string(what));
}

Result<std::string> NormalizeEmail(std::string_view email) {
  if (email.empty() || email.size() > kMaxEmailChars) {
    return Status(ErrorCode::kValidation, "email: must be 1 to 254 characters");
  }
  std::string lowered;
  lowered.reserve(email.size());
  for (char c : email) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      return Status(ErrorCode::kValidation, "email: no spaces or control characters");
    }
    lowered.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  const size_t at = lowered.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == lowered.size() ||
      lowered.find('@', at + 1) != std::string::npos) {
    return Status(ErrorCode::kValidation, "email: not an email address");
  }
  return lowered;
}

}  // namespace credvault::server::api
