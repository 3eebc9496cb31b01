#include "api/json_body.h"

#include <gtest/gtest.h>

#include <string>

#include "credvault/crypto.h"

namespace credvault::server::api {
namespace {

using nlohmann::json;

HttpRequest JsonRequest(std::string body, std::string content_type = "application/json") {
  HttpRequest request;
  request.method = "POST";
  request.target = "/api/v1/x";
  request.headers.emplace_back("content-type", std::move(content_type));
  request.body = std::move(body);
  return request;
}

TEST(ParseJsonBodyTest, AcceptsAnObjectWithCharset) {
  const Result<json> body =
      ParseJsonBody(JsonRequest(R"({"a":1})", "Application/JSON; charset=utf-8"));
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["a"], 1);
}

TEST(ParseJsonBodyTest, RefusesWrongContentType) {
  EXPECT_EQ(ParseJsonBody(JsonRequest("{}", "text/plain")).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseJsonBody(JsonRequest("{}", "")).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseJsonBody(JsonRequest("{}", "application/jsonx")).code(),
            ErrorCode::kInvalidArgument);
}

TEST(ParseJsonBodyTest, RefusesMalformedAndNonObjects) {
  EXPECT_EQ(ParseJsonBody(JsonRequest("{")).code(), ErrorCode::kParseError);
  EXPECT_EQ(ParseJsonBody(JsonRequest("")).code(), ErrorCode::kParseError);
  EXPECT_EQ(ParseJsonBody(JsonRequest("{\"a\":1} trailing")).code(), ErrorCode::kParseError);
  EXPECT_EQ(ParseJsonBody(JsonRequest("[1,2]")).code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseJsonBody(JsonRequest("\"text\"")).code(), ErrorCode::kValidation);
  EXPECT_EQ(ParseJsonBody(JsonRequest("null")).code(), ErrorCode::kValidation);
}

TEST(ParseJsonBodyTest, RefusesOversizedAndDeepBodies) {
  EXPECT_EQ(ParseJsonBody(JsonRequest("{\"a\":\"" + std::string(100, 'x') + "\"}"), 50).code(),
            ErrorCode::kInvalidArgument);
  const std::string deep =
      "{\"a\":" + std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']') + "}";
  EXPECT_EQ(ParseJsonBody(JsonRequest(deep)).code(), ErrorCode::kInvalidArgument);
  // Brackets inside strings are not nesting.
  const std::string flat = "{\"a\":\"" + std::string(200, '[') + "\\\"\"}";
  EXPECT_TRUE(ParseJsonBody(JsonRequest(flat)).ok());
}

TEST(CheckFieldsTest, UnknownAndMissingFields) {
  const json body = {{"name", "x"}, {"version", 1}};
  EXPECT_TRUE(CheckFields(body, {"name", "version"}).ok());
  EXPECT_TRUE(CheckFields(body, {"name"}, {"version", "grant"}).ok());
  const Status unknown = CheckFields(body, {"name"});
  EXPECT_EQ(unknown.code(), ErrorCode::kValidation);
  EXPECT_EQ(unknown.message(), "version: unknown field");
  const Status missing = CheckFields(body, {"name", "version", "grant"});
  EXPECT_EQ(missing.code(), ErrorCode::kValidation);
  EXPECT_EQ(missing.message(), "grant: missing");
}

TEST(ReadFieldTest, StringsIdsUintsRoles) {
  const json body = {{"s", "text"},   {"empty", ""},        {"n", 5},
                     {"neg", -1},     {"float", 1.5},       {"id", NewObjectId()},
                     {"bad_id", "x"}, {"role", "operator"}, {"bad_role", "root"},
                     {"num_str", "5"}};
  std::string s;
  EXPECT_TRUE(ReadString(body, "s", &s).ok());
  EXPECT_EQ(s, "text");
  EXPECT_EQ(ReadString(body, "empty", &s).code(), ErrorCode::kValidation);
  EXPECT_EQ(ReadString(body, "n", &s).code(), ErrorCode::kValidation);
  EXPECT_EQ(ReadString(body, "absent", &s).code(), ErrorCode::kValidation);
  EXPECT_EQ(ReadString(body, "s", &s, 3).code(), ErrorCode::kValidation);
  EXPECT_TRUE(ReadObjectId(body, "id", &s).ok());
  EXPECT_EQ(ReadObjectId(body, "bad_id", &s).code(), ErrorCode::kValidation);
  uint64_t n = 0;
  EXPECT_TRUE(ReadUint(body, "n", &n).ok());
  EXPECT_EQ(n, 5u);
  EXPECT_EQ(ReadUint(body, "neg", &n).code(), ErrorCode::kValidation);
  EXPECT_EQ(ReadUint(body, "float", &n).code(), ErrorCode::kValidation);
  EXPECT_EQ(ReadUint(body, "num_str", &n).code(), ErrorCode::kValidation);
  Role role = Role::kViewer;
  EXPECT_TRUE(ReadRole(body, "role", &role).ok());
  EXPECT_EQ(role, Role::kOperator);
  EXPECT_EQ(ReadRole(body, "bad_role", &role).code(), ErrorCode::kValidation);
}

TEST(ReadEnvelopeTest, StructuralCheckOnly) {
  ASSERT_TRUE(InitCrypto().ok());
  const SymmetricKey key = SymmetricKey::Generate(3);
  const Result<Bytes> sealed = SealEnvelope(key, {"credential", "", "id", 1}, AsBytes("x"));
  ASSERT_TRUE(sealed.ok());
  const std::string text = Base64UrlEncode(*sealed);
  std::string out;
  EXPECT_TRUE(ReadEnvelope(json{{"e", text}}, "e", &out).ok());
  EXPECT_EQ(out, text);
  EXPECT_EQ(ReadEnvelope(json{{"e", "AAAA"}}, "e", &out).code(), ErrorCode::kMalformed);
  EXPECT_EQ(ReadEnvelope(json{{"e", "not base64!"}}, "e", &out).code(), ErrorCode::kMalformed);
  Bytes wrong_version = *sealed;
  wrong_version[0] = 9;
  EXPECT_EQ(ReadEnvelope(json{{"e", Base64UrlEncode(wrong_version)}}, "e", &out).code(),
            ErrorCode::kUnsupportedVersion);
  EXPECT_EQ(ReadEnvelope(json{{"e", 42}}, "e", &out).code(), ErrorCode::kValidation);
}

TEST(CheckPathIdTest, MalformedIdsAreNotFound) {
  EXPECT_TRUE(CheckPathId(NewObjectId(), "workspace").ok());
  EXPECT_EQ(CheckPathId("..", "workspace").code(), ErrorCode::kNotFound);
  EXPECT_EQ(CheckPathId("", "workspace").code(), ErrorCode::kNotFound);
  EXPECT_EQ(CheckPathId("short", "workspace").message(), "no such workspace");
}

TEST(NormalizeEmailTest, LowerCasesAndRefusesNonsense) {
  EXPECT_EQ(*NormalizeEmail("SRE@Example.COM"), "sre@example.com");
  for (const char* bad : {"", "no-at", "@example.com", "sre@", "a@b@c", "a b@c", "a\n@b"}) {
    EXPECT_EQ(NormalizeEmail(bad).code(), ErrorCode::kValidation) << bad;
  }
  EXPECT_EQ(NormalizeEmail(std::string(250, 'a') + "@b.cd").code(), ErrorCode::kValidation);
}

}  // namespace
}  // namespace credvault::server::api
