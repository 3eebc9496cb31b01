// JSON forms of credentials, connections and workspaces, and of the plaintexts inside their
// envelopes. Every field name of the model is written here and nowhere else.
#include "credvault/model_json.h"

#include "json/model_payload.h"
#include "json/model_reader.h"

namespace credvault {

using internal::ModelReader;
using nlohmann::json;

namespace {

// Field names.
constexpr const char* kSchemaVersion = "schema_version";
constexpr const char* kId = "id";
constexpr const char* kOwnerId = "owner_id";
constexpr const char* kWorkspaceId = "workspace_id";
constexpr const char* kKind = "kind";
constexpr const char* kAuthMethod = "auth_method";
constexpr const char* kVersion = "version";
constexpr const char* kCreatedAt = "created_at";
constexpr const char* kUpdatedAt = "updated_at";
constexpr const char* kSealedSecret = "sealed_secret";
constexpr const char* kGrants = "grants";
constexpr const char* kKeyGeneration = "key_generation";
constexpr const char* kWrappedDataKey = "wrapped_data_key";
constexpr const char* kSealedName = "sealed_name";
constexpr const char* kRotateRecommended = "rotate_recommended";
constexpr const char* kName = "name";
constexpr const char* kSharedWorkspaces = "shared_workspaces";
constexpr const char* kFields = "fields";
constexpr const char* kState = "state";
constexpr const char* kCredentialId = "credential_id";
constexpr const char* kManaged = "managed";
constexpr const char* kInsecureSkipVerify = "insecure_skip_verify";
constexpr const char* kEnvironmentIds = "environment_ids";
constexpr const char* kLastTest = "last_test";
constexpr const char* kOutcome = "outcome";
constexpr const char* kTestedAt = "tested_at";
constexpr const char* kLatencyMs = "latency_ms";
constexpr const char* kHttpStatus = "http_status";
constexpr const char* kRunnerId = "runner_id";
constexpr const char* kSealedDetails = "sealed_details";
constexpr const char* kEndpoint = "endpoint";
constexpr const char* kHost = "host";
constexpr const char* kPlainHttp = "plain_http";
constexpr const char* kTls = "tls";
constexpr const char* kCaData = "ca_data";
constexpr const char* kServerName = "server_name";
constexpr const char* kMembers = "members";
constexpr const char* kAccountId = "account_id";
constexpr const char* kRole = "role";
constexpr const char* kJoinedAt = "joined_at";
constexpr const char* kField = "field";
constexpr const char* kCode = "code";
constexpr const char* kMessage = "message";

constexpr size_t kMaxGrants = 1000;
constexpr size_t kMaxMembers = 10000;

// Envelopes are ciphertext: public, so the fast encoder (secret.h).
std::string Envelope(const Bytes& bytes) { return Base64UrlEncodePublic(bytes); }

std::string Indexed(const char* key, size_t i) {
  return std::string(key) + "[" + std::to_string(i) + "]";
}

json LastTestToJson(const LastTest& t) {
  return json{{kOutcome, TestOutcomeName(t.outcome)},
              {kTestedAt, t.tested_at},
              {kLatencyMs, t.latency_ms},
              {kHttpStatus, t.http_status},
              {kRunnerId, t.runner_id}};
}

// Status of `r` or of the nested last_test object.
Status ReadLastTest(ModelReader& r, std::optional<LastTest>* out) {
  const json* j = r.OptionalObject(kLastTest);
  out->reset();
  if (j == nullptr) return r.status();
  ModelReader t(*j, r.PathOf(kLastTest));
  LastTest last;
  uint64_t latency = 0, status = 0;
  t.Enum(kOutcome, &last.outcome, &ParseTestOutcome);
  t.Int(kTestedAt, &last.tested_at);
  t.OptionalUint(kLatencyMs, &latency, UINT32_MAX);
  t.OptionalUint(kHttpStatus, &status, 999);
  t.OptionalString(kRunnerId, &last.runner_id);
  if (!t.ok()) return t.status();
  last.latency_ms = static_cast<uint32_t>(latency);
  last.http_status = static_cast<uint16_t>(status);
  *out = std::move(last);
  return Status::Ok();
}

void WipeStrings(json& j) {
  if (j.is_string()) {
    Wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& item : j) WipeStrings(item);
  }
}

// Dumps `j` into guarded memory and wipes every copy on the way.
SecretBytes DumpSecret(json& j) {
  std::string text = DumpJson(j);
  WipeStrings(j);
  SecretBytes out = SecretBytes::CopyFrom(AsBytes(text));
  Wipe(text);
  return out;
}

}  // namespace

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<json> ParseJsonObject(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Result<json>(ErrorCode::kParseError, "document: not valid JSON");
  if (!j.is_object()) return Result<json>(ErrorCode::kValidation, "document: must be an object");
  return j;
}

// ---- credentials ----

// The credential documents are built member by member rather than from an initializer
// list: a list copies every value once more and allocates a [key, value] array per member,
// and a credential GET builds one on every request. Same document, same bytes.
json CredentialGrantToJson(const CredentialGrant& g) {
  json j(json::value_t::object);
  json::object_t& o = *j.get_ptr<json::object_t*>();
  o.emplace(kWorkspaceId, g.workspace_id);
  o.emplace(kKeyGeneration, g.key_generation);
  o.emplace(kWrappedDataKey, Envelope(g.wrapped_data_key));
  o.emplace(kSealedName, Envelope(g.sealed_name));
  return j;
}

json SealedCredentialToJson(const SealedCredential& c) {
  json grants(json::value_t::array);
  json::array_t& items = *grants.get_ptr<json::array_t*>();
  items.reserve(c.grants.size());
  for (const CredentialGrant& g : c.grants) items.push_back(CredentialGrantToJson(g));
  json j(json::value_t::object);
  json::object_t& o = *j.get_ptr<json::object_t*>();
  o.emplace(kSchemaVersion, kModelSchemaVersion);
  o.emplace(kId, c.id);
  o.emplace(kOwnerId, c.owner_id);
  o.emplace(kWorkspaceId, c.workspace_id);
  o.emplace(kKind, ServiceKindName(c.kind));
  o.emplace(kAuthMethod, AuthMethodName(c.method));
  o.emplace(kVersion, c.version);
  o.emplace(kCreatedAt, c.created_at);
  o.emplace(kUpdatedAt, c.updated_at);
  o.emplace(kSealedSecret, Envelope(c.sealed_secret));
  o.emplace(kGrants, std::move(grants));
  o.emplace(kRotateRecommended, c.rotate_recommended);
  return j;
}

Result<SealedCredential> SealedCredentialFromJson(const json& j) {
  ModelReader r(j, "");
  SealedCredential c;
  r.SchemaVersion(kModelSchemaVersion);
  r.String(kId, &c.id);
  r.String(kOwnerId, &c.owner_id);
  r.String(kWorkspaceId, &c.workspace_id);
  r.Enum(kKind, &c.kind, &ParseServiceKind);
  r.Enum(kAuthMethod, &c.method, &ParseAuthMethod);
  r.Uint(kVersion, &c.version);
  r.Int(kCreatedAt, &c.created_at);
  r.Int(kUpdatedAt, &c.updated_at);
  r.Envelope(kSealedSecret, &c.sealed_secret);
  r.OptionalBool(kRotateRecommended, &c.rotate_recommended);
  const json* grants = r.Array(kGrants);
  if (grants != nullptr && grants->size() > kMaxGrants) r.Fail(kGrants, "has too many items");
  for (size_t i = 0; r.ok() && grants != nullptr && i < grants->size(); ++i) {
    ModelReader g((*grants)[i], Indexed(kGrants, i));
    CredentialGrant grant;
    uint64_t generation = 0;
    g.String(kWorkspaceId, &grant.workspace_id);
    g.Uint(kKeyGeneration, &generation, UINT32_MAX);
    g.Envelope(kWrappedDataKey, &grant.wrapped_data_key);
    g.Envelope(kSealedName, &grant.sealed_name);
    if (!g.ok()) return g.status();
    grant.key_generation = static_cast<uint32_t>(generation);
    c.grants.push_back(std::move(grant));
  }
  if (!r.ok()) return r.status();
  if (c.version == 0)
    return Result<SealedCredential>(ErrorCode::kValidation, "version: must be at least 1");
  return c;
}

json CredentialSummaryToJson(const CredentialSummary& s) {
  return json{{kSchemaVersion, kModelSchemaVersion},
              {kId, s.id},
              {kName, s.name},
              {kKind, ServiceKindName(s.kind)},
              {kAuthMethod, AuthMethodName(s.method)},
              {kVersion, s.version},
              {kCreatedAt, s.created_at},
              {kUpdatedAt, s.updated_at},
              {kRotateRecommended, s.rotate_recommended},
              {kSharedWorkspaces, s.shared_workspaces}};
}

Result<CredentialSummary> CredentialSummaryFromJson(const json& j) {
  ModelReader r(j, "");
  CredentialSummary s;
  uint64_t shared = 0;
  r.SchemaVersion(kModelSchemaVersion);
  r.String(kId, &s.id);
  r.String(kName, &s.name);
  r.Enum(kKind, &s.kind, &ParseServiceKind);
  r.Enum(kAuthMethod, &s.method, &ParseAuthMethod);
  r.Uint(kVersion, &s.version);
  r.Int(kCreatedAt, &s.created_at);
  r.Int(kUpdatedAt, &s.updated_at);
  r.OptionalBool(kRotateRecommended, &s.rotate_recommended);
  r.OptionalUint(kSharedWorkspaces, &shared, kMaxGrants);
  if (!r.ok()) return r.status();
  s.shared_workspaces = static_cast<size_t>(shared);
  return s;
}

namespace {

json FieldsToJson(const SecretFields& fields) {
  json out = json::object();
  for (size_t i = 0; i < kCredentialFieldCount; ++i) {
    auto field = static_cast<CredentialField>(i);
    if (fields.Has(field)) out[std::string(CredentialFieldName(field))] = fields.Get(field);
  }
  return out;
}

void ReadFields(ModelReader& r, SecretFields* out) {
  const json* fields = r.Object(kFields);
  if (fields == nullptr) return;
  for (auto it = fields->begin(); it != fields->end(); ++it) {
    std::string key = std::string(kFields) + "." + it.key().substr(0, 40);
    std::optional<CredentialField> field = ParseCredentialField(it.key());
    if (!field) return r.Fail(key, "is not a credential field");
    if (it->is_null()) continue;
    if (!it->is_string()) return r.Fail(key, "must be a string");
    out->Set(*field, it->get_ref<const std::string&>());
  }
}

}  // namespace

json CredentialViewToJson(const CredentialView& v) {
  return json{{kSchemaVersion, kModelSchemaVersion},
              {kName, v.name},
              {kKind, ServiceKindName(v.kind)},
              {kAuthMethod, AuthMethodName(v.method)},
              {kFields, FieldsToJson(v.fields)}};
}

Result<CredentialView> CredentialViewFromJson(const json& j) {
  ModelReader r(j, "");
  CredentialView v;
  r.SchemaVersion(kModelSchemaVersion);
  r.OptionalString(kName, &v.name);
  r.Enum(kKind, &v.kind, &ParseServiceKind);
  r.Enum(kAuthMethod, &v.method, &ParseAuthMethod);
  ReadFields(r, &v.fields);
  if (!r.ok()) return r.status();
  return v;
}

// ---- connections ----

json SealedConnectionToJson(const SealedConnection& c) {
  json j{{kSchemaVersion, kModelSchemaVersion},
         {kId, c.id},
         {kWorkspaceId, c.workspace_id},
         {kKind, ServiceKindName(c.kind)},
         {kState, ConnectionStateName(c.state)},
         {kCredentialId, c.credential_id},
         {kManaged, c.managed},
         {kInsecureSkipVerify, c.insecure_skip_verify},
         {kEnvironmentIds, c.environment_ids},
         {kVersion, c.version},
         {kCreatedAt, c.created_at},
         {kUpdatedAt, c.updated_at},
         {kSealedDetails, Envelope(c.sealed_details)}};
  if (c.last_test) j[kLastTest] = LastTestToJson(*c.last_test);
  return j;
}

Result<SealedConnection> SealedConnectionFromJson(const json& j) {
  ModelReader r(j, "");
  SealedConnection c;
  r.SchemaVersion(kModelSchemaVersion);
  r.String(kId, &c.id);
  r.String(kWorkspaceId, &c.workspace_id);
  r.Enum(kKind, &c.kind, &ParseServiceKind);
  r.Enum(kState, &c.state, &ParseConnectionState);
  r.OptionalString(kCredentialId, &c.credential_id);
  r.OptionalBool(kManaged, &c.managed);
  r.OptionalBool(kInsecureSkipVerify, &c.insecure_skip_verify);
  r.StringList(kEnvironmentIds, &c.environment_ids, kMaxEnvironmentsPerConnection);
  r.Uint(kVersion, &c.version);
  r.Int(kCreatedAt, &c.created_at);
  r.Int(kUpdatedAt, &c.updated_at);
  r.Envelope(kSealedDetails, &c.sealed_details);
  CV_RETURN_IF_ERROR(ReadLastTest(r, &c.last_test));
  if (c.version == 0)
    return Result<SealedConnection>(ErrorCode::kValidation, "version: must be at least 1");
  return c;
}

json ConnectionViewToJson(const ConnectionView& v) {
  json j{{kSchemaVersion, kModelSchemaVersion},
         {kId, v.id},
         {kWorkspaceId, v.workspace_id},
         {kKind, ServiceKindName(v.kind)},
         {kName, v.name},
         {kEndpoint, v.endpoint.ToString()},
         {kTls, json{{kCaData, v.tls.ca_data},
                     {kServerName, v.tls.server_name},
                     {kInsecureSkipVerify, v.tls.insecure_skip_verify}}},
         {kCredentialId, v.credential_id},
         {kManaged, v.managed},
         {kEnvironmentIds, v.environment_ids},
         {kState, ConnectionStateName(v.state)},
         {kVersion, v.version},
         {kCreatedAt, v.created_at},
         {kUpdatedAt, v.updated_at}};
  if (v.last_test) j[kLastTest] = LastTestToJson(*v.last_test);
  return j;
}

Result<ConnectionView> ConnectionViewFromJson(const json& j) {
  ModelReader r(j, "");
  ConnectionView v;
  std::string endpoint;
  r.SchemaVersion(kModelSchemaVersion);
  r.OptionalString(kId, &v.id);
  r.OptionalString(kWorkspaceId, &v.workspace_id);
  r.Enum(kKind, &v.kind, &ParseServiceKind);
  r.OptionalString(kName, &v.name);
  r.String(kEndpoint, &endpoint);
  if (const json* tls = r.OptionalObject(kTls)) {
    ModelReader t(*tls, kTls);
    t.OptionalString(kCaData, &v.tls.ca_data);
    t.OptionalString(kServerName, &v.tls.server_name);
    t.OptionalBool(kInsecureSkipVerify, &v.tls.insecure_skip_verify);
    if (!t.ok()) return t.status();
  }
  r.OptionalString(kCredentialId, &v.credential_id);
  r.OptionalBool(kManaged, &v.managed);
  r.StringList(kEnvironmentIds, &v.environment_ids, kMaxEnvironmentsPerConnection);
  if (r.ok() && r.doc().contains(kState)) {
    r.Enum(kState, &v.state, &ParseConnectionState);
  }
  uint64_t version = 0;
  r.OptionalUint(kVersion, &version);
  r.OptionalInt(kCreatedAt, &v.created_at);
  r.OptionalInt(kUpdatedAt, &v.updated_at);
  CV_RETURN_IF_ERROR(ReadLastTest(r, &v.last_test));
  v.version = version == 0 ? 1 : version;
  CV_ASSIGN_OR_RETURN(v.endpoint, ParseEndpoint(endpoint, kEndpoint));
  return v;
}

json ConnectionSummaryToJson(const ConnectionSummary& s) {
  json j{{kSchemaVersion, kModelSchemaVersion},
         {kId, s.id},
         {kName, s.name},
         {kKind, ServiceKindName(s.kind)},
         {kState, ConnectionStateName(s.state)},
         {kEndpoint, s.endpoint},
         {kHost, s.host},
         {kPlainHttp, s.plain_http},
         {kInsecureSkipVerify, s.insecure_skip_verify},
         {kManaged, s.managed},
         {kCredentialId, s.credential_id},
         {kEnvironmentIds, s.environment_ids},
         {kUpdatedAt, s.updated_at}};
  if (s.last_test) j[kLastTest] = LastTestToJson(*s.last_test);
  return j;
}

Result<ConnectionSummary> ConnectionSummaryFromJson(const json& j, std::string path) {
  ModelReader r(j, std::move(path));
  ConnectionSummary s;
  r.String(kId, &s.id);
  r.String(kName, &s.name);
  r.Enum(kKind, &s.kind, &ParseServiceKind);
  r.Enum(kState, &s.state, &ParseConnectionState);
  r.OptionalString(kEndpoint, &s.endpoint);
  r.OptionalString(kHost, &s.host);
  r.OptionalBool(kPlainHttp, &s.plain_http);
  r.OptionalBool(kInsecureSkipVerify, &s.insecure_skip_verify);
  r.OptionalBool(kManaged, &s.managed);
  r.OptionalString(kCredentialId, &s.credential_id);
  const auto ids = j.is_object() ? j.find(kEnvironmentIds) : j.end();
  if (r.ok() && ids != j.end() && !ids->is_null()) {
    r.StringList(kEnvironmentIds, &s.environment_ids, kMaxEnvironmentsPerConnection);
  }
  r.OptionalInt(kUpdatedAt, &s.updated_at);
  if (!r.ok()) return r.status();
  CV_RETURN_IF_ERROR(ReadLastTest(r, &s.last_test));
  return s;
}

// ---- workspaces ----

json WorkspaceToJson(const Workspace& w) {
  json members = json::array();
  for (const Member& m : w.members) {
    members.push_back(
        json{{kAccountId, m.account_id}, {kRole, RoleName(m.role)}, {kJoinedAt, m.joined_at}});
  }
  return json{{kSchemaVersion, kModelSchemaVersion},
              {kId, w.id},
              {kName, w.name},
              {kMembers, std::move(members)},
              {kKeyGeneration, w.key_generation},
              {kVersion, w.version},
              {kCreatedAt, w.created_at},
              {kUpdatedAt, w.updated_at}};
}

Result<Workspace> WorkspaceFromJson(const json& j) {
  ModelReader r(j, "");
  Workspace w;
  uint64_t generation = 0;
  r.SchemaVersion(kModelSchemaVersion);
  r.String(kId, &w.id);
  r.String(kName, &w.name);
  r.Uint(kKeyGeneration, &generation, UINT32_MAX);
  r.Uint(kVersion, &w.version);
  r.Int(kCreatedAt, &w.created_at);
  r.Int(kUpdatedAt, &w.updated_at);
  const json* members = r.Array(kMembers);
  if (members != nullptr && members->size() > kMaxMembers) r.Fail(kMembers, "has too many items");
  for (size_t i = 0; r.ok() && members != nullptr && i < members->size(); ++i) {
    ModelReader m((*members)[i], Indexed(kMembers, i));
    Member member;
    m.String(kAccountId, &member.account_id);
    m.Enum(kRole, &member.role, &ParseRole);
    m.OptionalInt(kJoinedAt, &member.joined_at);
    if (!m.ok()) return m.status();
    w.members.push_back(std::move(member));
  }
  if (!r.ok()) return r.status();
  w.key_generation = static_cast<uint32_t>(generation);
  return w;
}

json FieldIssuesToJson(const FieldIssues& issues) {
  json out = json::array();
  for (const FieldIssue& issue : issues) {
    out.push_back(json{{kField, issue.field}, {kCode, issue.code}, {kMessage, issue.message}});
  }
  return out;
}

// ---- envelope plaintexts ----

namespace internal {

SecretBytes CredentialSecretPlaintext(const CredentialView& view) {
  json j{{kSchemaVersion, kModelSchemaVersion},
         {kKind, ServiceKindName(view.kind)},
         {kAuthMethod, AuthMethodName(view.method)},
         {kFields, FieldsToJson(view.fields)}};
  return DumpSecret(j);
}

Result<CredentialView> CredentialFromSecretPlaintext(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return Result<CredentialView>(ErrorCode::kMalformed, "sealed credential is not JSON");
  ModelReader r(j, "");
  CredentialView v;
  r.SchemaVersion(kModelSchemaVersion);
  r.Enum(kKind, &v.kind, &ParseServiceKind);
  r.Enum(kAuthMethod, &v.method, &ParseAuthMethod);
  ReadFields(r, &v.fields);
  WipeStrings(j);
  if (!r.ok()) return Result<CredentialView>(ErrorCode::kMalformed, r.status().message());
  return v;
}

SecretBytes ConnectionDetailsPlaintext(const ConnectionView& view) {
  json j{{kSchemaVersion, kModelSchemaVersion},
         {kKind, ServiceKindName(view.kind)},
         {kName, view.name},
         {kEndpoint, view.endpoint.ToString()},
         {kCaData, view.tls.ca_data},
         {kServerName, view.tls.server_name}};
  return DumpSecret(j);
}

Result<ConnectionDetails> ConnectionDetailsFromPlaintext(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded())
    return Result<ConnectionDetails>(ErrorCode::kMalformed, "sealed details are not JSON");
  ModelReader r(j, "");
  ConnectionDetails d;
  r.SchemaVersion(kModelSchemaVersion);
  r.Enum(kKind, &d.kind, &ParseServiceKind);
  r.String(kName, &d.name);
  r.String(kEndpoint, &d.endpoint);
  r.OptionalString(kCaData, &d.ca_data);
  r.OptionalString(kServerName, &d.server_name);
  WipeStrings(j);
  if (!r.ok()) return Result<ConnectionDetails>(ErrorCode::kMalformed, r.status().message());
  return d;
}

}  // namespace internal
}  // namespace credvault
