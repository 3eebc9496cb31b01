// The kubeconfig import split across the browser's two modules (kubeconfig_seal.h) must
// give what the one-call import gives, with the id key staying on the main side.
#include "credvault/kubeconfig_seal.h"

#include <gtest/gtest.h>

#include <string>

#include "credvault/client_api.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault {
namespace {

using nlohmann::json;
using testing::ReadTestData;

json Parse(const char* text) { return json::parse(text, nullptr, false); }

class KubeconfigSealTest : public testing::CryptoTest {
 protected:
  // Steps 1 to 3; the ids come from the main side's ClientApi.
  Result<json> PlanSplit(const json& request, bool with_models, Handle ws) {
    CV_ASSIGN_OR_RETURN(json inputs, KubeconfigIdInputsJson(text_));
    CV_ASSIGN_OR_RETURN(json ids, api_.KubeconfigIds(inputs, ws));
    return PlanKubeconfigWithIdsJson(text_, request, ids, with_models);
  }

  ClientApi api_;
  std::string ws_id_ = NewObjectId();
  Handle ws_ = api_.NewWorkspaceKeys(ws_id_, 1);
  std::string owner_ = NewObjectId();
  std::string text_ = ReadTestData("kubeconfig/multi.yaml");
};

TEST_F(KubeconfigSealTest, SplitPlanEqualsOneCallPlan) {
  for (const char* request :
       {R"({"select_all": true})", R"({"selected": [{"context": "prod", "new_name": "p"}]})"}) {
    Result<json> split = PlanSplit(Parse(request), false, ws_);
    ASSERT_TRUE(split.ok()) << split.status().ToString();
    Result<json> whole = api_.PlanKubeconfigImport(text_, Parse(request), ws_);
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    EXPECT_EQ((*split)["plan"], *whole) << request;
    EXPECT_FALSE(split->contains("models"));
  }
}

TEST_F(KubeconfigSealTest, IdInputsHoldNoIdAndIdsDependOnTheWorkspace) {
  Result<json> inputs = KubeconfigIdInputsJson(text_);
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  EXPECT_EQ((*inputs)["contexts"].size(), 5u);
  Result<json> ids = api_.KubeconfigIds(*inputs, ws_);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ((*ids)["workspace_id"], ws_id_);
  std::string prod = (*ids)["contexts"]["prod"]["connection_id"].get<std::string>();
  EXPECT_EQ(inputs->dump().find(prod), std::string::npos);
  Handle other = api_.NewWorkspaceKeys(NewObjectId(), 1);
  Result<json> other_ids = api_.KubeconfigIds(*inputs, other);
  ASSERT_TRUE(other_ids.ok());
  EXPECT_NE((*other_ids)["contexts"]["prod"]["connection_id"], prod);
}

TEST_F(KubeconfigSealTest, SplitSealEqualsOneCallSeal) {
  json request = Parse(R"({"select_all": true})");
  json options = {{"owner_id", owner_}, {"now", 1000}};
  Result<json> planned = PlanSplit(request, true, ws_);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  Result<json> sealed = api_.SealImportedModels((*planned)["models"], request, ws_, options);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  Result<json> whole = api_.SealKubeconfigImport(text_, request, ws_, options);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  ASSERT_EQ((*sealed)["credentials"].size(), (*whole)["credentials"].size());
  ASSERT_EQ((*sealed)["connections"].size(), (*whole)["connections"].size());
  for (size_t i = 0; i < (*sealed)["connections"].size(); ++i) {
    Result<json> a = api_.OpenConnection((*sealed)["connections"][i], ws_);
    Result<json> b = api_.OpenConnection((*whole)["connections"][i], ws_);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b);
  }
  for (size_t i = 0; i < (*sealed)["credentials"].size(); ++i) {
    const json& c = (*sealed)["credentials"][i];
    EXPECT_EQ(c["id"], (*whole)["credentials"][i]["id"]);
    EXPECT_EQ(c["owner_id"], owner_);
    ASSERT_EQ(c["grants"].size(), 1u);
    EXPECT_EQ(c["grants"][0]["workspace_id"], ws_id_);
    Result<json> a = api_.OpenCredential(c, ws_);
    Result<json> b = api_.OpenCredential((*whole)["credentials"][i], ws_);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b);
  }
  // Views that name another workspace are still sealed into this one.
  json models = (*planned)["models"];
  for (json& c : models["connections"]) c["workspace_id"] = NewObjectId();
  Result<json> resealed = api_.SealImportedModels(models, request, ws_, options);
  ASSERT_TRUE(resealed.ok()) << resealed.status().ToString();
  EXPECT_EQ((*resealed)["connections"][0]["workspace_id"], ws_id_);
}

TEST_F(KubeconfigSealTest, ReimportUpdatesAtNextVersionAndSkipsKnownCredentials) {
  json options = {{"owner_id", owner_}, {"now", 1000}};
  Result<json> first = PlanSplit(Parse(R"({"select_all": true})"), true, ws_);
  ASSERT_TRUE(first.ok());
  std::string dev = (*first)["plan"]["contexts"][0]["connection_id"].get<std::string>();
  json credential_ids = json::array();
  for (const json& c : (*first)["models"]["credentials"]) credential_ids.push_back(c["id"]);
  json request = {
      {"selected", {{{"context", "dev"}}}},
      {"existing", {{{"id", dev}, {"state", "connected"}, {"name", "dev"}, {"version", 3}}}},
      {"existing_credentials", credential_ids}};
  Result<json> again = PlanSplit(request, true, ws_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  Result<json> sealed = api_.SealImportedModels((*again)["models"], request, ws_, options);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_TRUE((*sealed)["credentials"].empty());
  ASSERT_EQ((*sealed)["connections"].size(), 1u);
  EXPECT_EQ((*sealed)["connections"][0]["version"], 4);

  request["existing"][0].erase("version");
  EXPECT_EQ(api_.SealImportedModels((*again)["models"], request, ws_, options).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(KubeconfigSealTest, BadInputsHaveExactCodes) {
  Result<json> inputs = KubeconfigIdInputsJson(text_);
  ASSERT_TRUE(inputs.ok());
  EXPECT_EQ(KubeconfigIdInputsJson("- just\n- a list\n").code(), ErrorCode::kValidation);
  EXPECT_EQ(KubeconfigIdInputsJson("clusters: [\n  - {").code(), ErrorCode::kParseError);
  EXPECT_EQ(api_.KubeconfigIds(*inputs, 999).code(), ErrorCode::kUnknownHandle);
  EXPECT_EQ(api_.KubeconfigIds(json::array(), ws_).code(), ErrorCode::kValidation);
  EXPECT_EQ(api_.KubeconfigIds(json{{"contexts", 1}}, ws_).code(), ErrorCode::kValidation);
  json bad = *inputs;
  bad["contexts"]["dev"]["auth"] = "kerberos";
  EXPECT_EQ(api_.KubeconfigIds(bad, ws_).code(), ErrorCode::kValidation);
  bad = *inputs;
  bad["contexts"]["dev"]["server"] = "not base64url!";
  EXPECT_EQ(api_.KubeconfigIds(bad, ws_).code(), ErrorCode::kValidation);
  bad = *inputs;
  bad["contexts"]["dev"].erase("token");
  EXPECT_EQ(api_.KubeconfigIds(bad, ws_).code(), ErrorCode::kValidation);

  Result<json> ids = api_.KubeconfigIds(*inputs, ws_);
  ASSERT_TRUE(ids.ok());
  json all = Parse(R"({"select_all": true})");
  // The kubeconfig module cannot plan without the ids of every importable context.
  EXPECT_EQ(PlanKubeconfigWithIdsJson(text_, all, json{{"contexts", json::object()}}, false).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(PlanKubeconfigWithIdsJson(text_, all, json::object(), false).code(),
            ErrorCode::kValidation);
  json no_id = *ids;
  no_id["contexts"]["dev"].erase("credential_id");
  EXPECT_EQ(PlanKubeconfigWithIdsJson(text_, all, no_id, false).code(), ErrorCode::kValidation);
  EXPECT_EQ(PlanKubeconfigWithIdsJson(text_, Parse(R"({"select_all": "yes"})"), *ids, false).code(),
            ErrorCode::kValidation);

  json options = {{"owner_id", owner_}, {"now", 1000}};
  Result<json> planned = PlanKubeconfigWithIdsJson(text_, all, *ids, true);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  const json& models = (*planned)["models"];
  EXPECT_EQ(api_.SealImportedModels(models, all, ws_, json{{"now", 1}}).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(api_.SealImportedModels(json::object(), all, ws_, options).code(),
            ErrorCode::kValidation);
  json broken = models;
  broken["credentials"][0].erase("view");
  EXPECT_EQ(api_.SealImportedModels(broken, all, ws_, options).code(), ErrorCode::kValidation);
  EXPECT_EQ(api_.SealImportedModels(models, all, 999, options).code(), ErrorCode::kUnknownHandle);
}

TEST(KubeconfigContextIdsTest, WrongKeySizeAndPlannerWithoutIds) {
  EXPECT_EQ(DeriveKubeconfigContextIds(ByteView(), {}, {}).code(), ErrorCode::kInvalidArgument);
  Kubeconfig config;
  KubeconfigImportRequest request;
  request.select_all = true;
  EXPECT_EQ(PlanKubeconfigImport(config, request).code(), ErrorCode::kInvalidArgument);
  request.context_ids.emplace();  // an empty file needs no ids
  Result<KubeconfigImportPlan> plan = PlanKubeconfigImport(config, request);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->contexts.empty());
}

}  // namespace
}  // namespace credvault
