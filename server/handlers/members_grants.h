// Key grants arriving in request bodies (workspace creation, invitations, role changes, key
// rotation): the server cannot open a grant, but it checks everything it can see. A grant
// must be for this workspace, this recipient and this generation, carry the secrets key
// exactly when the recipient's role receives it (permissions.h ReceivesSecretsKey), and be
// signed by the acting account's Ed25519 key, so that no member stores a grant the
// recipient would then refuse. Pure; thread-safe.
#ifndef CREDVAULT_SERVER_HANDLERS_MEMBERS_GRANTS_H_
#define CREDVAULT_SERVER_HANDLERS_MEMBERS_GRANTS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "credvault/account.h"
#include "credvault/permissions.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"

namespace credvault::server {

// A runner granted the workspace keys for active monitoring receives what an operator does:
// both keys (it opens credentials) and the right to run tests, nothing more. Its grant is
// checked, and its results move a connection's state, as an operator's would.
inline constexpr Role kRunnerRole = Role::kOperator;

struct GrantExpectation {
  std::string_view workspace_id;
  std::string_view recipient_id;
  uint32_t generation = 0;
  Role recipient_role = Role::kViewer;
};

// `value` as a KeyGrant (its JSON form, crypto_json.h) that meets `expected` and is signed
// by `granter`. Errors: kValidation naming `name` (not a grant, unknown field, a mismatch),
// kBadSignature or kMalformed from the signature check.
Result<KeyGrant> ReadGrant(const nlohmann::json& value, std::string_view name,
                           const GrantExpectation& expected, const AccountRecord& granter);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_MEMBERS_GRANTS_H_
