// Private to shared/src/kubeconfig/: the seams between the text guard, the YAML reader and
// the rules that classify cluster and user entries (which know nothing of YAML).
#ifndef CREDVAULT_SRC_KUBECONFIG_INTERNAL_H_
#define CREDVAULT_SRC_KUBECONFIG_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "credvault/kubeconfig.h"

namespace credvault::kubeconfig_internal {

// Checks size, encoding, nesting depth and node count before yaml-cpp sees the text, so
// that no input can exhaust the WASM stack or heap. ok() when the text may be parsed.
KubeconfigProblem CheckText(std::string_view text);

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD: strings that
// reach JSON must be valid UTF-8 (nlohmann's dump() throws otherwise), and yaml-cpp turns
// escapes such as "\uD800" into bytes that are not.
std::string ToValidUtf8(std::string_view text);
bool IsValidUtf8(std::string_view text);

// A YAML field as read: absent, or present with a string value, or present with a value of
// another YAML type (recorded so the rules can name the field).
struct RawField {
  bool present = false;
  bool is_string = false;
  std::string value;
  int line = 0;
  int column = 0;
};

struct RawCluster {
  std::string name;
  int line = 0;
  bool has_body = false;  // a `cluster:` map
  RawField server;
  RawField certificate_authority_data;
  RawField certificate_authority;
  RawField tls_server_name;
  RawField insecure_skip_tls_verify;
  RawField proxy_url;
};

struct RawUser {
  std::string name;
  int line = 0;
  bool has_body = false;  // a `user:` map
  RawField token;
  RawField token_file;
  RawField client_certificate_data;
  RawField client_key_data;
  RawField client_certificate;
  RawField client_key;
  RawField username;
  RawField password;
  bool has_exec = false;
  int exec_line = 0;
  std::string exec_command;
  std::vector<std::string> exec_args;
  bool has_auth_provider = false;
  int auth_provider_line = 0;
  std::string auth_provider_name;
  bool has_impersonation = false;
  int impersonation_line = 0;
};

KubeconfigCluster ClassifyCluster(const RawCluster& raw);
// Wipes the secret fields of `raw` as it moves them into the result.
KubeconfigUser ClassifyUser(RawUser& raw);

// The problem, built in one place so that every message has the same shape.
KubeconfigProblem Problem(KubeconfigIssue issue, std::string message, int line = 0, int column = 0);

}  // namespace credvault::kubeconfig_internal

#endif  // CREDVAULT_SRC_KUBECONFIG_INTERNAL_H_
