// JSON of the view models. Values are built with nlohmann's non-throwing API and read
// through ModelReader (presence and type checked before every get).
#include "credvault/ui_json.h"

#include "credvault/model_json.h"
#include "json/model_reader.h"
#include "model/enum_table.h"

namespace credvault {

using internal::ModelReader;
using nlohmann::json;

namespace {

// Field names of the view models.
constexpr const char* kLabel = "label";
constexpr const char* kTone = "tone";
constexpr const char* kTooltip = "tooltip";
constexpr const char* kCode = "code";
constexpr const char* kMessage = "message";
constexpr const char* kMethod = "method";
constexpr const char* kMethods = "methods";
constexpr const char* kMethodMessage = "method_message";
constexpr const char* kFields = "fields";
constexpr const char* kRequired = "required";
constexpr const char* kMasked = "masked";
constexpr const char* kMultiline = "multiline";
constexpr const char* kValid = "valid";
constexpr const char* kCredential = "credential";
constexpr const char* kWarnings = "warnings";
constexpr const char* kChips = "chips";
constexpr const char* kItems = "items";
constexpr const char* kTotal = "total";
constexpr const char* kCounts = "counts";
constexpr const char* kSearch = "search";
constexpr const char* kEnvironment = "environment";
constexpr const char* kSort = "sort";
constexpr const char* kDescending = "descending";
constexpr const char* kOffset = "offset";
constexpr const char* kLimit = "limit";
constexpr const char* kRotateRecommendedOnly = "rotate_recommended_only";
constexpr const char* kTransitions = "transitions";
constexpr const char* kTo = "to";
constexpr const char* kConfirmation = "confirmation";
constexpr const char* kDestructive = "destructive";
constexpr const char* kCanTest = "can_test";
constexpr const char* kCanEdit = "can_edit";
constexpr const char* kSelectAll = "select_all";
constexpr const char* kSelected = "selected";
constexpr const char* kContext = "context";
constexpr const char* kNewName = "new_name";
constexpr const char* kExisting = "existing";
constexpr const char* kExistingCredentials = "existing_credentials";
// The model's names where the view models read or write them beside the model's own JSON
// (model_json.cc).
constexpr const char* kId = "id";
constexpr const char* kName = "name";
constexpr const char* kKind = "kind";
constexpr const char* kAuthMethod = "auth_method";
constexpr const char* kState = "state";
constexpr const char* kVersion = "version";
constexpr const char* kEndpoint = "endpoint";
constexpr const char* kTls = "tls";
constexpr const char* kCaData = "ca_data";
constexpr const char* kServerName = "server_name";
constexpr const char* kInsecureSkipVerify = "insecure_skip_verify";
constexpr const char* kCredentialId = "credential_id";
constexpr const char* kEnvironmentIds = "environment_ids";
constexpr const char* kLastTest = "last_test";
constexpr const char* kOutcome = "outcome";
constexpr const char* kRotateRecommended = "rotate_recommended";
// The expiry fields of a recorded test result (the server's history entries) and the
// expiry chip's own fields.
constexpr const char* kNow = "now";
constexpr const char* kWarningDays = "warning_days";
constexpr const char* kItem = "item";
constexpr const char* kExpiresAt = "expires_at";
constexpr const char* kDaysLeft = "days_left";
constexpr const char* kExpired = "expired";
constexpr std::string_view kExpiryChipCode = "expiry";

constexpr size_t kMaxListedNames = 64;        // kinds or states in one filter
constexpr size_t kMaxImportEntries = 100000;  // contexts, existing connections

constexpr internal::EnumName<ConnectionSortKey> kConnectionSortNames[] = {
    {ConnectionSortKey::kName, "name"},         {ConnectionSortKey::kState, "state"},
    {ConnectionSortKey::kKind, "kind"},         {ConnectionSortKey::kHost, "host"},
    {ConnectionSortKey::kUpdatedAt, "updated"}, {ConnectionSortKey::kLastTestedAt, "last_tested"},
};
constexpr internal::EnumName<CredentialSortKey> kCredentialSortNames[] = {
    {CredentialSortKey::kName, "name"},
    {CredentialSortKey::kKind, "kind"},
    {CredentialSortKey::kUpdatedAt, "updated"},
};

std::optional<ConnectionSortKey> ParseConnectionSort(std::string_view name) {
  return internal::ValueOf(kConnectionSortNames, name);
}
std::optional<CredentialSortKey> ParseCredentialSort(std::string_view name) {
  return internal::ValueOf(kCredentialSortNames, name);
}

Status Unknown(std::string_view field, std::string_view name) {
  return Status(
      ErrorCode::kValidation,
      std::string(field) + ": \"" + std::string(name.substr(0, 40)) + "\" is not a known value");
}

json Message(const std::string& code, const std::string& message) {
  return json{{kCode, code}, {kMessage, message}};
}

json Chips(const std::vector<StatusChip>& chips) {
  json out = json::array();
  for (const StatusChip& c : chips) out.push_back(StatusChipToJson(c));
  return out;
}

// A name or a list of names of an enum; absent, null or "" = no filter.
template <typename E>
void EnumList(ModelReader& r, const char* key, std::vector<E>* out,
              std::optional<E> (*parse)(std::string_view)) {
  if (!r.ok()) return;
  auto it = r.doc().find(key);
  if (it == r.doc().end() || it->is_null()) return;
  auto add = [&](const json& v) {
    if (!v.is_string()) return r.Fail(key, "must be a name or a list of names");
    const std::string& name = v.get_ref<const std::string&>();
    if (name.empty()) return;
    std::optional<E> value = parse(name);
    if (!value) return r.Fail(key, "\"" + name.substr(0, 40) + "\" is not a known value");
    out->push_back(*value);
  };
  if (it->is_array()) {
    if (it->size() > kMaxListedNames) return r.Fail(key, "lists too many names");
    for (const json& v : *it) add(v);
  } else {
    add(*it);
  }
}

void Paging(ModelReader& r, size_t* offset, size_t* limit) {
  uint64_t o = 0, l = 0;
  r.OptionalUint(kOffset, &o, UINT32_MAX);
  r.OptionalUint(kLimit, &l, UINT32_MAX);
  *offset = static_cast<size_t>(o);
  *limit = static_cast<size_t>(l);
}

bool OptionalPresent(ModelReader& r, const char* key) {
  if (!r.ok()) return false;
  auto it = r.doc().find(key);
  return it != r.doc().end() && !it->is_null();
}

// An optional list: nullptr when absent or null (and after a failure).
const json* OptionalList(ModelReader& r, const char* key, size_t max_items) {
  if (!OptionalPresent(r, key)) return nullptr;
  const json* list = r.Array(key);
  if (list != nullptr && list->size() > max_items) {
    r.Fail(key, "has more than " + std::to_string(max_items) + " entries");
    return nullptr;
  }
  return list;
}

void OptionalStringList(ModelReader& r, const char* key, std::vector<std::string>* out,
                        size_t max_items) {
  if (OptionalPresent(r, key)) r.StringList(key, out, max_items);
}

Status NotAList(const char* what) {
  return Status(ErrorCode::kValidation, std::string(what) + ": must be a list");
}

std::string Indexed(const char* key, size_t i) {
  return std::string(key) + "[" + std::to_string(i) + "]";
}

}  // namespace

json StatusChipToJson(const StatusChip& chip, std::string_view code) {
  json j{{kLabel, chip.label}, {kTone, ChipToneName(chip.tone)}, {kTooltip, chip.tooltip}};
  if (!code.empty()) j[kCode] = code;
  return j;
}

Result<json> StateChipJson(std::string_view state) {
  std::optional<ConnectionState> s = ParseConnectionState(state);
  if (!s) return Unknown(kState, state);
  return StatusChipToJson(ConnectionStateChip(*s), ConnectionStateName(*s));
}

Result<json> OutcomeChipJson(std::string_view outcome) {
  std::optional<TestOutcome> o = ParseTestOutcome(outcome);
  if (!o) return Unknown(kOutcome, outcome);
  return StatusChipToJson(TestOutcomeChip(*o), TestOutcomeName(*o));
}

Result<json> AuthMethodsJson(std::string_view kind) {
  std::optional<ServiceKind> k = ParseServiceKind(kind);
  if (!k) return Unknown(kKind, kind);
  json out = json::array();
  for (const AuthMethodSpec& spec : AuthMethodSpecs()) {
    if (spec.kind != *k) continue;
    // The form's own field list, so that "multiline" and the rest are decided in one place.
    CredentialView probe;
    probe.kind = spec.kind;
    probe.method = spec.method;
    json fields = json::array();
    for (const FormField& f : BuildCredentialForm(probe, false).fields) {
      fields.push_back(json{{kName, f.name},
                            {kLabel, f.label},
                            {kRequired, f.required},
                            {kMasked, f.masked},
                            {kMultiline, f.multiline}});
    }
    out.push_back(
        json{{kMethod, AuthMethodName(spec.method)}, {kLabel, spec.label}, {kFields, fields}});
  }
  return out;
}

json CredentialFormToJson(const CredentialFormState& form) {
  json methods = json::array();
  for (AuthMethod m : form.methods) methods.push_back(AuthMethodName(m));
  json fields = json::array();
  for (const FormField& f : form.fields) {
    fields.push_back(json{{kName, f.name},
                          {kLabel, f.label},
                          {kRequired, f.required},
                          {kMasked, f.masked},
                          {kMultiline, f.multiline},
                          {kCode, f.code},
                          {kMessage, f.message}});
  }
  return json{{kMethods, methods},
              {kName, Message(form.name_code, form.name_message)},
              {kMethodMessage, form.method_message},
              {kFields, fields},
              {kValid, form.valid}};
}

Result<ConnectionFormInput> ConnectionFormInputFromJson(const json& j) {
  ModelReader r(j, "");
  ConnectionFormInput input;
  r.Enum(kKind, &input.kind, &ParseServiceKind);
  r.OptionalString(kName, &input.name);
  r.OptionalString(kEndpoint, &input.endpoint);
  if (const json* tls = r.OptionalObject(kTls); tls != nullptr) {
    ModelReader t(*tls, kTls);
    t.OptionalString(kCaData, &input.tls.ca_data);
    t.OptionalString(kServerName, &input.tls.server_name);
    t.OptionalBool(kInsecureSkipVerify, &input.tls.insecure_skip_verify);
    if (!t.ok()) return t.status();
  }
  if (const json* credential = r.OptionalObject(kCredential); credential != nullptr) {
    ModelReader c(*credential, kCredential);
    c.Enum(kKind, &input.credential_kind, &ParseServiceKind);
    c.Enum(kAuthMethod, &input.credential_method, &ParseAuthMethod);
    if (!c.ok()) return c.status();
    input.has_credential = true;
  }
  if (!r.ok()) return r.status();
  return input;
}

json ConnectionFormToJson(const ConnectionFormState& form) {
  auto message = [](const ConnectionFormMessage& m) { return Message(m.code, m.message); };
  return json{{kName, message(form.name)},
              {kEndpoint, message(form.endpoint)},
              {kCaData, message(form.ca_data)},
              {kServerName, message(form.server_name)},
              {kInsecureSkipVerify, message(form.insecure_skip_verify)},
              {kCredential, message(form.credential)},
              {kWarnings, Chips(form.warnings)},
              {kValid, form.valid}};
}

json ConnectionRowJson(const ConnectionSummary& summary, uint64_t version) {
  json j = ConnectionSummaryToJson(summary);
  j[kVersion] = version;
  json last_test = nullptr;
  if (summary.last_test) {
    last_test = StatusChipToJson(TestOutcomeChip(summary.last_test->outcome),
                                 TestOutcomeName(summary.last_test->outcome));
  }
  j[kChips] = json{{kState, StatusChipToJson(ConnectionStateChip(summary.state),
                                             ConnectionStateName(summary.state))},
                   {kWarnings, Chips(ConnectionWarningChips(summary))},
                   {kLastTest, last_test}};
  return j;
}

json CredentialRowJson(const CredentialSummary& summary) {
  json j = CredentialSummaryToJson(summary);
  j[kChips] = json{{kWarnings, Chips(CredentialWarningChips(summary))}};
  return j;
}

Result<ConnectionListQuery> ConnectionListQueryFromJson(const json& j) {
  ConnectionListQuery q;
  if (j.is_null()) return q;
  ModelReader r(j, "query");
  bool descending = false;
  r.OptionalString(kSearch, &q.search);
  EnumList(r, kKind, &q.kinds, &ParseServiceKind);
  EnumList(r, kState, &q.states, &ParseConnectionState);
  r.OptionalString(kEnvironment, &q.environment_id);
  r.OptionalString(kCredentialId, &q.credential_id);
  if (OptionalPresent(r, kSort)) r.Enum(kSort, &q.sort, &ParseConnectionSort);
  r.OptionalBool(kDescending, &descending);
  Paging(r, &q.offset, &q.limit);
  if (!r.ok()) return r.status();
  q.order = descending ? SortOrder::kDescending : SortOrder::kAscending;
  return q;
}

Result<CredentialListQuery> CredentialListQueryFromJson(const json& j) {
  CredentialListQuery q;
  if (j.is_null()) return q;
  ModelReader r(j, "query");
  bool descending = false;
  r.OptionalString(kSearch, &q.search);
  EnumList(r, kKind, &q.kinds, &ParseServiceKind);
  r.OptionalBool(kRotateRecommendedOnly, &q.rotate_recommended_only);
  if (OptionalPresent(r, kSort)) r.Enum(kSort, &q.sort, &ParseCredentialSort);
  r.OptionalBool(kDescending, &descending);
  Paging(r, &q.offset, &q.limit);
  if (!r.ok()) return r.status();
  q.order = descending ? SortOrder::kDescending : SortOrder::kAscending;
  return q;
}

Result<json> ListConnectionsJson(const json& summaries, const json& query) {
  if (!summaries.is_array()) return NotAList("summaries");
  CV_ASSIGN_OR_RETURN(ConnectionListQuery q, ConnectionListQueryFromJson(query));
  std::vector<ConnectionSummary> items;
  items.reserve(summaries.size());
  for (size_t i = 0; i < summaries.size(); ++i) {
    CV_ASSIGN_OR_RETURN(ConnectionSummary s,
                        ConnectionSummaryFromJson(summaries[i], Indexed("summaries", i)));
    items.push_back(std::move(s));
  }
  ConnectionListView view = ListConnections(items, q);
  json rows = json::array();
  for (uint32_t row : view.rows) rows.push_back(summaries[row]);
  json counts = json::object();
  for (ConnectionState s : kAllConnectionStates) {
    counts[std::string(ConnectionStateName(s))] = view.state_counts[static_cast<size_t>(s)];
  }
  return json{{kItems, std::move(rows)}, {kTotal, view.total}, {kCounts, std::move(counts)}};
}

Result<json> ListCredentialsJson(const json& summaries, const json& query) {
  if (!summaries.is_array()) return NotAList("summaries");
  CV_ASSIGN_OR_RETURN(CredentialListQuery q, CredentialListQueryFromJson(query));
  std::vector<CredentialSummary> items;
  items.reserve(summaries.size());
  for (size_t i = 0; i < summaries.size(); ++i) {
    Result<CredentialSummary> s = CredentialSummaryFromJson(summaries[i]);
    if (!s.ok()) {
      return Status(s.code(), Indexed("summaries", i) + "." + s.status().message());
    }
    items.push_back(std::move(s).value());
  }
  CredentialListView view = ListCredentials(items, q);
  json rows = json::array();
  for (uint32_t row : view.rows) rows.push_back(summaries[row]);
  return json{{kItems, std::move(rows)},
              {kTotal, view.total},
              {kRotateRecommended, view.rotate_recommended}};
}

Result<json> ConnectionActionsJson(std::string_view state, std::string_view role) {
  std::optional<ConnectionState> s = ParseConnectionState(state);
  if (!s) return Unknown(kState, state);
  std::optional<Role> r = ParseRole(role);
  if (!r) return Unknown("role", role);
  ConnectionActions actions = ActionsFor(*s, *r);
  json transitions = json::array();
  for (const UserTransition& t : actions.transitions) {
    transitions.push_back(json{{kTo, ConnectionStateName(t.to)},
                               {kLabel, t.label},
                               {kConfirmation, t.confirmation},
                               {kDestructive, t.destructive}});
  }
  return json{{kTransitions, std::move(transitions)},
              {kCanTest, actions.can_test},
              {kCanEdit, actions.can_edit}};
}

Result<json> ExpiryChipJson(const json& entry, const json& options) {
  ModelReader o(options, "options");
  int64_t now = 0;
  int64_t warning_days = kDefaultExpiryWarningDays;
  o.Int(kNow, &now);
  if (OptionalPresent(o, kWarningDays)) o.Int(kWarningDays, &warning_days);
  if (!o.ok()) return o.status();
  if (entry.is_null()) return json(nullptr);
  ModelReader r(entry, "entry");
  ExpiryReport report;
  auto read = [&](const char* key, std::optional<int64_t>* out) {
    if (!OptionalPresent(r, key)) return;
    int64_t value = 0;
    r.Int(key, &value);
    if (r.ok()) *out = value;
  };
  read(kClientCertNotAfterKey, &report.client_cert_not_after);
  read(kServerCertNotAfterKey, &report.server_cert_not_after);
  read(kTokenExpiresAtKey, &report.token_expires_at);
  if (!r.ok()) return r.status();
  CV_ASSIGN_OR_RETURN(std::optional<ExpiryWarning> warning,
                      SoonestExpiryWarning(report, now, warning_days));
  if (!warning) return json(nullptr);
  return json{{kLabel, warning->label},
              {kTone, ChipToneName(warning->tone)},
              {kTooltip, warning->tooltip},
              {kCode, kExpiryChipCode},
              {kItem, ExpiringItemName(warning->item)},
              {kExpiresAt, warning->expires_at},
              {kDaysLeft, warning->days_left},
              {kExpired, warning->expired}};
}

Result<KubeconfigImportInput> KubeconfigImportInputFromJson(const json& j) {
  ModelReader r(j, "request");
  KubeconfigImportInput input;
  r.OptionalBool(kSelectAll, &input.request.select_all);
  if (!r.ok()) return r.status();
  if (const json* selected = OptionalList(r, kSelected, kMaxImportEntries)) {
    for (size_t i = 0; i < selected->size(); ++i) {
      ModelReader s((*selected)[i], Indexed("request.selected", i));
      KubeconfigChoice choice;
      s.String(kContext, &choice.context);
      s.OptionalString(kNewName, &choice.new_name);
      if (!s.ok()) return s.status();
      input.request.selected.push_back(std::move(choice));
    }
  }
  if (!r.ok()) return r.status();
  if (const json* existing = OptionalList(r, kExisting, kMaxImportEntries)) {
    for (size_t i = 0; i < existing->size(); ++i) {
      ModelReader e((*existing)[i], Indexed("request.existing", i));
      ExistingConnection c;
      ExistingConnectionRecord record;
      e.String(kId, &c.id);
      e.String(kState, &c.state);
      e.String(kName, &c.name);
      e.OptionalUint(kVersion, &record.version);
      OptionalStringList(e, kEnvironmentIds, &record.environment_ids,
                         kMaxEnvironmentsPerConnection);
      if (!e.ok()) return e.status();
      input.existing_records[c.id] = std::move(record);
      input.request.existing.push_back(std::move(c));
    }
  }
  if (!r.ok()) return r.status();
  if (const json* credentials = OptionalList(r, kExistingCredentials, kMaxImportEntries)) {
    for (size_t i = 0; i < credentials->size(); ++i) {
      const json& c = (*credentials)[i];
      if (c.is_string()) {
        input.existing_credential_ids.insert(c.get<std::string>());
        continue;
      }
      ModelReader e(c, Indexed("request.existing_credentials", i));
      std::string id;
      e.String(kId, &id);
      if (!e.ok()) return e.status();
      input.existing_credential_ids.insert(std::move(id));
    }
  }
  if (!r.ok()) return r.status();
  return input;
}

}  // namespace credvault
