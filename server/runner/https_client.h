// One HTTP(S) exchange of a probe step, as the runner makes it (DESIGN §5): resolve, check
// every resolved address against the SSRF policy, dial only those checked addresses (no
// second lookup, so no DNS rebinding), TLS with the connection's CA from memory or the
// system store, hostname verification and SNI (server_name override), a client certificate
// and key loaded from memory, then one request and a size-capped response. Redirects are
// never followed.
//
// Never fails as a function: every failure is an observation carrying the precise
// TransportError (untrusted CA, hostname mismatch, expired certificate, client certificate
// refused or required, refused, timeout, DNS failure, ...) and a detail without secrets.
// The only translation unit of the runner that includes Boost.Asio, Beast or OpenSSL is
// https_client.cc. Reentrant: each call has its own I/O context; safe from many threads.
#ifndef CREDVAULT_SERVER_RUNNER_HTTPS_CLIENT_H_
#define CREDVAULT_SERVER_RUNNER_HTTPS_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "credvault/probe.h"
#include "credvault/probe_outcome.h"
#include "credvault/probe_ssrf.h"
#include "credvault/secret.h"

namespace credvault::runner {

struct ExchangeLimits {
  std::chrono::milliseconds dns_timeout{5000};
  std::chrono::milliseconds connect_timeout{5000};    // TCP connect and TLS handshake
  std::chrono::milliseconds response_timeout{10000};  // write the request, read the response
  size_t max_response_bytes = 1 << 20;
};

// Borrowed views: the caller owns the secrets and wipes them.
struct Exchange {
  std::string_view method;
  std::string_view url;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  const ProbeTls* tls = nullptr;            // required for https
  std::string_view client_certificate_pem;  // empty: no client certificate
  const SecretBytes* client_key_pem = nullptr;
  SsrfPolicy ssrf;
  ExchangeLimits limits;
  // Name lookup: empty = the system resolver. Tests inject one (addresses as text) to play a
  // name that resolves to a metadata address, or one whose answer changes between lookups.
  std::function<std::vector<std::string>(std::string_view host)> resolve;
  // When set, receives the server certificate's notAfter (unix seconds) after a completed
  // TLS handshake, the earliest one when several exchanges share it (expiry warnings).
  int64_t* server_cert_not_after = nullptr;
};

ProbeObservation PerformExchange(const Exchange& exchange);

// RS256 (PKCS#1 v1.5, SHA-256) over `signing_input` with a PEM RSA private key; the
// signature base64url-encoded. kInvalidArgument if the key cannot be read or cannot sign.
Result<std::string> SignRs256(std::string_view signing_input, const SecretBytes& private_key_pem);

}  // namespace credvault::runner

#endif  // CREDVAULT_SERVER_RUNNER_HTTPS_CLIENT_H_
