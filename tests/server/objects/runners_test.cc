// Runner registration bodies and the JSON of runners and environments.
#include "handlers/runners.h"

#include <gtest/gtest.h>

#include "credvault/crypto.h"
#include "credvault/secret.h"
#include "handlers/environments.h"

namespace credvault::server {
namespace {

using nlohmann::json;

// The core's crypto (ids, keys, envelopes) needs libsodium initialised.
class RunnersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

// The core's crypto (ids, keys, envelopes) needs libsodium initialised.
class EnvironmentsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(InitCrypto().ok()); }
};

json Body() {
  return {{"id", NewObjectId()},
          {"name", "runner in eu-west"},
          {"box_public_key", Base64UrlEncode(Bytes(32, 1))},
          {"sign_public_key", Base64UrlEncode(Bytes(32, 2))}};
}

TEST_F(RunnersTest, ParsesARegistrationAndWritesItBack) {
  const json body = Body();
  Result<RunnerRow> row = ParseRunnerBody(body);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->box_public_key, Bytes(32, 1));
  const json out = RunnerToJson(*row);
  EXPECT_EQ(out["sign_public_key"], body["sign_public_key"]);
  EXPECT_EQ(out["name"], "runner in eu-west");
}

TEST_F(RunnersTest, RefusesBadRegistrations) {
  json body = Body();
  body["box_public_key"] = Base64UrlEncode(Bytes(31, 1));
  EXPECT_EQ(ParseRunnerBody(body).status().message(),
            "box_public_key: must be 32 bytes, base64url without padding");
  body = Body();
  body["sign_public_key"] = "***";
  EXPECT_EQ(ParseRunnerBody(body).code(), ErrorCode::kValidation);
  body = Body();
  body["id"] = "runner-1";
  EXPECT_EQ(ParseRunnerBody(body).status().message(), "id: not an object id");
  body = Body();
  body["name"] = "bad\nname";
  EXPECT_EQ(ParseRunnerBody(body).code(), ErrorCode::kValidation);
  body = Body();
  body["name"] = 7;
  EXPECT_EQ(ParseRunnerBody(body).status().message(), "name: must be a string");
  body = Body();
  body["private_key"] = "x";
  EXPECT_EQ(ParseRunnerBody(body).status().message(), "private_key: unknown field");
  body = Body();
  body.erase("sign_public_key");
  EXPECT_EQ(ParseRunnerBody(body).status().message(), "sign_public_key: missing");
}

TEST_F(EnvironmentsTest, Json) {
  EnvironmentRow row;
  row.id = NewObjectId();
  row.workspace_id = NewObjectId();
  row.name = "production";
  row.version = 3;
  const json out = EnvironmentToJson(row);
  EXPECT_EQ(out["id"], row.id);
  EXPECT_EQ(out["name"], "production");
  EXPECT_EQ(out["version"], 3);
}

}  // namespace
}  // namespace credvault::server
