// The main module's half of the browser's kubeconfig import (see kubeconfig_seal.h): ids
// and sealing, no YAML. Also the JSON both halves exchange, so each field is named once.
#include "credvault/kubeconfig_seal.h"

#include <optional>
#include <utility>

#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/model_json.h"
#include "credvault/ui_json.h"
#include "json/model_reader.h"

namespace credvault {

using nlohmann::json;

namespace {

constexpr const char* kContexts = "contexts";
constexpr const char* kWorkspaceId = "workspace_id";
constexpr const char* kAuth = "auth";
constexpr const char* kToken = "token";
constexpr const char* kClientCertificatePem = "client_certificate_pem";
constexpr const char* kClientKeyPem = "client_key_pem";
constexpr const char* kUsername = "username";
constexpr const char* kPassword = "password";
constexpr const char* kServer = "server";
constexpr const char* kCertificateAuthorityPem = "certificate_authority_pem";
constexpr const char* kCredentialId = "credential_id";
constexpr const char* kConnectionId = "connection_id";
constexpr const char* kCredentials = "credentials";
constexpr const char* kConnections = "connections";
constexpr const char* kId = "id";
constexpr const char* kView = "view";
constexpr const char* kOwnerId = "owner_id";
constexpr const char* kNow = "now";
constexpr size_t kMaxContexts = 10000;

std::string AsText(ByteView b) { return std::string(AsChars(b)); }

std::optional<KubeconfigAuth> ParseKubeconfigAuth(std::string_view name) {
  for (KubeconfigAuth a :
       {KubeconfigAuth::kNone, KubeconfigAuth::kToken, KubeconfigAuth::kClientCertificate,
        KubeconfigAuth::kClientCertificateAndToken, KubeconfigAuth::kBasic}) {
    if (KubeconfigAuthName(a) == name) return a;
  }
  return std::nullopt;
}

// An object whose values are objects, by key: the shape of "contexts" in both directions.
Result<const json*> ContextsObject(const json& j, std::string_view what) {
  internal::ModelReader r(j, std::string(what));
  const json* contexts = r.Object(kContexts);
  if (!r.ok()) return r.status();
  if (contexts->size() > kMaxContexts) {
    return Result<const json*>(ErrorCode::kValidation,
                               std::string(what) + ".contexts: too many contexts");
  }
  return contexts;
}

}  // namespace

json KubeconfigIdInputsToJson(const Kubeconfig& config) {
  json contexts = json::object();
  for (const KubeconfigContext& ctx : config.contexts) {
    if (contexts.contains(ctx.name)) continue;
    const KubeconfigCluster* cluster = nullptr;
    const KubeconfigUser* user = nullptr;
    for (const KubeconfigCluster& c : config.clusters) {
      if (cluster == nullptr && c.name == ctx.cluster) cluster = &c;
    }
    for (const KubeconfigUser& u : config.users) {
      if (user == nullptr && u.name == ctx.user) user = &u;
    }
    if (cluster == nullptr || user == nullptr) continue;
    const KubeconfigAuthMaterial& m = user->material;
    // base64url: a PEM block may hold bytes that are not UTF-8, which JSON cannot carry.
    contexts[ctx.name] = {
        {kAuth, KubeconfigAuthName(m.auth)},
        {kToken, Base64UrlEncode(m.token.view())},
        {kClientCertificatePem, Base64UrlEncode(AsBytes(m.client_certificate_pem))},
        {kClientKeyPem, Base64UrlEncode(m.client_key_pem.view())},
        {kUsername, Base64UrlEncode(AsBytes(m.username))},
        {kPassword, Base64UrlEncode(m.password.view())},
        {kServer, Base64UrlEncode(AsBytes(cluster->endpoint.server))},
        {kCertificateAuthorityPem,
         Base64UrlEncode(AsBytes(cluster->endpoint.certificate_authority_pem))}};
  }
  return json{{kContexts, std::move(contexts)}};
}

Result<json> KubeconfigContextIdsJson(const json& inputs, const WorkspaceKeys& keys) {
  CV_ASSIGN_OR_RETURN(const json* contexts, ContextsObject(inputs, "inputs"));
  SecretBytes id_key = DeriveKubeconfigIdKey(keys);  // wiped on return
  json ids = json::object();
  for (auto it = contexts->begin(); it != contexts->end(); ++it) {
    internal::ModelReader r(it.value(), "inputs.contexts." + it.key());
    KubeconfigEndpoint endpoint;
    KubeconfigAuthMaterial m;
    Bytes token, cert, key, username, password, server, ca;
    r.Enum(kAuth, &m.auth, &ParseKubeconfigAuth);
    r.Base64Url(kToken, &token);
    r.Base64Url(kClientCertificatePem, &cert);
    r.Base64Url(kClientKeyPem, &key);
    r.Base64Url(kUsername, &username);
    r.Base64Url(kPassword, &password);
    r.Base64Url(kServer, &server);
    r.Base64Url(kCertificateAuthorityPem, &ca);
    m.token = SecretBytes::CopyFrom(token);
    m.client_key_pem = SecretBytes::CopyFrom(key);
    m.password = SecretBytes::CopyFrom(password);
    m.client_certificate_pem = AsText(cert);
    m.username = AsText(username);
    endpoint.server = AsText(server);
    endpoint.certificate_authority_pem = AsText(ca);
    Wipe(token);
    Wipe(key);
    Wipe(password);
    if (!r.ok()) return r.status();
    CV_ASSIGN_OR_RETURN(KubeconfigContextIds c,
                        DeriveKubeconfigContextIds(id_key.view(), endpoint, m));
    ids[it.key()] = {{kCredentialId, c.credential_id}, {kConnectionId, c.connection_id}};
  }
  return json{{kWorkspaceId, keys.workspace_id}, {kContexts, std::move(ids)}};
}

Result<std::map<std::string, KubeconfigContextIds>> KubeconfigContextIdsFromJson(const json& ids) {
  CV_ASSIGN_OR_RETURN(const json* contexts, ContextsObject(ids, "ids"));
  std::map<std::string, KubeconfigContextIds> out;
  for (auto it = contexts->begin(); it != contexts->end(); ++it) {
    internal::ModelReader r(it.value(), "ids.contexts." + it.key());
    KubeconfigContextIds c;
    r.String(kCredentialId, &c.credential_id);
    r.String(kConnectionId, &c.connection_id);
    if (!r.ok()) return r.status();
    out.emplace(it.key(), std::move(c));
  }
  return out;
}

std::string KubeconfigIdsWorkspace(const json& ids) {
  auto it = ids.find(kWorkspaceId);
  return it != ids.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json KubeconfigModelsToJson(const KubeconfigImportModels& models) {
  json credentials = json::array();
  for (const ImportedCredential& c : models.credentials) {
    credentials.push_back({{kId, c.id}, {kView, CredentialViewToJson(c.view)}});
  }
  json connections = json::array();
  for (const ConnectionView& v : models.connections) connections.push_back(ConnectionViewToJson(v));
  return json{{kCredentials, std::move(credentials)}, {kConnections, std::move(connections)}};
}

Result<KubeconfigImportModels> KubeconfigModelsFromJson(const json& j) {
  internal::ModelReader r(j, "models");
  const json* credentials = r.Array(kCredentials);
  const json* connections = r.Array(kConnections);
  if (!r.ok()) return r.status();
  KubeconfigImportModels models;
  for (const json& c : *credentials) {
    internal::ModelReader cr(c, "models.credentials[]");
    ImportedCredential imported;
    cr.String(kId, &imported.id);
    const json* view = cr.Object(kView);
    if (!cr.ok()) return cr.status();
    CV_ASSIGN_OR_RETURN(imported.view, CredentialViewFromJson(*view));
    models.credentials.push_back(std::move(imported));
  }
  for (const json& c : *connections) {
    CV_ASSIGN_OR_RETURN(ConnectionView view, ConnectionViewFromJson(c));
    models.connections.push_back(std::move(view));
  }
  return models;
}

Result<json> SealKubeconfigModelsJson(KubeconfigImportModels models, const json& request,
                                      const WorkspaceKeys& keys, const json& options) {
  internal::ModelReader r(options, "options");
  std::string owner_id;
  int64_t now = 0;
  r.String(kOwnerId, &owner_id);
  r.Int(kNow, &now);
  if (!r.ok()) return r.status();
  CV_ASSIGN_OR_RETURN(KubeconfigImportInput input, KubeconfigImportInputFromJson(request));

  json credentials = json::array();
  const WorkspaceKeys* home[] = {&keys};
  for (const ImportedCredential& c : models.credentials) {
    if (input.existing_credential_ids.count(c.id) != 0) continue;
    CredentialRecord record{c.id, owner_id, keys.workspace_id, 1, now, now};
    SymmetricKey data_key = NewDataKey();  // one per credential, wiped when dropped
    CV_ASSIGN_OR_RETURN(SealedCredential sealed, SealCredential(c.view, record, data_key, home));
    credentials.push_back(SealedCredentialToJson(sealed));
  }

  json connections = json::array();
  for (ConnectionView& view : models.connections) {
    view.workspace_id = keys.workspace_id;
    view.created_at = now;
    view.updated_at = now;
    if (auto it = input.existing_records.find(view.id); it != input.existing_records.end()) {
      if (it->second.version == 0) {
        return Result<json>(ErrorCode::kInvalidArgument,
                            "request.existing: connection " + view.id +
                                " is updated by this import and needs its current version");
      }
      view.version = it->second.version + 1;
      view.environment_ids = it->second.environment_ids;
    }
    CV_ASSIGN_OR_RETURN(SealedConnection sealed, SealConnection(view, keys));
    connections.push_back(SealedConnectionToJson(sealed));
  }
  return json{{kCredentials, std::move(credentials)}, {kConnections, std::move(connections)}};
}

}  // namespace credvault
