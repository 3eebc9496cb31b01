// PEM checks for certificates and private keys pasted into a credential or a connection.
//
// A structural check, not an X.509 or PKCS#8 parse: the armour lines match, the label is
// the expected kind of block, and the body is base64. Enough to catch the mistakes people
// make (a key pasted where the certificate goes, a truncated paste, a base64-of-PEM from a
// kubeconfig's *-data field, an encrypted key) before a connectivity test fails obscurely.
// Pure functions; thread-safe.
#ifndef CREDVAULT_PEM_H_
#define CREDVAULT_PEM_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/kind.h"

namespace credvault {

enum class PemExpect {
  kCertificates,   // one or more CERTIFICATE blocks (a CA bundle or a client chain)
  kPrivateKey,     // one PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block
  kRsaPrivateKey,  // one PRIVATE KEY or RSA PRIVATE KEY block (GitHub App keys sign RS256)
};

struct PemBlock {
  std::string label;  // "CERTIFICATE", "RSA PRIVATE KEY", ...
  size_t der_bytes = 0;
};

// The blocks of `text`, or the problem as a FieldIssue for `field`. Codes:
//   pem_missing_armour     no "-----BEGIN ...-----" line (e.g. base64 of a PEM pasted)
//   pem_unterminated       BEGIN without a matching END (a truncated paste)
//   pem_mismatched_armour  END label differs from BEGIN label
//   pem_bad_base64         the body is not base64, or is empty
//   pem_encrypted          an encrypted private key (credvault cannot ask for its passphrase)
//   pem_wrong_type         a block of another kind than `expect` wants (names both)
//   pem_too_many_blocks    more than one key block
//   pem_trailing_data      text outside the blocks
std::optional<FieldIssue> CheckPem(std::string_view field, std::string_view text, PemExpect expect,
                                   std::vector<PemBlock>* blocks = nullptr);

}  // namespace credvault

#endif  // CREDVAULT_PEM_H_
