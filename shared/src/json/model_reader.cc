#include "json/model_reader.h"

#include "credvault/crypto.h"

namespace credvault::internal {

using nlohmann::json;

ModelReader::ModelReader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
  if (!j_.is_object()) {
    status_ = Status(ErrorCode::kValidation,
                     (path_.empty() ? std::string("document") : path_) + ": must be an object");
  }
}

std::string ModelReader::PathOf(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

void ModelReader::Fail(std::string_view key, std::string_view problem) {
  if (!ok()) return;
  status_ = Status(ErrorCode::kValidation, PathOf(key) + ": " + std::string(problem));
}

const json* ModelReader::Find(const char* key) const {
  if (!ok()) return nullptr;
  auto it = j_.find(key);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

void ModelReader::SchemaVersion(uint64_t supported) {
  uint64_t version = 0;
  Uint("schema_version", &version);
  if (ok() && version != supported) {
    status_ = Status(ErrorCode::kUnsupportedVersion,
                     PathOf("schema_version") + ": " + std::to_string(version) +
                         " is not supported (this build reads " + std::to_string(supported) + ")");
  }
}

void ModelReader::String(const char* key, std::string* out) {
  if (!ok()) return;
  const json* v = Find(key);
  if (v == nullptr) return Fail(key, "is missing");
  if (!v->is_string()) return Fail(key, "must be a string");
  *out = v->get_ref<const std::string&>();
}

void ModelReader::OptionalString(const char* key, std::string* out) {
  if (ok() && Find(key) == nullptr) {
    out->clear();
    return;
  }
  String(key, out);
}

void ModelReader::Uint(const char* key, uint64_t* out, uint64_t max) {
  if (!ok()) return;
  const json* v = Find(key);
  if (v == nullptr) return Fail(key, "is missing");
  if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<int64_t>() < 0)) {
    return Fail(key, "must be a non-negative integer");
  }
  uint64_t value = v->get<uint64_t>();
  if (value > max) return Fail(key, "must be at most " + std::to_string(max));
  *out = value;
}

void ModelReader::OptionalUint(const char* key, uint64_t* out, uint64_t max) {
  if (ok() && Find(key) == nullptr) {
    *out = 0;
    return;
  }
  Uint(key, out, max);
}

void ModelReader::Int(const char* key, int64_t* out) {
  if (!ok()) return;
  const json* v = Find(key);
  if (v == nullptr) return Fail(key, "is missing");
  if (!v->is_number_integer()) return Fail(key, "must be an integer");
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return Fail(key, "is out of range");
  }
  *out = v->get<int64_t>();
}

void ModelReader::OptionalInt(const char* key, int64_t* out) {
  if (ok() && Find(key) == nullptr) {
    *out = 0;
    return;
  }
  Int(key, out);
}

void ModelReader::Bool(const char* key, bool* out) {
  if (!ok()) return;
  const json* v = Find(key);
  if (v == nullptr) return Fail(key, "is missing");
  if (!v->is_boolean()) return Fail(key, "must be true or false");
  *out = v->get<bool>();
}

void ModelReader::OptionalBool(const char* key, bool* out) {
  if (ok() && Find(key) == nullptr) {
    *out = false;
    return;
  }
  Bool(key, out);
}

void ModelReader::Base64Url(const char* key, Bytes* out) {
  std::string text;
  String(key, &text);
  if (!ok()) return;
  if (!Base64UrlDecode(text, out)) return Fail(key, "must be base64url without padding");
}

void ModelReader::Envelope(const char* key, Bytes* out) {
  Bytes bytes;
  Base64Url(key, &bytes);
  if (!ok()) return;
  Result<EnvelopeHeader> header = InspectEnvelope(bytes);
  if (!header.ok()) {
    return Fail(key, "is not a valid envelope (" + std::string(header.status().code_name()) + ")");
  }
  *out = std::move(bytes);
}

void ModelReader::StringList(const char* key, std::vector<std::string>* out, size_t max_items) {
  out->clear();
  const json* v = Find(key);
  if (!ok() || v == nullptr) return;  // absent means empty
  if (!v->is_array()) return Fail(key, "must be an array of strings");
  if (v->size() > max_items) {
    return Fail(key, "must have at most " + std::to_string(max_items) + " items");
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    if (!item.is_string()) {
      return Fail(std::string(key) + "[" + std::to_string(i) + "]", "must be a string");
    }
    out->push_back(item.get_ref<const std::string&>());
  }
}

const json* ModelReader::Object(const char* key) {
  if (!ok()) return nullptr;
  const json* v = Find(key);
  if (v == nullptr) {
    Fail(key, "is missing");
    return nullptr;
  }
  if (!v->is_object()) {
    Fail(key, "must be an object");
    return nullptr;
  }
  return v;
}

const json* ModelReader::OptionalObject(const char* key) {
  if (!ok() || Find(key) == nullptr) return nullptr;
  return Object(key);
}

const json* ModelReader::Array(const char* key) {
  if (!ok()) return nullptr;
  const json* v = Find(key);
  if (v == nullptr) {
    Fail(key, "is missing");
    return nullptr;
  }
  if (!v->is_array()) {
    Fail(key, "must be an array");
    return nullptr;
  }
  return v;
}

}  // namespace credvault::internal
