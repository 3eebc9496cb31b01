// What a runner sees about to expire in a test's credential, reported in the signed result so
// a client warns days ahead instead of learning it from a failure (active monitoring):
// the client certificate's notAfter (from the PEM the runner presents), a bearer JWT's
// `exp` (its payload decoded WITHOUT verifying the signature: the runner cannot, and only
// reads a date), and the server certificate's notAfter (taken by the HTTPS client after the
// handshake: Exchange::server_cert_not_after). Unix seconds; absent when nothing was seen.
//
// Pure functions, reentrant. Never logs or returns any part of the secret itself.
#ifndef CREDVAULT_SERVER_RUNNER_EXPIRY_H_
#define CREDVAULT_SERVER_RUNNER_EXPIRY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "credvault/probe.h"
#include "credvault/ui_expiry.h"  // the result's field names

namespace credvault::runner {

// notAfter of the first certificate in `pem`; nullopt when it holds none that parses.
std::optional<int64_t> CertificateNotAfter(std::string_view pem);
// `exp` of a JWT (header.payload.signature, base64url); nullopt for anything else.
std::optional<int64_t> JwtExpiry(std::string_view token);

// Adds the fields above that `target` lets the runner see to `result`.
void AddCredentialExpiry(const ProbeTarget& target, nlohmann::json& result);

}  // namespace credvault::runner

#endif  // CREDVAULT_SERVER_RUNNER_EXPIRY_H_
