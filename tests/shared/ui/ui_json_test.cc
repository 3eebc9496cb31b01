#include "credvault/ui_json.h"

#include <gtest/gtest.h>

#include <string>

#include "credvault/client_api.h"
#include "credvault/model_json.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using nlohmann::json;
using testing::ReadTestData;

json Parse(const char* text) { return json::parse(text, nullptr, false); }

TEST(UiJsonChipTest, ChipsByNameAndUnknownNames) {
  Result<json> chip = StateChipJson("connected");
  ASSERT_TRUE(chip.ok());
  EXPECT_EQ((*chip)["label"], "Connected");
  EXPECT_EQ((*chip)["tone"], "success");
  EXPECT_EQ((*chip)["code"], "connected");
  EXPECT_FALSE((*chip)["tooltip"].get<std::string>().empty());
  Result<json> outcome = OutcomeChipJson("unauthorized");
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ((*outcome)["tone"], "danger");
  EXPECT_EQ(StateChipJson("online").code(), ErrorCode::kValidation);
  EXPECT_EQ(OutcomeChipJson("").code(), ErrorCode::kValidation);
}

TEST(UiJsonFormTest, AuthMethodsPerKind) {
  Result<json> k8s = AuthMethodsJson("kubernetes");
  ASSERT_TRUE(k8s.ok());
  std::vector<std::string> methods;
  for (const json& m : *k8s) methods.push_back(m["method"]);
  EXPECT_EQ(methods, (std::vector<std::string>{"bearer_token", "client_certificate", "basic"}));
  const json& cert = (*k8s)[1]["fields"];
  ASSERT_GE(cert.size(), 2u);
  EXPECT_EQ(cert[0]["name"], "client_certificate");
  EXPECT_EQ(cert[0]["multiline"], true);
  EXPECT_EQ(cert[1]["name"], "client_key");
  EXPECT_EQ(cert[1]["masked"], true);
  Result<json> github = AuthMethodsJson("github");
  ASSERT_TRUE(github.ok());
  for (const json& m : *github) EXPECT_NE(m["method"], "basic");
  EXPECT_EQ(AuthMethodsJson("ftp").code(), ErrorCode::kValidation);
}

TEST(UiJsonFormTest, CredentialFormCarriesCodesNotValues) {
  CredentialView view;
  view.kind = ServiceKind::kKubernetes;
  view.method = AuthMethod::kClientCertificate;
  view.fields.Set(CredentialField::kClientCertificate, "c2VjcmV0LXBlbS10ZXh0");
  json form = CredentialFormToJson(BuildCredentialForm(view, true));
  EXPECT_EQ(form["valid"], false);
  EXPECT_EQ(form["name"]["code"], "required");
  EXPECT_EQ(form["fields"][0]["code"], "pem_missing_armour");
  EXPECT_EQ(form["fields"][1]["code"], "required");
  EXPECT_EQ(form["methods"][0], "bearer_token");
  EXPECT_EQ(form.dump().find("c2VjcmV0"), std::string::npos);  // the typed value stays out
}

TEST(UiJsonFormTest, ConnectionFormInputAndState) {
  Result<ConnectionFormInput> in = ConnectionFormInputFromJson(Parse(
      R"({"kind": "prometheus", "name": "prom", "endpoint": "http://prom.internal:9090",
          "tls": {"insecure_skip_verify": false},
          "credential": {"kind": "http", "auth_method": "basic"}})"));
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_TRUE(in->has_credential);
  EXPECT_EQ(in->credential_method, AuthMethod::kBasic);
  json form = ConnectionFormToJson(BuildConnectionForm(*in, true));
  EXPECT_EQ(form["valid"], true);
  ASSERT_EQ(form["warnings"].size(), 1u);
  EXPECT_EQ(form["warnings"][0]["label"], "Plain HTTP");
  EXPECT_EQ(form["endpoint"]["code"], "");

  Result<ConnectionFormInput> no_credential =
      ConnectionFormInputFromJson(Parse(R"({"kind": "http", "credential": null})"));
  ASSERT_TRUE(no_credential.ok());
  EXPECT_FALSE(no_credential->has_credential);

  EXPECT_EQ(ConnectionFormInputFromJson(Parse(R"({"name": "x"})")).status().message(),
            "kind: is missing");
  EXPECT_EQ(ConnectionFormInputFromJson(Parse(R"({"kind": "ftp"})")).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(ConnectionFormInputFromJson(Parse(R"({"kind": "http", "tls": "yes"})")).code(),
            ErrorCode::kValidation);
  Result<ConnectionFormInput> bad_method = ConnectionFormInputFromJson(
      Parse(R"({"kind": "http", "credential": {"kind": "http", "auth_method": "magic"}})"));
  EXPECT_EQ(bad_method.code(), ErrorCode::kValidation);
  EXPECT_EQ(bad_method.status().message().rfind("credential.auth_method", 0), 0u);
  EXPECT_EQ(ConnectionFormInputFromJson(Parse("[1]")).code(), ErrorCode::kValidation);
}

ConnectionSummary Row(std::string name, ConnectionState state, ServiceKind kind,
                      int64_t updated_at) {
  ConnectionSummary s;
  s.id = "id-" + name;
  s.name = std::move(name);
  s.state = state;
  s.kind = kind;
  s.host = s.name + ".corp";
  s.endpoint = "https://" + s.host;
  s.updated_at = updated_at;
  return s;
}

json Rows() {
  json rows = json::array();
  rows.push_back(
      ConnectionRowJson(Row("prod", ConnectionState::kConnected, ServiceKind::kKubernetes, 5), 3));
  rows.push_back(ConnectionRowJson(
      Row("metrics", ConnectionState::kConnected, ServiceKind::kPrometheus, 9), 1));
  ConnectionSummary plain = Row("lab", ConnectionState::kNotFound, ServiceKind::kHttp, 7);
  plain.plain_http = true;
  plain.last_test = LastTest{TestOutcome::kUnreachable, 100, 12, 0, "runner-1"};
  rows.push_back(ConnectionRowJson(plain, 2));
  rows.push_back(
      ConnectionRowJson(Row("gone", ConnectionState::kDeleted, ServiceKind::kKubernetes, 1), 4));
  return rows;
}

TEST(UiJsonListTest, ConnectionRowsCarryVersionAndChipsAndReadBack) {
  json rows = Rows();
  EXPECT_EQ(rows[0]["version"], 3);
  EXPECT_EQ(rows[0]["chips"]["state"]["code"], "connected");
  EXPECT_TRUE(rows[0]["chips"]["last_test"].is_null());
  EXPECT_EQ(rows[2]["chips"]["warnings"][0]["label"], "Plain HTTP");
  EXPECT_EQ(rows[2]["chips"]["last_test"]["code"], "unreachable");
  Result<ConnectionSummary> back = ConnectionSummaryFromJson(rows[2]);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, "lab");
  EXPECT_TRUE(back->plain_http);
  ASSERT_TRUE(back->last_test.has_value());
  EXPECT_EQ(back->last_test->tested_at, 100);

  json missing = rows[0];
  missing.erase("state");
  EXPECT_EQ(ConnectionSummaryFromJson(missing, "summaries[0]").status().message(),
            "summaries[0].state: is missing");
  json bad = rows[2];
  bad["last_test"]["outcome"] = "fine";
  EXPECT_EQ(ConnectionSummaryFromJson(bad).code(), ErrorCode::kValidation);
}

TEST(UiJsonListTest, ListConnectionsFiltersSortsAndCounts) {
  json rows = Rows();
  Result<json> all = ListConnectionsJson(rows, nullptr);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ((*all)["total"], 3);  // deleted hidden by default
  EXPECT_EQ((*all)["items"][0]["name"], "lab");
  EXPECT_EQ((*all)["items"][0]["chips"], rows[2]["chips"]);  // the caller's rows, whole
  EXPECT_EQ((*all)["counts"]["connected"], 2);
  EXPECT_EQ((*all)["counts"]["registered"], 0);

  Result<json> sorted = ListConnectionsJson(
      rows, Parse(R"({"state": ["connected"], "sort": "updated", "descending": true})"));
  ASSERT_TRUE(sorted.ok());
  ASSERT_EQ((*sorted)["items"].size(), 2u);
  EXPECT_EQ((*sorted)["items"][0]["name"], "metrics");
  EXPECT_EQ((*sorted)["counts"]["not_found"], 1);  // counts ignore the state filter

  Result<json> kind =
      ListConnectionsJson(rows, Parse(R"({"kind": "kubernetes", "search": "PRO"})"));
  ASSERT_TRUE(kind.ok());
  ASSERT_EQ((*kind)["items"].size(), 1u);
  EXPECT_EQ((*kind)["items"][0]["name"], "prod");

  EXPECT_EQ(ListConnectionsJson(rows, Parse(R"({"sort": "size"})")).status().message(),
            "query.sort: \"size\" is not a known value");
  EXPECT_EQ(ListConnectionsJson(rows, Parse(R"({"state": ["online"]})")).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(ListConnectionsJson(rows, Parse(R"({"kind": 3})")).code(), ErrorCode::kValidation);
  EXPECT_EQ(ListConnectionsJson(rows, Parse(R"({"offset": -1})")).code(), ErrorCode::kValidation);
  EXPECT_EQ(ListConnectionsJson(json::object(), nullptr).code(), ErrorCode::kValidation);
  json broken = rows;
  broken[1]["kind"] = "ftp";
  EXPECT_EQ(ListConnectionsJson(broken, nullptr).status().message(),
            "summaries[1].kind: \"ftp\" is not a known value");
}

TEST(UiJsonListTest, ListCredentials) {
  json rows = json::array();
  CredentialSummary a;
  a.id = "a";
  a.name = "zeta token";
  a.kind = ServiceKind::kKubernetes;
  CredentialSummary b = a;
  b.id = "b";
  b.name = "Alpha basic";
  b.kind = ServiceKind::kPrometheus;
  b.method = AuthMethod::kBasic;
  b.rotate_recommended = true;
  rows.push_back(CredentialRowJson(a));
  rows.push_back(CredentialRowJson(b));
  EXPECT_EQ(rows[1]["chips"]["warnings"][0]["label"], "Rotate recommended");
  EXPECT_TRUE(rows[0]["chips"]["warnings"].empty());

  Result<json> list = ListCredentialsJson(rows, Parse(R"({"sort": "name"})"));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ((*list)["items"][0]["id"], "b");
  EXPECT_EQ((*list)["total"], 2);
  EXPECT_EQ((*list)["rotate_recommended"], 1);
  Result<json> only = ListCredentialsJson(rows, Parse(R"({"kind": ["kubernetes"]})"));
  ASSERT_TRUE(only.ok());
  EXPECT_EQ((*only)["total"], 1);
  EXPECT_EQ(ListCredentialsJson(rows, Parse(R"({"sort": "state"})")).code(),
            ErrorCode::kValidation);
  json broken = rows;
  broken[1].erase("name");
  EXPECT_EQ(ListCredentialsJson(broken, nullptr).status().message(),
            "summaries[1].name: is missing");
}

TEST(UiJsonActionsTest, ViewerAndOperator) {
  Result<json> viewer = ConnectionActionsJson("registered", "viewer");
  ASSERT_TRUE(viewer.ok());
  EXPECT_TRUE((*viewer)["transitions"].empty());
  EXPECT_EQ((*viewer)["can_test"], false);
  EXPECT_EQ((*viewer)["can_edit"], false);
  Result<json> op = ConnectionActionsJson("registered", "operator");
  ASSERT_TRUE(op.ok());
  EXPECT_FALSE((*op)["transitions"].empty());
  EXPECT_EQ((*op)["can_test"], true);
  EXPECT_FALSE((*op)["transitions"][0]["confirmation"].get<std::string>().empty());
  EXPECT_EQ(ConnectionActionsJson("registered", "root").status().message(),
            "role: \"root\" is not a known value");
  EXPECT_EQ(ConnectionActionsJson("up", "owner").code(), ErrorCode::kValidation);
}

TEST(UiJsonKubeconfigTest, ImportRequest) {
  Result<KubeconfigImportInput> in = KubeconfigImportInputFromJson(Parse(
      R"({"selected": [{"context": "dev", "new_name": "dev-eu"}, {"context": "prod"}],
          "existing": [{"id": "c1", "state": "connected", "name": "old", "version": 4,
                        "environment_ids": ["e1"], "chips": {}}],
          "existing_credentials": ["k1", {"id": "k2", "name": "row"}]})"));
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_FALSE(in->request.select_all);
  ASSERT_EQ(in->request.selected.size(), 2u);
  EXPECT_EQ(in->request.selected[0].new_name, "dev-eu");
  EXPECT_EQ(in->request.selected[1].new_name, "");
  ASSERT_EQ(in->request.existing.size(), 1u);
  EXPECT_EQ(in->existing_records["c1"].version, 4u);
  EXPECT_EQ(in->existing_records["c1"].environment_ids, std::vector<std::string>{"e1"});
  EXPECT_EQ(in->existing_credential_ids, (std::set<std::string>{"k1", "k2"}));

  EXPECT_TRUE(KubeconfigImportInputFromJson(Parse(R"({"select_all": true})"))->request.select_all);
  EXPECT_EQ(KubeconfigImportInputFromJson(Parse(R"({"selected": [{"new_name": "x"}]})"))
                .status()
                .message(),
            "request.selected[0].context: is missing");
  EXPECT_EQ(KubeconfigImportInputFromJson(Parse(R"({"existing": {}})")).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(KubeconfigImportInputFromJson(
                Parse(R"({"existing": [{"id": "c", "state": "x", "name": "n", "version": -1}]})"))
                .code(),
            ErrorCode::kValidation);
  EXPECT_EQ(KubeconfigImportInputFromJson(Parse(R"({"select_all": "yes"})")).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(KubeconfigImportInputFromJson(Parse(R"({"existing_credentials": [7]})")).code(),
            ErrorCode::kValidation);
}

class UiJsonImportApiTest : public testing::CryptoTest {
 protected:
  ClientApi api_;
  std::string ws_id_ = NewObjectId();
  Handle ws_ = api_.NewWorkspaceKeys(ws_id_, 1);
  std::string owner_ = NewObjectId();
  std::string text_ = ReadTestData("kubeconfig/multi.yaml");
};

TEST_F(UiJsonImportApiTest, SealsWithoutLeakingAndReopens) {
  Result<json> sealed = api_.SealKubeconfigImport(text_, Parse(R"({"select_all": true})"), ws_,
                                                  json{{"owner_id", owner_}, {"now", 1000}});
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  std::string dump = sealed->dump();
  for (const char* secret :
       {"shared-ci-token-abcdef0123456789", "lab-p@ss: word", "LS0tLS1CRUdJTiBQUklWQVRF"}) {
    EXPECT_EQ(dump.find(secret), std::string::npos) << secret;
  }
  // The plan shows the user their endpoints; the records sent to the server do not.
  std::string records = (*sealed)["credentials"].dump() + (*sealed)["connections"].dump();
  EXPECT_EQ(records.find("dev.k8s.example.test"), std::string::npos);
  const json& connections = (*sealed)["connections"];
  ASSERT_EQ(connections.size(), (*sealed)["plan"]["summary"]["imported"].get<size_t>());
  ASSERT_FALSE((*sealed)["credentials"].empty());
  for (const json& c : (*sealed)["credentials"]) {
    EXPECT_EQ(c["version"], 1);
    EXPECT_EQ(c["owner_id"], owner_);
    ASSERT_EQ(c["grants"].size(), 1u);
    EXPECT_EQ(c["grants"][0]["workspace_id"], ws_id_);
    Result<json> opened = api_.OpenCredential(c, ws_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ((*opened)["kind"], "kubernetes");
  }
  Result<json> view = api_.OpenConnection(connections[0], ws_);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ((*view)["managed"], true);

  // The plan alone gives the same ids: they are keyed by the workspace, not random.
  Result<json> plan = api_.PlanKubeconfigImport(text_, Parse(R"({"select_all": true})"), ws_);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ((*plan)["contexts"], (*sealed)["plan"]["contexts"]);
}

TEST_F(UiJsonImportApiTest, UpdatesNeedTheCurrentVersion) {
  Result<json> first = api_.PlanKubeconfigImport(text_, Parse(R"({"select_all": true})"), ws_);
  ASSERT_TRUE(first.ok());
  const json& dev = (*first)["contexts"][0];
  ASSERT_EQ(dev["outcome"], "imported");
  json existing = {{"id", dev["connection_id"]}, {"state", "connected"}, {"name", "dev"}};
  json request = {{"selected", json::array({{{"context", "dev"}}})},
                  {"existing", json::array({existing})},
                  {"existing_credentials", json::array({dev["credential_id"]})}};
  json options = {{"owner_id", owner_}, {"now", 2000}};
  EXPECT_EQ(api_.SealKubeconfigImport(text_, request, ws_, options).code(),
            ErrorCode::kInvalidArgument);
  request["existing"][0]["version"] = 6;
  Result<json> update = api_.SealKubeconfigImport(text_, request, ws_, options);
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ((*update)["plan"]["contexts"][0]["outcome"], "updated");
  EXPECT_TRUE((*update)["credentials"].empty());  // the same id is the same material
  ASSERT_EQ((*update)["connections"].size(), 1u);
  EXPECT_EQ((*update)["connections"][0]["version"], 7);
  EXPECT_EQ((*update)["connections"][0]["state"], "connected");

  EXPECT_EQ(api_.SealKubeconfigImport(text_, request, ws_, json{{"now", 1}}).code(),
            ErrorCode::kValidation);  // owner_id missing
}

TEST_F(UiJsonImportApiTest, BrokenFilesAndUnknownHandles) {
  Result<json> broken =
      api_.PlanKubeconfigImport("clusters: [\n  - {", Parse(R"({"select_all": true})"), ws_);
  EXPECT_EQ(broken.code(), ErrorCode::kParseError);
  EXPECT_NE(broken.status().message().find("line"), std::string::npos);
  EXPECT_EQ(api_.PlanKubeconfigImport("just text", Parse(R"({"select_all": true})"), ws_).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(api_.PlanKubeconfigImport(text_, Parse(R"({"select_all": true})"), 999).code(),
            ErrorCode::kUnknownHandle);
  EXPECT_EQ(
      api_.PlanKubeconfigImport(text_, Parse(R"({"selected": [{"context": "nope"}]})"), ws_).code(),
      ErrorCode::kNotFound);
}

}  // namespace
}  // namespace credvault
