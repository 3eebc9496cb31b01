// JSON forms of the view models of ui.h (chips, forms, lists, actions) and of the kubeconfig
// import request, for the WASM module and any other JSON client. The one place their field
// names are written; the model's own fields (a summary's "id", "state", ...) are
// model_json.h's (a summary is read back there too: ConnectionSummaryFromJson).
//
// Pure functions; thread-safe. Nothing here throws (nlohmann's non-throwing API only).
// Errors: kValidation naming the field by its path ("query.sort: \"x\" is not a known
// value", "summaries[2].state: is missing") for a missing field, a wrong type or a name
// outside its enum. No output carries a secret value: forms carry codes and messages only.
#ifndef CREDVAULT_UI_JSON_H_
#define CREDVAULT_UI_JSON_H_

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/kubeconfig.h"
#include "credvault/status.h"
#include "credvault/ui.h"
#include "credvault/ui_expiry.h"

namespace credvault {

// {"label", "tone", "tooltip"[, "code"]}; `code` names what the chip stands for (a state or
// an outcome) when it stands for one.
nlohmann::json StatusChipToJson(const StatusChip& chip, std::string_view code = {});
// By a state's or an outcome's name; kValidation for an unknown one.
Result<nlohmann::json> StateChipJson(std::string_view state);
Result<nlohmann::json> OutcomeChipJson(std::string_view outcome);

// What a kind offers, for the method picker and the form:
// [{"method", "label", "fields": [{"name", "label", "required", "masked", "multiline"}]}].
// kValidation for an unknown kind.
Result<nlohmann::json> AuthMethodsJson(std::string_view kind);

// {"methods": [name], "name": {"code", "message"}, "method_message", "fields": [{"name",
// "label", "required", "masked", "multiline", "code", "message"}], "valid"}.
nlohmann::json CredentialFormToJson(const CredentialFormState& form);

// {"kind", "name", "endpoint", "tls": {"ca_data", "server_name", "insecure_skip_verify"},
// "credential": null | {"kind", "auth_method"}}; only "kind" is required.
Result<ConnectionFormInput> ConnectionFormInputFromJson(const nlohmann::json& j);
// {"name": message, "endpoint", "ca_data", "server_name", "insecure_skip_verify",
// "credential", "warnings": [chip], "valid"}; a message is {"code", "message"}.
nlohmann::json ConnectionFormToJson(const ConnectionFormState& form);

// A connection summary as a list row: ConnectionSummaryToJson plus the record's "version"
// (which an update and a kubeconfig re-import need) and "chips": {"state": chip,
// "warnings": [chip], "last_test": chip | null}.
nlohmann::json ConnectionRowJson(const ConnectionSummary& summary, uint64_t version);
// CredentialSummaryToJson plus "chips": {"warnings": [chip]}.
nlohmann::json CredentialRowJson(const CredentialSummary& summary);

// Queries: {"search", "kind", "state", "environment", "credential_id", "sort", "descending",
// "offset", "limit"}, every field optional; "kind" and "state" are a name or a list of
// names; "sort" is "name", "state", "kind", "host", "updated" or "last_tested".
Result<ConnectionListQuery> ConnectionListQueryFromJson(const nlohmann::json& j);
// {"search", "kind", "rotate_recommended_only", "sort" ("name", "kind", "updated"),
// "descending", "offset", "limit"}.
Result<CredentialListQuery> CredentialListQueryFromJson(const nlohmann::json& j);

// Lists over the caller's JSON summaries (rows as above): {"items": [the caller's own
// elements, in display order], "total", "counts": {state: n for every state}} and
// {"items", "total", "rotate_recommended"}.
Result<nlohmann::json> ListConnectionsJson(const nlohmann::json& summaries,
                                           const nlohmann::json& query);
Result<nlohmann::json> ListCredentialsJson(const nlohmann::json& summaries,
                                           const nlohmann::json& query);

// {"transitions": [{"to", "label", "confirmation", "destructive"}], "can_test", "can_edit"}
// for a state's and a role's names.
Result<nlohmann::json> ConnectionActionsJson(std::string_view state, std::string_view role);

// Expiry ahead of failure (ui_expiry.h) over a recorded test result: `entry` is a history
// entry (or any object) with "client_cert_not_after", "server_cert_not_after" and
// "token_expires_at", each unix seconds or null/absent; a null entry (never tested) gives
// null. `options` is {"now": unix seconds, "warning_days"?: days (default 14)}.
// Gives null when nothing expires within the window, else a chip with code "expiry":
// {"label", "tone", "tooltip", "code", "item", "expires_at", "days_left", "expired"}.
// kValidation for a field of the wrong type; kInvalidArgument for an implausible time or
// window (SoonestExpiryWarning).
Result<nlohmann::json> ExpiryChipJson(const nlohmann::json& entry, const nlohmann::json& options);

// An existing connection as a kubeconfig re-import needs it: the plan reads id, state and
// name; sealing an update reads the version it replaces and the environments it keeps.
struct ExistingConnectionRecord {
  uint64_t version = 0;  // 0 = not given
  std::vector<std::string> environment_ids;
};

// The request of the import dialog: {"select_all", "selected": [{"context", "new_name"}],
// "existing": [{"id", "state", "name"[, "version", "environment_ids"]}] (connection rows
// fit), "existing_credentials": [id | {"id"}] (credential rows fit)}. The id key is left
// empty: the caller derives it.
struct KubeconfigImportInput {
  KubeconfigImportRequest request;
  std::map<std::string, ExistingConnectionRecord> existing_records;  // by connection id
  std::set<std::string> existing_credential_ids;
};
Result<KubeconfigImportInput> KubeconfigImportInputFromJson(const nlohmann::json& j);

}  // namespace credvault

#endif  // CREDVAULT_UI_JSON_H_
