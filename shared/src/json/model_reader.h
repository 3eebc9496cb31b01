// A non-throwing reader over one JSON object for the model's mappings: every accessor
// checks presence and type, and the first problem becomes kValidation naming the field by
// its path ("grants[1].wrapped_data_key"). Later accessors after a failure do nothing, so a
// mapping reads straight through and returns status() once.
#ifndef CREDVAULT_JSON_MODEL_READER_H_
#define CREDVAULT_JSON_MODEL_READER_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault::internal {

class ModelReader {
 public:
  // `path` prefixes field names in errors ("" at top level). Fails at once when `j` is not
  // an object.
  ModelReader(const nlohmann::json& j, std::string path);

  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  const nlohmann::json& doc() const { return j_; }
  std::string PathOf(std::string_view key) const;
  void Fail(std::string_view key, std::string_view problem);

  // schema_version: kValidation when missing, kUnsupportedVersion when unknown.
  void SchemaVersion(uint64_t supported);
  void String(const char* key, std::string* out);
  void OptionalString(const char* key, std::string* out);
  void Uint(const char* key, uint64_t* out, uint64_t max = UINT64_MAX);
  void OptionalUint(const char* key, uint64_t* out, uint64_t max = UINT64_MAX);
  void Int(const char* key, int64_t* out);
  void OptionalInt(const char* key, int64_t* out);
  void Bool(const char* key, bool* out);
  void OptionalBool(const char* key, bool* out);
  // Bytes as base64url without padding (keys, salts, sealed boxes, signatures).
  void Base64Url(const char* key, Bytes* out);
  // An envelope, base64url without padding; structurally checked (InspectEnvelope).
  void Envelope(const char* key, Bytes* out);
  void StringList(const char* key, std::vector<std::string>* out, size_t max_items);
  // An enum by its name: `parse` is one of the model's Parse* functions.
  template <typename E>
  void Enum(const char* key, E* out, std::optional<E> (*parse)(std::string_view)) {
    std::string name;
    String(key, &name);
    if (!ok()) return;
    std::optional<E> value = parse(name);
    if (!value) return Fail(key, "\"" + name.substr(0, 40) + "\" is not a known value");
    *out = *value;
  }
  // nullptr (after failing) when missing or not of that type; Optional* give nullptr
  // without failing when absent or null.
  const nlohmann::json* Object(const char* key);
  const nlohmann::json* OptionalObject(const char* key);
  const nlohmann::json* Array(const char* key);

 private:
  const nlohmann::json* Find(const char* key) const;
  const nlohmann::json& j_;
  std::string path_;
  Status status_;
};

}  // namespace credvault::internal

#endif  // CREDVAULT_JSON_MODEL_READER_H_
