// Helpers for the model tests: test PEMs from tests/data/model and ready-made views.
#ifndef CREDVAULT_TESTS_MODEL_TEST_UTIL_H_
#define CREDVAULT_TESTS_MODEL_TEST_UTIL_H_

#include <string>

#include "credvault/connection.h"
#include "credvault/credential.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault::testing {

inline std::string ModelData(const std::string& name) { return ReadTestData("model/" + name); }

inline CredentialView TokenCredential(ServiceKind kind = ServiceKind::kKubernetes) {
  CredentialView v;
  v.name = "prod token";
  v.kind = kind;
  v.method = AuthMethod::kBearerToken;
  v.fields.Set(CredentialField::kToken, "eyJhbGciOiJSUzI1NiJ9.payload.sig");
  return v;
}

inline CredentialView ClientCertCredential() {
  CredentialView v;
  v.name = "alice@prod";
  v.kind = ServiceKind::kKubernetes;
  v.method = AuthMethod::kClientCertificate;
  v.fields.Set(CredentialField::kClientCertificate, ModelData("client.crt"));
  v.fields.Set(CredentialField::kClientKey, ModelData("client.key"));
  v.fields.Set(CredentialField::kCaData, ModelData("ca.crt"));
  return v;
}

inline CredentialView GitHubAppCredential() {
  CredentialView v;
  v.name = "deploy bot";
  v.kind = ServiceKind::kGitHub;
  v.method = AuthMethod::kGitHubApp;
  v.fields.Set(CredentialField::kAppId, "123456");
  v.fields.Set(CredentialField::kInstallationId, "98765432");
  v.fields.Set(CredentialField::kPrivateKey, ModelData("github_app.key"));
  return v;
}

inline ConnectionView PrometheusConnection(const std::string& workspace_id) {
  ConnectionView v;
  v.id = "conn-1";
  v.workspace_id = workspace_id;
  v.kind = ServiceKind::kPrometheus;
  v.name = "prom eu-west";
  v.endpoint = *ParseEndpoint("https://prom.eu-west.internal:9090/prometheus");
  v.tls.ca_data = ModelData("ca.crt");
  v.tls.server_name = "prom.internal";
  v.credential_id = "cred-1";
  v.managed = false;
  v.environment_ids = {"env-prod", "env-eu"};
  v.state = ConnectionState::kRegistered;
  v.version = 3;
  v.created_at = 1700000000;
  v.updated_at = 1700000100;
  return v;
}

}  // namespace credvault::testing

#endif  // CREDVAULT_TESTS_MODEL_TEST_UTIL_H_
