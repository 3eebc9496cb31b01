#include "credvault/model_json.h"

#include <gtest/gtest.h>

#include <functional>

#include "shared/model/model_test_util.h"

namespace credvault {
namespace {

using nlohmann::json;
using testing::ClientCertCredential;
using testing::PrometheusConnection;
using testing::TokenCredential;

class ModelJsonTest : public testing::CryptoTest {
 protected:
  WorkspaceKeys keys_ = WorkspaceKeys::Generate("ws-1", 1);

  SealedCredential SealedCred() {
    const WorkspaceKeys* ws[] = {&keys_};
    SymmetricKey data_key = NewDataKey();
    auto sealed =
        SealCredential(ClientCertCredential(),
                       {"cred-1", "acct-1", "ws-1", 1, 1700000000, 1700000001}, data_key, ws);
    EXPECT_TRUE(sealed.ok());
    sealed->rotate_recommended = true;
    return *sealed;
  }
};

// "field: ..." → field
std::string FieldOf(const Status& s) { return s.message().substr(0, s.message().find(':')); }

TEST_F(ModelJsonTest, SealedCredentialRoundTripsAndOpens) {
  SealedCredential c = SealedCred();
  json j = SealedCredentialToJson(c);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["kind"], "kubernetes");
  EXPECT_EQ(j["auth_method"], "client_certificate");
  EXPECT_FALSE(j.contains("name"));  // sealed under the metadata key, per grant
  auto text = DumpJson(j);
  auto parsed_doc = ParseJsonObject(text);
  ASSERT_TRUE(parsed_doc.ok());
  auto back = SealedCredentialFromJson(*parsed_doc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(SealedCredentialToJson(*back), j);
  EXPECT_TRUE(back->rotate_recommended);
  auto view = OpenCredential(*back, keys_);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->name, "alice@prod");
}

TEST_F(ModelJsonTest, MalformedSealedCredentialsNameTheField) {
  json good = SealedCredentialToJson(SealedCred());
  struct Case {
    const char* what;
    std::function<void(json&)> mutate;
    ErrorCode code;
    std::string field;
  };
  std::vector<Case> cases = {
      {"missing id", [](json& j) { j.erase("id"); }, ErrorCode::kValidation, "id"},
      {"id number", [](json& j) { j["id"] = 5; }, ErrorCode::kValidation, "id"},
      {"kind unknown", [](json& j) { j["kind"] = "mysql"; }, ErrorCode::kValidation, "kind"},
      {"method wrong type", [](json& j) { j["auth_method"] = json::array(); },
       ErrorCode::kValidation, "auth_method"},
      {"negative version", [](json& j) { j["version"] = -1; }, ErrorCode::kValidation, "version"},
      {"zero version", [](json& j) { j["version"] = 0; }, ErrorCode::kValidation, "version"},
      {"float time", [](json& j) { j["created_at"] = 1.5; }, ErrorCode::kValidation, "created_at"},
      {"secret not base64url", [](json& j) { j["sealed_secret"] = "a+b/"; }, ErrorCode::kValidation,
       "sealed_secret"},
      {"secret not an envelope", [](json& j) { j["sealed_secret"] = "AAAA"; },
       ErrorCode::kValidation, "sealed_secret"},
      {"grants object", [](json& j) { j["grants"] = json::object(); }, ErrorCode::kValidation,
       "grants"},
      {"grant missing key", [](json& j) { j["grants"][0].erase("wrapped_data_key"); },
       ErrorCode::kValidation, "grants[0].wrapped_data_key"},
      {"grant generation too big", [](json& j) { j["grants"][0]["key_generation"] = 1ull << 33; },
       ErrorCode::kValidation, "grants[0].key_generation"},
      {"grant not object", [](json& j) { j["grants"][0] = "x"; }, ErrorCode::kValidation,
       "grants[0]"},
      {"rotate string", [](json& j) { j["rotate_recommended"] = "yes"; }, ErrorCode::kValidation,
       "rotate_recommended"},
      {"no schema", [](json& j) { j.erase("schema_version"); }, ErrorCode::kValidation,
       "schema_version"},
      {"schema string", [](json& j) { j["schema_version"] = "1"; }, ErrorCode::kValidation,
       "schema_version"},
      {"future schema", [](json& j) { j["schema_version"] = 2; }, ErrorCode::kUnsupportedVersion,
       "schema_version"},
  };
  for (const Case& c : cases) {
    json j = good;
    c.mutate(j);
    auto got = SealedCredentialFromJson(j);
    EXPECT_EQ(got.code(), c.code) << c.what << ": " << got.status().ToString();
    EXPECT_EQ(FieldOf(got.status()), c.field) << c.what << ": " << got.status().ToString();
  }
  EXPECT_EQ(SealedCredentialFromJson(json::array()).code(), ErrorCode::kValidation);
  EXPECT_EQ(SealedCredentialFromJson(json("text")).code(), ErrorCode::kValidation);
}

TEST_F(ModelJsonTest, ParseJsonObjectNeverThrows) {
  EXPECT_EQ(ParseJsonObject("").code(), ErrorCode::kParseError);
  EXPECT_EQ(ParseJsonObject("{\"a\":").code(), ErrorCode::kParseError);
  EXPECT_EQ(ParseJsonObject("{'a':1}").code(), ErrorCode::kParseError);
  EXPECT_EQ(ParseJsonObject(std::string("\xff\xfe\x00\x01", 4)).code(), ErrorCode::kParseError);
  EXPECT_EQ(ParseJsonObject("[1,2]").code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseJsonObject("null").code(), ErrorCode::kValidation);
  std::string deep(100000, '[');
  EXPECT_EQ(ParseJsonObject(deep).code(), ErrorCode::kParseError);
  EXPECT_TRUE(ParseJsonObject("{}").ok());
  // Invalid UTF-8 in a value dumps with a replacement instead of aborting.
  json j{{"name", std::string("bad \xC3\x28")}};
  EXPECT_NE(DumpJson(j).find("bad"), std::string::npos);
}

TEST_F(ModelJsonTest, CredentialViewFromAForm) {
  auto doc = ParseJsonObject(R"({"schema_version":1,"name":"ci","kind":"prometheus",
      "auth_method":"basic","fields":{"username":"ci","password":"pw","token":null}})");
  ASSERT_TRUE(doc.ok());
  auto view = CredentialViewFromJson(*doc);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->kind, ServiceKind::kPrometheus);
  EXPECT_EQ(view->method, AuthMethod::kBasic);
  EXPECT_EQ(view->fields.Get(CredentialField::kPassword), "pw");
  EXPECT_TRUE(ValidateCredential(*view).ok());
  json round = CredentialViewToJson(*view);
  EXPECT_EQ(round["fields"], (json{{"username", "ci"}, {"password", "pw"}}));

  json bad = *doc;
  bad["fields"]["pasword"] = "x";
  auto got = CredentialViewFromJson(bad);
  EXPECT_EQ(got.code(), ErrorCode::kValidation);
  EXPECT_EQ(FieldOf(got.status()), "fields.pasword");
  bad = *doc;
  bad["fields"]["password"] = 12;
  EXPECT_EQ(FieldOf(CredentialViewFromJson(bad).status()), "fields.password");
  bad = *doc;
  bad["fields"] = "username=ci";
  EXPECT_EQ(FieldOf(CredentialViewFromJson(bad).status()), "fields");
  bad = *doc;
  bad["auth_method"] = "oauth";
  EXPECT_EQ(FieldOf(CredentialViewFromJson(bad).status()), "auth_method");
}

TEST_F(ModelJsonTest, ConnectionsRoundTrip) {
  ConnectionView v = PrometheusConnection("ws-1");
  v.last_test = LastTest{TestOutcome::kOk, 1700000300, 12, 200, "runner-1"};
  json jv = ConnectionViewToJson(v);
  EXPECT_EQ(jv["endpoint"], "https://prom.eu-west.internal:9090/prometheus");
  EXPECT_EQ(jv["state"], "registered");
  auto view_back = ConnectionViewFromJson(jv);
  ASSERT_TRUE(view_back.ok()) << view_back.status().ToString();
  EXPECT_EQ(ConnectionViewToJson(*view_back), jv);

  auto sealed = SealConnection(v, keys_);
  ASSERT_TRUE(sealed.ok());
  json js = SealedConnectionToJson(*sealed);
  EXPECT_FALSE(js.contains("name"));
  EXPECT_FALSE(js.contains("endpoint"));
  EXPECT_EQ(js["environment_ids"], (json{"env-prod", "env-eu"}));
  EXPECT_EQ(js["last_test"]["outcome"], "ok");
  auto sealed_back = SealedConnectionFromJson(js);
  ASSERT_TRUE(sealed_back.ok()) << sealed_back.status().ToString();
  EXPECT_EQ(SealedConnectionToJson(*sealed_back), js);
  auto opened = OpenConnection(*sealed_back, keys_);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->name, v.name);

  json summary = ConnectionSummaryToJson(SummarizeConnection(v));
  EXPECT_EQ(summary["host"], "prom.eu-west.internal");
  EXPECT_EQ(summary["plain_http"], false);
}

TEST_F(ModelJsonTest, MalformedConnectionsNameTheField) {
  ConnectionView tested = PrometheusConnection("ws-1");
  tested.last_test = LastTest{TestOutcome::kForbidden, 1700000300, 12, 403, "runner-1"};
  auto sealed = SealConnection(tested, keys_);
  ASSERT_TRUE(sealed.ok());
  json good = SealedConnectionToJson(*sealed);
  auto field_of = [&](std::function<void(json&)> mutate) {
    json j = good;
    mutate(j);
    auto got = SealedConnectionFromJson(j);
    EXPECT_EQ(got.code(), ErrorCode::kValidation) << got.status().ToString();
    return FieldOf(got.status());
  };
  EXPECT_EQ(field_of([](json& j) { j["state"] = "not found"; }), "state");
  EXPECT_EQ(field_of([](json& j) { j["environment_ids"] = "env"; }), "environment_ids");
  EXPECT_EQ(field_of([](json& j) { j["environment_ids"][1] = 3; }), "environment_ids[1]");
  EXPECT_EQ(field_of([](json& j) {
              j["last_test"] = json{{"outcome", "fine"}, {"tested_at", 1}};
            }),
            "last_test.outcome");
  EXPECT_EQ(field_of([](json& j) { j["last_test"]["http_status"] = 1000; }),
            "last_test.http_status");
  EXPECT_EQ(field_of([](json& j) { j["managed"] = 1; }), "managed");
  EXPECT_EQ(field_of([](json& j) { j.erase("sealed_details"); }), "sealed_details");

  json view = ConnectionViewToJson(PrometheusConnection("ws-1"));
  view["endpoint"] = "prom:9090";
  auto got = ConnectionViewFromJson(view);
  EXPECT_EQ(got.code(), ErrorCode::kValidation);
  EXPECT_EQ(FieldOf(got.status()), "endpoint");
  view = ConnectionViewToJson(PrometheusConnection("ws-1"));
  view["tls"]["insecure_skip_verify"] = "true";
  EXPECT_EQ(FieldOf(ConnectionViewFromJson(view).status()), "tls.insecure_skip_verify");
  view["schema_version"] = 7;
  EXPECT_EQ(ConnectionViewFromJson(view).code(), ErrorCode::kUnsupportedVersion);
}

TEST_F(ModelJsonTest, WorkspacesAndSummariesRoundTrip) {
  Workspace w;
  w.id = "ws-1";
  w.name = "Platform";
  w.members = {{"a", Role::kOwner, 1}, {"b", Role::kViewer, 2}};
  w.key_generation = 3;
  json j = WorkspaceToJson(w);
  EXPECT_EQ(j["members"][1]["role"], "viewer");
  auto back = WorkspaceFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(WorkspaceToJson(*back), j);
  j["members"][1]["role"] = "root";
  auto bad = WorkspaceFromJson(j);
  EXPECT_EQ(bad.code(), ErrorCode::kValidation);
  EXPECT_EQ(FieldOf(bad.status()), "members[1].role");

  CredentialSummary s;
  s.id = "cred-1";
  s.name = "prod";
  s.kind = ServiceKind::kGitHub;
  s.method = AuthMethod::kGitHubApp;
  s.shared_workspaces = 2;
  json js = CredentialSummaryToJson(s);
  EXPECT_FALSE(js.contains("fields"));
  auto s_back = CredentialSummaryFromJson(js);
  ASSERT_TRUE(s_back.ok());
  EXPECT_EQ(CredentialSummaryToJson(*s_back), js);

  FieldIssues issues = {{"token", "required", "is required"}};
  EXPECT_EQ(
      FieldIssuesToJson(issues),
      (json::array({{{"field", "token"}, {"code", "required"}, {"message", "is required"}}})));
}

}  // namespace
}  // namespace credvault
