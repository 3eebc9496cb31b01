// View models the web app renders: filtered, sorted, searched lists of credential and
// connection summaries with counts per state; status chips; the actions a role may take on
// a connection; the state of a credential form with per-field messages.
//
// The web layer only draws what these return: every rule (what a chip says, which
// transitions a viewer sees, which field is wrong) is decided here. Lists return row
// indices into the caller's span rather than copies, and allocate nothing per item, so
// 100,000 connections filter and sort within a frame. Pure functions; thread-safe.
#ifndef CREDVAULT_UI_H_
#define CREDVAULT_UI_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/connection.h"
#include "credvault/connection_state.h"
#include "credvault/credential.h"
#include "credvault/permissions.h"

namespace credvault {

// ---- chips ----

enum class ChipTone { kNeutral, kInfo, kSuccess, kWarning, kDanger, kMuted };
// "neutral", "info", "success", "warning", "danger", "muted": CSS class suffixes.
std::string_view ChipToneName(ChipTone tone);

struct StatusChip {
  std::string_view label;  // "Connected", "Not found", ...
  ChipTone tone;
  std::string_view tooltip;  // what the state means, in a sentence
};
StatusChip ConnectionStateChip(ConnectionState state);
StatusChip TestOutcomeChip(TestOutcome outcome);

// Warnings a connection row shows beside its state chip (plain http, TLS not verified, a
// credential to rotate). In a fixed order.
std::vector<StatusChip> ConnectionWarningChips(const ConnectionSummary& connection);
std::vector<StatusChip> CredentialWarningChips(const CredentialSummary& credential);

// ---- lists ----

enum class SortOrder { kAscending, kDescending };

enum class ConnectionSortKey { kName, kState, kKind, kHost, kUpdatedAt, kLastTestedAt };
struct ConnectionListQuery {
  std::string search;                   // case-insensitive, in name and endpoint (host)
  std::vector<ConnectionState> states;  // empty = every state but deleted
  std::vector<ServiceKind> kinds;       // empty = every kind
  std::string environment_id;           // empty = any
  std::string credential_id;            // empty = any
  ConnectionSortKey sort = ConnectionSortKey::kName;
  SortOrder order = SortOrder::kAscending;
  size_t offset = 0;
  size_t limit = 0;  // 0 = no limit
};
struct ConnectionListView {
  std::vector<uint32_t> rows;  // indices into the input, in display order, one page
  size_t total = 0;            // matches before paging
  // Per state, over the items that pass every filter except the state filter, so that the
  // state chips of a filter bar show what picking them would give.
  std::array<size_t, kConnectionStateCount> state_counts{};
};
ConnectionListView ListConnections(std::span<const ConnectionSummary> items,
                                   const ConnectionListQuery& query);

// The same queries over a prepared index, for a list that is queried again and again (a
// search box filters on every keystroke): built once in O(n), each query then reads only
// compact arrays and one contiguous block of folded text, and gives exactly what
// ListConnections gives. The full order for a sort key and direction is computed the first
// time it is asked for and kept, so a large result is put in order by one walk instead of a
// sort. Holds a view of `items`, which must outlive it and not change. Thread-safe.
class ConnectionListIndex {
 public:
  explicit ConnectionListIndex(std::span<const ConnectionSummary> items);
  ~ConnectionListIndex();
  ConnectionListIndex(const ConnectionListIndex&) = delete;
  ConnectionListIndex& operator=(const ConnectionListIndex&) = delete;

  ConnectionListView Query(const ConnectionListQuery& query) const;
  size_t size() const { return items_.size(); }

 private:
  struct Orders;
  std::vector<uint32_t> SearchRows(std::string_view folded_needle) const;
  uint64_t SortKeyOf(uint32_t row, ConnectionSortKey key) const;
  // Every row, in the order of (key, order); computed once.
  const std::vector<uint32_t>& OrderFor(ConnectionSortKey key, SortOrder order) const;
  void PutInOrder(const ConnectionListQuery& query, std::vector<uint32_t>* rows) const;

  std::span<const ConnectionSummary> items_;
  std::vector<uint8_t> state_;
  std::vector<uint8_t> kind_;
  std::vector<uint64_t> name_key_;
  std::vector<uint64_t> host_key_;
  std::vector<uint64_t> updated_key_;
  std::vector<uint64_t> tested_key_;
  // Per row: folded name, '\n', folded endpoint, '\0'; row r starts at text_start_[r].
  std::string text_;
  std::vector<uint32_t> text_start_;
  std::unique_ptr<Orders> orders_;
};

enum class CredentialSortKey { kName, kKind, kUpdatedAt };
struct CredentialListQuery {
  std::string search;              // case-insensitive, in name
  std::vector<ServiceKind> kinds;  // empty = every kind
  bool rotate_recommended_only = false;
  CredentialSortKey sort = CredentialSortKey::kName;
  SortOrder order = SortOrder::kAscending;
  size_t offset = 0;
  size_t limit = 0;
};
struct CredentialListView {
  std::vector<uint32_t> rows;
  size_t total = 0;
  size_t rotate_recommended = 0;  // among the matches
};
CredentialListView ListCredentials(std::span<const CredentialSummary> items,
                                   const CredentialListQuery& query);

// ---- actions ----

struct ConnectionActions {
  std::vector<UserTransition> transitions;  // the state menu, with confirmation texts
  bool can_test = false;
  bool can_edit = false;
};
ConnectionActions ActionsFor(ConnectionState state, Role role);

// ---- credential form ----

struct FormField {
  CredentialField field;
  std::string_view name;  // JSON and input name
  std::string_view label;
  bool required = false;
  bool masked = false;     // a password-style input
  bool multiline = false;  // PEM text
  std::string code;        // empty when the field is fine
  std::string message;
};
struct CredentialFormState {
  std::vector<AuthMethod> methods;  // what the kind offers, for the method picker
  std::string name_code;
  std::string name_message;
  std::string method_message;     // set when the method does not fit the kind
  std::vector<FormField> fields;  // the chosen method's fields, in order
  bool valid = false;             // submit enabled
};
// Fields the chosen method does not use are not shown and do not block the form; call
// DropUnusedFields before sealing (values typed under another method would otherwise fail
// validation as "not_used").
// `touched` = the user tried to submit (or left the field): before that, "required" is not
// shown as an error, only format problems of what was typed are.
CredentialFormState BuildCredentialForm(const CredentialView& view, bool touched);
void DropUnusedFields(CredentialView* view);

// ---- connection form ----

// What the connection form holds while the user types: the endpoint as text, and the kind
// and method of the credential picked (if any), which decide whether it fits.
struct ConnectionFormInput {
  ServiceKind kind = ServiceKind::kHttp;
  std::string name;
  std::string endpoint;
  TlsSettings tls;
  bool has_credential = false;
  ServiceKind credential_kind = ServiceKind::kHttp;
  AuthMethod credential_method = AuthMethod::kBearerToken;
};
struct ConnectionFormMessage {
  std::string code;  // empty when the field is fine
  std::string message;
};
struct ConnectionFormState {
  ConnectionFormMessage name;
  ConnectionFormMessage endpoint;
  ConnectionFormMessage ca_data;
  ConnectionFormMessage server_name;
  ConnectionFormMessage insecure_skip_verify;
  ConnectionFormMessage credential;
  // Warnings that do not block saving, shown beside the endpoint and the TLS choice.
  std::vector<StatusChip> warnings;
  bool valid = false;  // submit enabled
};
// The same checks the seal step runs (CheckConnection, CheckCredentialFits), placed beside
// their fields; `touched` as for the credential form.
ConnectionFormState BuildConnectionForm(const ConnectionFormInput& input, bool touched);

}  // namespace credvault

#endif  // CREDVAULT_UI_H_
