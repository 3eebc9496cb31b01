// Connections: a service credvault tests (a cluster, a Prometheus, a Grafana, GitHub, any
// HTTP(S) API), in the three layers of STYLE.md.
//
//   ConnectionView     decrypted: name, endpoint, TLS settings, credential, environments,
//                      state, last test. Client only.
//   SealedConnection   what the server stores. Name, endpoint and CA data (the secret parts,
//                      DESIGN §2) are one envelope "connection" under the workspace metadata
//                      key, bound to workspace, id and version; kind, state, credential id,
//                      environment ids, the managed flag, the skip-verify choice and the
//                      last test's outcome are plaintext, so the server can enforce the
//                      state machine, filter and count without reading hosts.
//   ConnectionSummary  what a list row shows.
//
// Errors: kValidation (FieldIssue naming "name", "endpoint", "ca_data", "server_name",
// "credential_id", "environment_ids"), kDecryptFailed / kMalformed from the envelope,
// kConflict when the sealed details disagree with the plaintext record. Pure functions;
// thread-safe.
#ifndef CREDVAULT_CONNECTION_H_
#define CREDVAULT_CONNECTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/connection_state.h"
#include "credvault/credential.h"
#include "credvault/crypto.h"
#include "credvault/kind.h"
#include "credvault/workspace_keys.h"

namespace credvault {

// An http or https URL split into parts. Query strings and fragments are refused (a test
// request appends its own path), and so is user info ("user:pass@" belongs in a credential).
struct Endpoint {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; IPv6 without brackets
  uint16_t port = 0;   // explicit, or the scheme's default
  std::string path;    // "" or starts with "/", without a trailing "/"

  bool plain_http() const { return scheme == "http"; }
  // Canonical text: default ports and a trailing "/" dropped, IPv6 hosts bracketed.
  std::string ToString() const;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};
// Issues name `field`. Codes: required, control_chars, bad_scheme, missing_host, bad_host,
// bad_port, user_info, query_or_fragment, too_long.
Result<Endpoint> ParseEndpoint(std::string_view url, std::string_view field = "endpoint");
// The same as a FieldIssue (for forms); fills `out` when there is none.
std::optional<FieldIssue> CheckEndpoint(std::string_view url, std::string_view field,
                                        Endpoint* out);

struct TlsSettings {
  std::string ca_data;      // PEM CERTIFICATE bundle; empty = the runner's system roots
  std::string server_name;  // SNI and name to verify, when it differs from the host
  // Turns certificate checks off. Only ever set by an explicit user choice; every list and
  // test result shows it.
  bool insecure_skip_verify = false;
};

// The last connectivity test, as the client recorded it after verifying the runner's
// signature. Outcome codes only: messages may name hosts and stay in the client.
struct LastTest {
  TestOutcome outcome = TestOutcome::kOk;
  int64_t tested_at = 0;  // unix seconds; 0 = never tested
  uint32_t latency_ms = 0;
  uint16_t http_status = 0;  // 0 when there was no HTTP answer
  std::string runner_id;
  friend bool operator==(const LastTest&, const LastTest&) = default;
};

struct ConnectionView {
  std::string id;
  std::string workspace_id;
  ServiceKind kind = ServiceKind::kHttp;
  std::string name;
  Endpoint endpoint;
  TlsSettings tls;
  std::string credential_id;  // empty = anonymous
  bool managed = false;       // created by an import (managed) or by hand (unmanaged)
  std::vector<std::string> environment_ids;
  ConnectionState state = kInitialConnectionState;
  std::optional<LastTest> last_test;
  uint64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct SealedConnection {
  std::string id;
  std::string workspace_id;
  ServiceKind kind = ServiceKind::kHttp;
  ConnectionState state = kInitialConnectionState;
  std::string credential_id;
  bool managed = false;
  bool insecure_skip_verify = false;
  std::vector<std::string> environment_ids;
  std::optional<LastTest> last_test;
  uint64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  Bytes sealed_details;  // envelope "connection": name, endpoint, CA data, server name
};

struct ConnectionSummary {
  std::string id;
  std::string name;
  ServiceKind kind = ServiceKind::kHttp;
  ConnectionState state = kInitialConnectionState;
  std::string endpoint;  // Endpoint::ToString()
  std::string host;
  bool plain_http = false;
  bool insecure_skip_verify = false;
  bool managed = false;
  std::string credential_id;
  std::vector<std::string> environment_ids;
  std::optional<LastTest> last_test;
  int64_t updated_at = 0;
};

inline constexpr size_t kMaxEnvironmentsPerConnection = 64;

// Every problem with `view` (plain http is allowed and flagged by the summary, not here).
FieldIssues CheckConnection(const ConnectionView& view);
Status ValidateConnection(const ConnectionView& view);
// Whether a credential of (credential_kind, method) can authenticate a connection of
// `connection_kind`: the same kind, or a generic http credential (basic, bearer, header)
// on a Prometheus, Grafana or http connection. kValidation naming "credential_id".
Status CheckCredentialFits(ServiceKind connection_kind, ServiceKind credential_kind,
                           AuthMethod method);

EnvelopeContext ConnectionContext(std::string_view workspace_id, std::string_view connection_id,
                                  uint64_t version);

// Validates and seals under `keys.metadata`. kInvalidArgument when `keys` belong to another
// workspace than `view.workspace_id`.
Result<SealedConnection> SealConnection(const ConnectionView& view, const WorkspaceKeys& keys);
Result<ConnectionView> OpenConnection(const SealedConnection& sealed, const WorkspaceKeys& keys);
ConnectionSummary SummarizeConnection(const ConnectionView& view);

}  // namespace credvault

#endif  // CREDVAULT_CONNECTION_H_
