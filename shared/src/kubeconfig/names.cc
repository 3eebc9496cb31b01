// The stable string forms of the kubeconfig enums, and small methods of the result types.
#include <utility>

#include "credvault/kubeconfig.h"
#include "kubeconfig/internal.h"

namespace credvault {

std::string_view KubeconfigIssueName(KubeconfigIssue issue) {
  switch (issue) {
    case KubeconfigIssue::kNone:
      return "none";
    case KubeconfigIssue::kTooLarge:
      return "too_large";
    case KubeconfigIssue::kNotText:
      return "not_text";
    case KubeconfigIssue::kTooDeep:
      return "too_deep";
    case KubeconfigIssue::kYamlSyntax:
      return "yaml_syntax";
    case KubeconfigIssue::kEmpty:
      return "empty";
    case KubeconfigIssue::kNotAMap:
      return "not_a_map";
    case KubeconfigIssue::kNotAKubeconfig:
      return "not_a_kubeconfig";
    case KubeconfigIssue::kBadStructure:
      return "bad_structure";
    case KubeconfigIssue::kNoContexts:
      return "no_contexts";
    case KubeconfigIssue::kDuplicateContextName:
      return "duplicate_context_name";
    case KubeconfigIssue::kDuplicateClusterName:
      return "duplicate_cluster_name";
    case KubeconfigIssue::kDuplicateUserName:
      return "duplicate_user_name";
    case KubeconfigIssue::kContextMissingCluster:
      return "context_missing_cluster";
    case KubeconfigIssue::kContextMissingUser:
      return "context_missing_user";
    case KubeconfigIssue::kClusterNotFound:
      return "cluster_not_found";
    case KubeconfigIssue::kUserNotFound:
      return "user_not_found";
    case KubeconfigIssue::kClusterMissingServer:
      return "cluster_missing_server";
    case KubeconfigIssue::kInvalidServerUrl:
      return "invalid_server_url";
    case KubeconfigIssue::kInsecureWithCa:
      return "insecure_with_ca";
    case KubeconfigIssue::kInvalidField:
      return "invalid_field";
    case KubeconfigIssue::kInvalidBase64:
      return "invalid_base64";
    case KubeconfigIssue::kInvalidPem:
      return "invalid_pem";
    case KubeconfigIssue::kCertificateAuthorityFile:
      return "certificate_authority_file";
    case KubeconfigIssue::kClientCertificateFile:
      return "client_certificate_file";
    case KubeconfigIssue::kClientKeyFile:
      return "client_key_file";
    case KubeconfigIssue::kTokenFile:
      return "token_file";
    case KubeconfigIssue::kExecPlugin:
      return "exec_plugin";
    case KubeconfigIssue::kAuthProvider:
      return "auth_provider";
    case KubeconfigIssue::kImpersonation:
      return "impersonation";
    case KubeconfigIssue::kNoAuthMaterial:
      return "no_auth_material";
    case KubeconfigIssue::kClientKeyMissing:
      return "client_key_missing";
    case KubeconfigIssue::kClientCertificateMissing:
      return "client_certificate_missing";
    case KubeconfigIssue::kConflictingAuth:
      return "conflicting_auth";
    case KubeconfigIssue::kInvalidName:
      return "invalid_name";
    case KubeconfigIssue::kNameTaken:
      return "name_taken";
    case KubeconfigIssue::kConnectionDeleted:
      return "connection_deleted";
    case KubeconfigIssue::kNotSelected:
      return "not_selected";
    case KubeconfigIssue::kKeptIgnored:
      return "kept_ignored";
    case KubeconfigIssue::kKeptMaintenance:
      return "kept_maintenance";
    case KubeconfigIssue::kSameConnectionInFile:
      return "same_connection_in_file";
  }
  return "unknown";
}

std::string_view KubeconfigAuthName(KubeconfigAuth auth) {
  switch (auth) {
    case KubeconfigAuth::kNone:
      return "none";
    case KubeconfigAuth::kToken:
      return "token";
    case KubeconfigAuth::kClientCertificate:
      return "client_certificate";
    case KubeconfigAuth::kClientCertificateAndToken:
      return "client_certificate_and_token";
    case KubeconfigAuth::kBasic:
      return "basic";
  }
  return "unknown";
}

std::string_view ImportOutcomeName(ImportOutcome outcome) {
  switch (outcome) {
    case ImportOutcome::kImported:
      return "imported";
    case ImportOutcome::kUpdated:
      return "updated";
    case ImportOutcome::kSkipped:
      return "skipped";
    case ImportOutcome::kError:
      return "error";
  }
  return "unknown";
}

namespace {

// Every SecretBytes is a guarded allocation of its own (pages, not bytes): don't make one
// for a field that is not set.
SecretBytes CloneIfSet(const SecretBytes& s) { return s.empty() ? SecretBytes() : s.Clone(); }

}  // namespace

KubeconfigAuthMaterial KubeconfigAuthMaterial::Clone() const {
  KubeconfigAuthMaterial copy;
  copy.auth = auth;
  copy.token = CloneIfSet(token);
  copy.client_certificate_pem = client_certificate_pem;
  copy.client_key_pem = CloneIfSet(client_key_pem);
  copy.username = username;
  copy.password = CloneIfSet(password);
  return copy;
}

size_t KubeconfigImportPlan::Count(ImportOutcome outcome) const {
  size_t n = 0;
  for (const KubeconfigContextPlan& c : contexts) n += c.outcome == outcome ? 1 : 0;
  return n;
}

namespace kubeconfig_internal {

KubeconfigProblem Problem(KubeconfigIssue issue, std::string message, int line, int column) {
  KubeconfigProblem p;
  p.issue = issue;
  p.message = std::move(message);
  p.line = line;
  p.column = column;
  return p;
}

}  // namespace kubeconfig_internal
}  // namespace credvault
