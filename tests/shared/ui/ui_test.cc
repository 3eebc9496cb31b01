#include "credvault/ui.h"
#include "shared/ui/ui_fixtures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "shared/model/model_test_util.h"

namespace credvault {
namespace {

using testing::ModelData;

ConnectionSummary Conn(std::string name, ConnectionState state, ServiceKind kind, std::string host,
                       int64_t updated_at) {
  ConnectionSummary c;
  c.id = "id-" + name;
  c.name = std::move(name);
  c.state = state;
  c.kind = kind;
  c.host = host;
  c.endpoint = "https://" + host;
  c.updated_at = updated_at;
  return c;
}

std::vector<std::string> Names(const std::vector<ConnectionSummary>& items,
                               const ConnectionListView& view) {
  std::vector<std::string> out;
  for (uint32_t row : view.rows) out.push_back(items[row].name);
  return out;
}

const std::vector<ConnectionSummary>& Sample() {
  static const std::vector<ConnectionSummary> items = [] {
    std::vector<ConnectionSummary> v = {
        Conn("prod-eu", ConnectionState::kConnected, ServiceKind::kKubernetes, "eu.k8s.corp", 5),
        Conn("Prod-US", ConnectionState::kDisconnected, ServiceKind::kKubernetes, "us.k8s.corp", 3),
        Conn("metrics", ConnectionState::kConnected, ServiceKind::kPrometheus, "prom.corp", 9),
        Conn("old", ConnectionState::kDeleted, ServiceKind::kKubernetes, "old.k8s.corp", 1),
        Conn("dash", ConnectionState::kNotFound, ServiceKind::kGrafana, "grafana.corp", 7),
        Conn("alpha", ConnectionState::kIgnored, ServiceKind::kHttp, "api.PROD.example", 2),
    };
    v[0].environment_ids = {"env-prod"};
    v[1].environment_ids = {"env-prod"};
    v[0].credential_id = v[1].credential_id = "cred-k8s";
    return v;
  }();
  return items;
}

TEST(UiListTest, DefaultHidesDeletedAndSortsByNameCaseInsensitively) {
  const auto& items = Sample();
  ConnectionListView view = ListConnections(items, {});
  EXPECT_EQ(Names(items, view),
            (std::vector<std::string>{"alpha", "dash", "metrics", "prod-eu", "Prod-US"}));
  EXPECT_EQ(view.total, 5u);
  EXPECT_EQ(view.state_counts[static_cast<size_t>(ConnectionState::kConnected)], 2u);
  EXPECT_EQ(view.state_counts[static_cast<size_t>(ConnectionState::kDeleted)], 1u);
}

TEST(UiListTest, SearchFiltersAndCounts) {
  const auto& items = Sample();
  ConnectionListQuery q;
  q.search = "PROD";  // name or host, any case
  ConnectionListView view = ListConnections(items, q);
  EXPECT_EQ(Names(items, view), (std::vector<std::string>{"alpha", "prod-eu", "Prod-US"}));
  q.states = {ConnectionState::kDisconnected};
  view = ListConnections(items, q);
  EXPECT_EQ(Names(items, view), (std::vector<std::string>{"Prod-US"}));
  // Counts ignore the state filter so the chips show what each pick would give.
  EXPECT_EQ(view.state_counts[static_cast<size_t>(ConnectionState::kConnected)], 1u);
  EXPECT_EQ(view.state_counts[static_cast<size_t>(ConnectionState::kIgnored)], 1u);

  ConnectionListQuery k;
  k.kinds = {ServiceKind::kKubernetes};
  k.states = {ConnectionState::kDeleted};
  EXPECT_EQ(Names(items, ListConnections(items, k)), (std::vector<std::string>{"old"}));
  ConnectionListQuery e;
  e.environment_id = "env-prod";
  e.credential_id = "cred-k8s";
  EXPECT_EQ(ListConnections(items, e).total, 2u);
  e.environment_id = "env-none";
  EXPECT_EQ(ListConnections(items, e).total, 0u);
}

TEST(UiListTest, SortKeysOrderAndPaging) {
  const auto& items = Sample();
  ConnectionListQuery q;
  q.sort = ConnectionSortKey::kUpdatedAt;
  q.order = SortOrder::kDescending;
  EXPECT_EQ(Names(items, ListConnections(items, q)),
            (std::vector<std::string>{"metrics", "dash", "prod-eu", "Prod-US", "alpha"}));
  q.offset = 1;
  q.limit = 2;
  ConnectionListView page = ListConnections(items, q);
  EXPECT_EQ(Names(items, page), (std::vector<std::string>{"dash", "prod-eu"}));
  EXPECT_EQ(page.total, 5u);
  q.offset = 10;
  EXPECT_TRUE(ListConnections(items, q).rows.empty());
  ConnectionListQuery by_name;
  by_name.order = SortOrder::kDescending;
  EXPECT_EQ(Names(items, ListConnections(items, by_name)).front(), "Prod-US");
  ConnectionListQuery by_state;
  by_state.sort = ConnectionSortKey::kState;
  EXPECT_EQ(Names(items, ListConnections(items, by_state)),
            (std::vector<std::string>{"metrics", "prod-eu", "alpha", "Prod-US", "dash"}));
}

TEST(UiListTest, CredentialList) {
  std::vector<CredentialSummary> creds(3);
  creds[0].name = "zeta";
  creds[0].kind = ServiceKind::kGitHub;
  creds[1].name = "Alpha";
  creds[1].rotate_recommended = true;
  creds[2].name = "beta";
  creds[2].rotate_recommended = true;
  CredentialListView all = ListCredentials(creds, {});
  EXPECT_EQ(all.rows, (std::vector<uint32_t>{1, 2, 0}));
  EXPECT_EQ(all.rotate_recommended, 2u);
  CredentialListQuery q;
  q.rotate_recommended_only = true;
  q.search = "ALP";
  EXPECT_EQ(ListCredentials(creds, q).rows, (std::vector<uint32_t>{1}));
  q = {};
  q.kinds = {ServiceKind::kGitHub};
  EXPECT_EQ(ListCredentials(creds, q).rows, (std::vector<uint32_t>{0}));
  EXPECT_EQ(CredentialWarningChips(creds[1]).size(), 1u);
  EXPECT_TRUE(CredentialWarningChips(creds[0]).empty());
}

TEST(UiChipTest, EveryStateAndOutcomeHasADistinctChip) {
  std::set<std::string_view> labels;
  for (ConnectionState s : kAllConnectionStates) {
    StatusChip chip = ConnectionStateChip(s);
    EXPECT_TRUE(labels.insert(chip.label).second) << chip.label;
    EXPECT_FALSE(chip.tooltip.empty());
    EXPECT_NE(ChipToneName(chip.tone), "unknown");
  }
  EXPECT_EQ(ConnectionStateChip(ConnectionState::kConnected).tone, ChipTone::kSuccess);
  EXPECT_EQ(ConnectionStateChip(ConnectionState::kDisconnected).tone, ChipTone::kDanger);
  labels.clear();
  for (TestOutcome o : kAllTestOutcomes) {
    StatusChip chip = TestOutcomeChip(o);
    EXPECT_NE(chip.label, "Unknown");
    EXPECT_TRUE(labels.insert(chip.label).second) << chip.label;
  }
  EXPECT_EQ(ConnectionStateChip(static_cast<ConnectionState>(50)).label, "Unknown");

  ConnectionSummary c;
  EXPECT_TRUE(ConnectionWarningChips(c).empty());
  c.plain_http = true;
  c.insecure_skip_verify = true;
  auto chips = ConnectionWarningChips(c);
  ASSERT_EQ(chips.size(), 2u);
  EXPECT_EQ(chips[0].label, "Plain HTTP");
  EXPECT_EQ(chips[1].label, "TLS not verified");
}

TEST(UiActionsTest, RolesSeeOnlyWhatTheyMayDo) {
  ConnectionActions viewer = ActionsFor(ConnectionState::kConnected, Role::kViewer);
  EXPECT_TRUE(viewer.transitions.empty());
  EXPECT_FALSE(viewer.can_test);
  EXPECT_FALSE(viewer.can_edit);
  ConnectionActions op = ActionsFor(ConnectionState::kConnected, Role::kOperator);
  EXPECT_EQ(op.transitions.size(), 3u);  // no delete for operators
  EXPECT_TRUE(op.can_test);
  ConnectionActions admin = ActionsFor(ConnectionState::kConnected, Role::kAdmin);
  ASSERT_EQ(admin.transitions.size(), 4u);
  EXPECT_EQ(admin.transitions.back().to, ConnectionState::kDeleted);
  EXPECT_TRUE(admin.transitions.back().destructive);
  ConnectionActions gone = ActionsFor(ConnectionState::kDeleted, Role::kOwner);
  EXPECT_TRUE(gone.transitions.empty());
  EXPECT_FALSE(gone.can_test);
  EXPECT_FALSE(gone.can_edit);
}

class UiFormTest : public testing::CryptoTest {};

TEST_F(UiFormTest, FieldMessagesFollowValidation) {
  CredentialView v;
  v.kind = ServiceKind::kKubernetes;
  v.method = AuthMethod::kClientCertificate;
  CredentialFormState pristine = BuildCredentialForm(v, /*touched=*/false);
  EXPECT_EQ(pristine.methods.size(), 3u);
  ASSERT_EQ(pristine.fields.size(), 4u);
  EXPECT_EQ(pristine.fields[0].name, "client_certificate");
  EXPECT_TRUE(pristine.fields[0].multiline);
  EXPECT_TRUE(pristine.fields[1].masked);
  EXPECT_EQ(pristine.fields[2].name, "token");  // kubectl sends it with the certificate
  EXPECT_FALSE(pristine.fields[2].required);
  EXPECT_FALSE(pristine.fields[3].required);  // cluster CA
  for (const FormField& f : pristine.fields) EXPECT_TRUE(f.message.empty());
  EXPECT_TRUE(pristine.name_message.empty());
  EXPECT_FALSE(pristine.valid);

  CredentialFormState touched = BuildCredentialForm(v, true);
  EXPECT_EQ(touched.name_code, "required");
  EXPECT_EQ(touched.fields[0].code, "required");

  v.name = "alice";
  v.fields.Set(CredentialField::kClientCertificate, ModelData("client.key"));
  v.fields.Set(CredentialField::kClientKey, ModelData("client.key"));
  CredentialFormState typed = BuildCredentialForm(v, false);
  EXPECT_EQ(typed.fields[0].code, "pem_wrong_type");  // shown before submit: it was typed
  EXPECT_TRUE(typed.fields[1].code.empty());
  EXPECT_FALSE(typed.valid);

  v.fields.Set(CredentialField::kClientCertificate, ModelData("client.crt"));
  v.fields.Set(CredentialField::kUsername, "left-over-from-basic-auth");
  CredentialFormState ok = BuildCredentialForm(v, true);
  EXPECT_TRUE(ok.valid);
  EXPECT_FALSE(ValidateCredential(v).ok());
  DropUnusedFields(&v);
  EXPECT_FALSE(v.fields.Has(CredentialField::kUsername));
  EXPECT_TRUE(ValidateCredential(v).ok());

  v.kind = ServiceKind::kGrafana;  // client certificates are not a Grafana method
  CredentialFormState wrong = BuildCredentialForm(v, true);
  EXPECT_FALSE(wrong.method_message.empty());
  EXPECT_TRUE(wrong.fields.empty());
  EXPECT_FALSE(wrong.valid);
}

// Order and paging over a large list; its speed is measured in tests/bench/ui_bench.cc.
TEST(UiListTest, FiltersAndSortsALargeList) {
  std::vector<ConnectionSummary> items = testing::GeneratedConnections(20000);
  ConnectionListQuery q;
  q.search = "ClUsTeR-1";
  q.limit = 50;
  ConnectionListView page = ListConnections(items, q);
  ConnectionListQuery full;
  full.sort = ConnectionSortKey::kUpdatedAt;
  ConnectionListView all = ListConnections(items, full);
  ConnectionListQuery names;
  names.kinds = {ServiceKind::kKubernetes, ServiceKind::kPrometheus};
  names.limit = 100;
  ConnectionListView by_name = ListConnections(items, names);

  ASSERT_EQ(by_name.rows.size(), 100u);
  for (size_t i = 1; i < by_name.rows.size(); ++i) {
    ASSERT_LE(items[by_name.rows[i - 1]].name, items[by_name.rows[i]].name);
  }
  for (uint32_t row : by_name.rows) {
    ServiceKind k = items[row].kind;
    ASSERT_TRUE(k == ServiceKind::kKubernetes || k == ServiceKind::kPrometheus);
  }
  EXPECT_EQ(page.rows.size(), 50u);
  EXPECT_GT(page.total, 100u);
  for (uint32_t row : page.rows) {
    ASSERT_NE(items[row].name.find("cluster-1"), std::string::npos);
  }
  size_t not_deleted = 0;
  for (const auto& c : items) not_deleted += c.state != ConnectionState::kDeleted;
  EXPECT_EQ(all.total, not_deleted);
  for (size_t i = 1; i < all.rows.size(); ++i) {
    ASSERT_LE(items[all.rows[i - 1]].updated_at, items[all.rows[i]].updated_at);
  }
}

}  // namespace
}  // namespace credvault

namespace credvault {
namespace {

// The prepared index must give exactly what ListConnections gives, for every query shape.
TEST(UiListIndexTest, AgreesWithListConnections) {
  std::vector<ConnectionSummary> items(3000);
  uint32_t seed = 7;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  const char* names[] = {"Prod-EU", "prod-us", "staging", "Dev", "metrics", "GitHub org"};
  for (size_t i = 0; i < items.size(); ++i) {
    ConnectionSummary& c = items[i];
    c.id = "c" + std::to_string(i);
    c.name = std::string(names[next() % 6]) + "-" + std::to_string(next() % 300);
    c.host = "host" + std::to_string(next() % 50) + ".Example.com";
    c.endpoint = "https://" + c.host + ":" + std::to_string(6000 + next() % 3);
    c.state = static_cast<ConnectionState>(next() % kConnectionStateCount);
    c.kind = static_cast<ServiceKind>(next() % 5);
    c.updated_at = static_cast<int64_t>(next() % 1000);  // many ties
    if (next() % 3 == 0) c.environment_ids = {"env-a"};
    if (next() % 4 == 0) c.credential_id = "cred-1";
    if (next() % 2 == 0) c.last_test = LastTest{TestOutcome::kOk, next() % 500, 1, 200, "r"};
  }
  ConnectionListIndex index(items);
  ASSERT_EQ(index.size(), items.size());
  std::vector<ConnectionListQuery> queries;
  for (std::string search : {"", "prod", "PROD-E", "example.com:6001", "-1", "zzz", "s-e"}) {
    for (auto sort : {ConnectionSortKey::kName, ConnectionSortKey::kState, ConnectionSortKey::kKind,
                      ConnectionSortKey::kHost, ConnectionSortKey::kUpdatedAt,
                      ConnectionSortKey::kLastTestedAt}) {
      ConnectionListQuery q;
      q.search = search;
      q.sort = sort;
      q.order = next() % 2 ? SortOrder::kAscending : SortOrder::kDescending;
      q.offset = next() % 3 == 0 ? 10 : 0;
      q.limit = next() % 2 ? 25 : 0;
      if (next() % 3 == 0) q.kinds = {ServiceKind::kKubernetes, ServiceKind::kGitHub};
      if (next() % 3 == 0) q.states = {ConnectionState::kConnected, ConnectionState::kDeleted};
      if (next() % 4 == 0) q.environment_id = "env-a";
      if (next() % 5 == 0) q.credential_id = "cred-1";
      queries.push_back(q);
    }
  }
  for (const ConnectionListQuery& q : queries) {
    ConnectionListView want = ListConnections(items, q);
    ConnectionListView got = index.Query(q);
    ASSERT_EQ(got.rows, want.rows) << "search '" << q.search << "' sort "
                                   << static_cast<int>(q.sort);
    ASSERT_EQ(got.total, want.total);
    ASSERT_EQ(got.state_counts, want.state_counts);
  }
  // A needle spanning name and endpoint matches neither, as in ListConnections.
  ConnectionListQuery across;
  across.search = "\nhttps";
  EXPECT_EQ(index.Query(across).total, 0u);
  EXPECT_EQ(ListConnections(items, across).total, 0u);
}

}  // namespace
}  // namespace credvault

namespace credvault {
namespace {

TEST(UiConnectionFormTest, MessagesSitBesideTheirFields) {
  ConnectionFormInput in;
  in.kind = ServiceKind::kPrometheus;
  ConnectionFormState pristine = BuildConnectionForm(in, /*touched=*/false);
  EXPECT_FALSE(pristine.valid);
  EXPECT_TRUE(pristine.name.code.empty());  // "required" waits until the user submits
  EXPECT_TRUE(pristine.endpoint.code.empty());
  ConnectionFormState submitted = BuildConnectionForm(in, true);
  EXPECT_EQ(submitted.name.code, "required");
  EXPECT_EQ(submitted.endpoint.code, "required");

  in.name = "prom-eu";
  in.endpoint = "ftp://prom.internal";
  ConnectionFormState typed = BuildConnectionForm(in, false);
  EXPECT_EQ(typed.endpoint.code, "bad_scheme");  // a typed value's format shows at once
  EXPECT_FALSE(typed.valid);

  in.endpoint = "https://prom.internal:9090";
  ConnectionFormState ok = BuildConnectionForm(in, true);
  EXPECT_TRUE(ok.valid);
  EXPECT_TRUE(ok.warnings.empty());

  in.endpoint = "http://prom.internal:9090";
  in.tls.insecure_skip_verify = true;
  ConnectionFormState warned = BuildConnectionForm(in, true);
  EXPECT_TRUE(warned.valid);
  ASSERT_EQ(warned.warnings.size(), 2u);  // plain http, TLS not verified

  in.tls.ca_data = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  ConnectionFormState both = BuildConnectionForm(in, true);
  EXPECT_FALSE(both.valid);
  EXPECT_FALSE(both.ca_data.code.empty());
  EXPECT_EQ(both.insecure_skip_verify.code, "conflicts_with_ca_data");
}

TEST(UiConnectionFormTest, TheCredentialMustFitTheKind) {
  ConnectionFormInput in;
  in.kind = ServiceKind::kKubernetes;
  in.name = "cluster";
  in.endpoint = "https://10.0.0.1:6443";
  in.has_credential = true;
  in.credential_kind = ServiceKind::kGitHub;
  in.credential_method = AuthMethod::kPersonalAccessToken;
  ConnectionFormState wrong = BuildConnectionForm(in, true);
  EXPECT_FALSE(wrong.valid);
  EXPECT_EQ(wrong.credential.code, "does_not_fit");
  in.credential_kind = ServiceKind::kKubernetes;
  in.credential_method = AuthMethod::kBearerToken;
  EXPECT_TRUE(BuildConnectionForm(in, true).valid);
}

}  // namespace
}  // namespace credvault
