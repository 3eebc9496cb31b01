#include "credvault/credential.h"

#include <gtest/gtest.h>

#include <set>

#include "shared/model/model_test_util.h"

namespace credvault {
namespace {

using testing::ClientCertCredential;
using testing::GitHubAppCredential;
using testing::ModelData;
using testing::TokenCredential;

// The single issue `view` has, as "field/code".
std::string OnlyIssue(const CredentialView& view) {
  FieldIssues issues = CheckCredential(view);
  if (issues.size() != 1) return "got " + std::to_string(issues.size()) + " issues";
  return issues[0].field + "/" + issues[0].code;
}

class CredentialTest : public testing::CryptoTest {};

TEST_F(CredentialTest, EveryKindHasTheMethodsTheIssueAsksFor) {
  auto methods = [](ServiceKind k) {
    std::set<std::string_view> out;
    for (AuthMethod m : AuthMethodsFor(k)) out.insert(AuthMethodName(m));
    return out;
  };
  using S = std::set<std::string_view>;
  EXPECT_EQ(methods(ServiceKind::kKubernetes), (S{"bearer_token", "client_certificate", "basic"}));
  EXPECT_EQ(methods(ServiceKind::kPrometheus), (S{"basic", "bearer_token", "client_certificate"}));
  EXPECT_EQ(methods(ServiceKind::kGrafana), (S{"api_key", "service_account_token"}));
  EXPECT_EQ(methods(ServiceKind::kGitHub), (S{"personal_access_token", "github_app"}));
  EXPECT_EQ(methods(ServiceKind::kHttp), (S{"basic", "bearer_token", "custom_header"}));
  for (const AuthMethodSpec& spec : AuthMethodSpecs()) {
    EXPECT_FALSE(spec.fields.empty());
    EXPECT_FALSE(spec.label.empty());
    for (const FieldSpec& f : spec.fields) {
      EXPECT_EQ(ParseCredentialField(CredentialFieldName(f.field)), f.field);
    }
  }
}

TEST_F(CredentialTest, ValidCredentialsPass) {
  EXPECT_TRUE(ValidateCredential(TokenCredential()).ok());
  EXPECT_TRUE(ValidateCredential(ClientCertCredential()).ok())
      << ValidateCredential(ClientCertCredential()).ToString();
  EXPECT_TRUE(ValidateCredential(GitHubAppCredential()).ok());

  CredentialView ec = ClientCertCredential();
  ec.fields.Set(CredentialField::kClientKey, ModelData("client_ec.key"));
  EXPECT_TRUE(ValidateCredential(ec).ok());

  CredentialView header;
  header.name = "vault api";
  header.kind = ServiceKind::kHttp;
  header.method = AuthMethod::kCustomHeader;
  header.fields.Set(CredentialField::kHeaderName, "X-Vault-Token");
  header.fields.Set(CredentialField::kHeaderValue, "hvs.abc\tdef");
  EXPECT_TRUE(ValidateCredential(header).ok());

  CredentialView client_id = GitHubAppCredential();
  client_id.fields.Set(CredentialField::kAppId, "Iv23liAbC.12");
  EXPECT_TRUE(ValidateCredential(client_id).ok());
}

TEST_F(CredentialTest, NameProblems) {
  CredentialView v = TokenCredential();
  v.name = "  ";
  EXPECT_EQ(OnlyIssue(v), "name/required");
  v.name = std::string(kMaxNameChars + 1, 'a');
  EXPECT_EQ(OnlyIssue(v), "name/too_long");
  v.name = std::string(kMaxNameChars, 'a');
  EXPECT_EQ(OnlyIssue(v), "got 0 issues");
  v.name = "prod\nx";
  EXPECT_EQ(OnlyIssue(v), "name/control_chars");
  v.name = "bad \xC3\x28 utf8";
  EXPECT_EQ(OnlyIssue(v), "name/bad_utf8");
  v.name = "\xE6\x97\xA5\xE6\x9C\xAC";  // multi-byte characters count once
  EXPECT_EQ(OnlyIssue(v), "got 0 issues");
}

TEST_F(CredentialTest, FieldProblemsNameTheFieldAndTheCode) {
  CredentialView v = TokenCredential();
  v.fields.Clear(CredentialField::kToken);
  EXPECT_EQ(OnlyIssue(v), "token/required");
  v.fields.Set(CredentialField::kToken, "abc def");
  EXPECT_EQ(OnlyIssue(v), "token/whitespace");
  v.fields.Set(CredentialField::kToken, "abc\x01");
  EXPECT_EQ(OnlyIssue(v), "token/control_chars");
  v.fields.Set(CredentialField::kToken, std::string(kMaxSecretFieldBytes + 1, 'a'));
  EXPECT_EQ(OnlyIssue(v), "token/too_long");

  CredentialView basic;
  basic.name = "prom";
  basic.kind = ServiceKind::kPrometheus;
  basic.method = AuthMethod::kBasic;
  basic.fields.Set(CredentialField::kUsername, "ad:min");
  basic.fields.Set(CredentialField::kPassword, "pw");
  EXPECT_EQ(OnlyIssue(basic), "username/colon_in_username");
  basic.fields.Set(CredentialField::kUsername, "admin");
  basic.fields.Set(CredentialField::kPassword, "pw\r\n");
  EXPECT_EQ(OnlyIssue(basic), "password/control_chars");
  basic.fields.Clear(CredentialField::kPassword);
  EXPECT_EQ(OnlyIssue(basic), "password/required");

  CredentialView app = GitHubAppCredential();
  app.fields.Set(CredentialField::kAppId, "12a");
  EXPECT_EQ(OnlyIssue(app), "app_id/not_numeric");
  app = GitHubAppCredential();
  app.fields.Set(CredentialField::kInstallationId, "0");
  EXPECT_EQ(OnlyIssue(app), "installation_id/not_numeric");
  app.fields.Set(CredentialField::kInstallationId, "-5");
  EXPECT_EQ(OnlyIssue(app), "installation_id/not_numeric");

  CredentialView header;
  header.name = "api";
  header.kind = ServiceKind::kHttp;
  header.method = AuthMethod::kCustomHeader;
  header.fields.Set(CredentialField::kHeaderName, "X Token");
  header.fields.Set(CredentialField::kHeaderValue, "v");
  EXPECT_EQ(OnlyIssue(header), "header_name/bad_header_name");
  header.fields.Set(CredentialField::kHeaderName, "Content-Length");
  EXPECT_EQ(OnlyIssue(header), "header_name/reserved_header");
  header.fields.Set(CredentialField::kHeaderName, "X-Token");
  header.fields.Set(CredentialField::kHeaderValue, "v\r\nHost: evil");
  EXPECT_EQ(OnlyIssue(header), "header_value/control_chars");
}

TEST_F(CredentialTest, MethodAndFieldMismatches) {
  CredentialView v = TokenCredential(ServiceKind::kGrafana);  // Grafana has no "bearer_token"
  EXPECT_EQ(OnlyIssue(v), "auth_method/unsupported_method");
  v = TokenCredential(ServiceKind::kPrometheus);
  v.fields.Set(CredentialField::kCaData, ModelData("ca.crt"));  // only Kubernetes carries a CA
  EXPECT_EQ(OnlyIssue(v), "ca_data/not_used");
  v = TokenCredential();
  v.fields.Set(CredentialField::kPassword, "x");
  EXPECT_EQ(OnlyIssue(v), "password/not_used");
}

TEST_F(CredentialTest, AllIssuesAreReportedInFieldOrder) {
  CredentialView v = GitHubAppCredential();
  v.name = "";
  v.fields.Clear(CredentialField::kAppId);
  v.fields.Set(CredentialField::kPrivateKey, ModelData("client.crt"));
  FieldIssues issues = CheckCredential(v);
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_EQ(issues[0].field, "name");
  EXPECT_EQ(issues[1].field, "app_id");
  EXPECT_EQ(issues[2].field, "private_key");
  EXPECT_EQ(issues[2].code, "pem_wrong_type");
  Status s = ValidateCredential(v);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_EQ(s.message(), "name: is required (and 2 more)");
}

TEST_F(CredentialTest, MessagesNeverQuoteTheSecret) {
  CredentialView v = TokenCredential();
  v.fields.Set(CredentialField::kToken, "s3cr3t-canary value");
  for (const FieldIssue& issue : CheckCredential(v)) {
    EXPECT_EQ(issue.message.find("canary"), std::string::npos);
  }
}

TEST_F(CredentialTest, CloneCopiesEveryField) {
  CredentialView v = ClientCertCredential();
  CredentialView copy = v.Clone();
  EXPECT_EQ(copy.name, v.name);
  EXPECT_EQ(copy.fields.Get(CredentialField::kClientKey), ModelData("client.key"));
  EXPECT_FALSE(copy.fields.Has(CredentialField::kToken));
  v.fields.Clear(CredentialField::kClientKey);
  EXPECT_TRUE(copy.fields.Has(CredentialField::kClientKey));
}

}  // namespace
}  // namespace credvault
