// The JSON body of a connectivity-test job (DESIGN §5): what a client seals to a runner and
// the runner maps back to a ProbeTarget plus the workspace's address policy. Field names live
// in probe_target_json.cc only.
//
//   {"kind": "prometheus", "endpoint": "https://prom:9090",
//    "tls": {"ca_pem": "...", "server_name": "...", "insecure_skip_verify": false},
//    "auth": {"kind": "basic", "username": "...", "password": "...", "token": "...",
//             "client_certificate_pem": "...", "client_key_pem": "...",
//             "header_name": "...", "header_value": "...",
//             "app_id": "...", "installation_id": "...", "app_private_key_pem": "..."},
//    "http": {"path": "/healthz", "expected_status": 200},
//    "allow_private_targets": false}
//
// Only "kind" and "endpoint" are required; absent objects and fields take ProbeTarget's
// defaults. Unknown fields are refused (kMalformed): a typo in a security setting must not
// silently fall back to a default. Secrets go into SecretBytes; the parsed JSON's strings are
// wiped before it is dropped (nlohmann's own buffers are otherwise out of reach).
//
// Errors of ProbeJobSpecFromJsonText: kParseError (not JSON), kMalformed (not an object, a
// missing or mistyped field, an unknown kind, an unknown field). Whether the target makes a
// valid plan is PlanProbe's business (kValidation there). Non-throwing; pure; reentrant.
#ifndef CREDVAULT_PROBE_TARGET_JSON_H_
#define CREDVAULT_PROBE_TARGET_JSON_H_

#include <string_view>

#include "credvault/probe.h"
#include "credvault/probe_ssrf.h"
#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

struct ProbeJobSpec {
  ProbeTarget target;
  SsrfPolicy ssrf;  // the workspace's choice, carried by the client that sealed the job
};

Result<ProbeJobSpec> ProbeJobSpecFromJsonText(std::string_view text);

// The body a client seals. The text holds the secrets, so it comes back as SecretBytes.
SecretBytes ProbeJobSpecToJsonText(const ProbeJobSpec& spec);

}  // namespace credvault

#endif  // CREDVAULT_PROBE_TARGET_JSON_H_
