// The plaintexts sealed inside the model's envelopes: a credential's secret fields and a
// connection's details. JSON, produced into and parsed from guarded memory; the JSON values
// built along the way are wiped before they are freed. Kind and auth method are repeated
// inside, so that a server which flips the plaintext kind or method of a record is caught
// when the record is opened (kConflict).
#ifndef CREDVAULT_JSON_MODEL_PAYLOAD_H_
#define CREDVAULT_JSON_MODEL_PAYLOAD_H_

#include <string>
#include <string_view>

#include "credvault/connection.h"
#include "credvault/credential.h"

namespace credvault::internal {

SecretBytes CredentialSecretPlaintext(const CredentialView& view);
// A view without its name (the name is sealed separately).
Result<CredentialView> CredentialFromSecretPlaintext(std::string_view text);

struct ConnectionDetails {
  ServiceKind kind = ServiceKind::kHttp;
  std::string name;
  std::string endpoint;
  std::string ca_data;
  std::string server_name;
};
SecretBytes ConnectionDetailsPlaintext(const ConnectionView& view);
Result<ConnectionDetails> ConnectionDetailsFromPlaintext(std::string_view text);

}  // namespace credvault::internal

#endif  // CREDVAULT_JSON_MODEL_PAYLOAD_H_
