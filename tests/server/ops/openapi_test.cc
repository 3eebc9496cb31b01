#include "ops/openapi.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "credvault/connection_state.h"
#include "ops_test_util.h"
#include "routes.h"
#include "store/sqlite_store.h"

namespace credvault::server::ops {
namespace {

using nlohmann::json;

// The routes the server really registers, without the static file mounts ("/*" patterns).
std::vector<std::string> RegisteredApiRoutes(const std::string& dir) {
  std::filesystem::create_directories(dir + "/web");
  std::filesystem::create_directories(dir + "/module");
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::New(dir + "/credvault.db");
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  ServerConfig config;
  config.web_root = dir + "/web";
  config.module_dir = dir + "/module";
  config.data_dir = dir;
  api::ApiContext api;
  api.store = store->get();
  Router router;
  const Status registered = RegisterRoutes(config, api, router);
  EXPECT_TRUE(registered.ok()) << registered.ToString();
  std::vector<std::string> routes;
  for (const std::string& route : router.Describe()) {
    if (!route.ends_with("/*")) routes.push_back(route);
  }
  std::sort(routes.begin(), routes.end());
  return routes;
}

std::string Difference(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::string out;
  for (const std::string& item : a) {
    if (!std::binary_search(b.begin(), b.end(), item)) out += "\n  " + item;
  }
  return out;
}

// Every "$ref" in `node`, recursively.
void CollectRefs(const json& node, std::vector<std::string>* refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) refs->push_back(value.get<std::string>());
      CollectRefs(value, refs);
    }
  } else if (node.is_array()) {
    for (const json& item : node) CollectRefs(item, refs);
  }
}

TEST(OpsOpenApiTest, DocumentsExactlyTheRegisteredRoutes) {
  testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::vector<std::string> registered = RegisteredApiRoutes(dir.path());
  const std::vector<std::string> documented = DocumentedRoutes();
  ASSERT_FALSE(registered.empty());
  EXPECT_EQ(registered, documented)
      << "registered but not documented (add them to server/ops/openapi_endpoints.cc):"
      << Difference(registered, documented)
      << "\ndocumented but not registered:" << Difference(documented, registered);
}

TEST(OpsOpenApiTest, EveryReferenceResolves) {
  const json document = OpenApiDocument();
  std::vector<std::string> refs;
  CollectRefs(document, &refs);
  ASSERT_GT(refs.size(), 100u);
  for (const std::string& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << ref;
    EXPECT_TRUE(document.contains(json::json_pointer(ref.substr(1)))) << ref;
  }
}

TEST(OpsOpenApiTest, EveryOperationIsComplete) {
  const json document = OpenApiDocument();
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      const std::string where = method + " " + path;
      ASSERT_TRUE(operation.contains("operationId")) << where;
      EXPECT_TRUE(operation_ids.insert(operation["operationId"].get<std::string>()).second)
          << "duplicate operationId at " << where;
      EXPECT_TRUE(operation.contains("summary")) << where;
      bool success = false, client_error = false;
      for (const auto& [status, response] : operation["responses"].items()) {
        success = success || status.front() == '2';
        client_error = client_error || status.front() == '4';
      }
      EXPECT_TRUE(success && client_error) << where;
      // Every {name} in the path is a declared path parameter.
      std::set<std::string> declared;
      if (operation.contains("parameters")) {
        for (const json& parameter : operation["parameters"]) {
          if (parameter["in"] == "path") declared.insert(parameter["name"].get<std::string>());
        }
      }
      std::set<std::string> templated;
      for (size_t open = path.find('{'); open != std::string::npos;
           open = path.find('{', open + 1)) {
        templated.insert(path.substr(open + 1, path.find('}', open) - open - 1));
      }
      EXPECT_EQ(declared, templated) << where;
    }
  }
  EXPECT_EQ(operation_ids.size(), DocumentedEndpoints().size());
}

TEST(OpsOpenApiTest, SessionEndpointsRequireAuthAndPublicOnesSayNone) {
  const json document = OpenApiDocument();
  ASSERT_EQ(document["security"].size(), 2u);
  const json& login = document["paths"]["/api/v1/auth/login"]["post"];
  ASSERT_TRUE(login.contains("security"));
  EXPECT_TRUE(login["security"].empty());
  const json& workspaces = document["paths"]["/api/v1/workspaces"]["get"];
  EXPECT_FALSE(workspaces.contains("security"));  // inherits the document's
  EXPECT_TRUE(workspaces["responses"].contains("401"));
  EXPECT_FALSE(login["responses"].contains("401") && !login["responses"].contains("429"));
}

TEST(OpsOpenApiTest, EnumerationsComeFromTheCore) {
  const json schemas = OpenApiSchemas();
  EXPECT_EQ(schemas["ConnectionState"]["enum"].size(), kConnectionStateCount);
  EXPECT_EQ(schemas["Role"]["enum"], json::array({"owner", "admin", "operator", "viewer"}));
  EXPECT_EQ(schemas["Action"]["enum"].size(), kActionCount);
  const json& methods = schemas["AuthMethod"]["enum"];
  EXPECT_NE(std::find(methods.begin(), methods.end(), "client_certificate"), methods.end());
  EXPECT_EQ(std::find(methods.begin(), methods.end(), "unknown"), methods.end());
  // The hand-written part parsed (a broken literal would leave only the generated schemas).
  EXPECT_TRUE(schemas.contains("SealedCredential"));
  EXPECT_TRUE(schemas.contains("MemberRemoval"));
}

TEST(OpsOpenApiTest, TextIsTheDocumentSerialised) {
  const json parsed = json::parse(OpenApiText(), nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed, OpenApiDocument());
  EXPECT_EQ(&OpenApiText(), &OpenApiText());
}

}  // namespace
}  // namespace credvault::server::ops
