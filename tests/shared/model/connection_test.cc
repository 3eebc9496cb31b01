#include "credvault/connection.h"

#include <gtest/gtest.h>

#include "credvault/identity.h"
#include "shared/model/model_test_util.h"

namespace credvault {
namespace {

using testing::ModelData;
using testing::PrometheusConnection;

std::string EndpointCode(std::string_view url) {
  Endpoint ep;
  auto issue = CheckEndpoint(url, "endpoint", &ep);
  if (!issue) return "ok";
  EXPECT_EQ(issue->field, "endpoint");
  EXPECT_EQ(ParseEndpoint(url).code(), ErrorCode::kValidation);
  return issue->code;
}

TEST(EndpointTest, ParsesAndCanonicalises) {
  auto ep = ParseEndpoint("  HTTPS://API.Example.com:6443/k8s/clusters/c-1/  ");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->scheme, "https");
  EXPECT_EQ(ep->host, "api.example.com");
  EXPECT_EQ(ep->port, 6443);
  EXPECT_EQ(ep->path, "/k8s/clusters/c-1");
  EXPECT_FALSE(ep->plain_http());
  EXPECT_EQ(ep->ToString(), "https://api.example.com:6443/k8s/clusters/c-1");

  ep = ParseEndpoint("http://10.0.0.5");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->port, 80);
  EXPECT_TRUE(ep->plain_http());
  EXPECT_EQ(ep->ToString(), "http://10.0.0.5");

  ep = ParseEndpoint("https://[FD00::1]:8443");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->host, "fd00::1");
  EXPECT_EQ(ep->ToString(), "https://[fd00::1]:8443");
  EXPECT_EQ(*ParseEndpoint(ep->ToString()), *ep);

  ep = ParseEndpoint("https://github.example.com:443/api/v3");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->ToString(), "https://github.example.com/api/v3");
}

TEST(EndpointTest, BadUrlsGetTheirExactCode) {
  EXPECT_EQ(EndpointCode(""), "required");
  EXPECT_EQ(EndpointCode("   "), "required");
  EXPECT_EQ(EndpointCode("https://" + std::string(2100, 'a')), "too_long");
  EXPECT_EQ(EndpointCode("https://a b.com"), "control_chars");
  EXPECT_EQ(EndpointCode("api.example.com:6443"), "bad_scheme");
  EXPECT_EQ(EndpointCode("ftp://example.com"), "bad_scheme");
  EXPECT_EQ(EndpointCode("https://"), "missing_host");
  EXPECT_EQ(EndpointCode("https://:443/x"), "missing_host");
  EXPECT_EQ(EndpointCode("https://user:pw@example.com"), "user_info");
  EXPECT_EQ(EndpointCode("https://exa$mple.com"), "bad_host");
  EXPECT_EQ(EndpointCode("https://a..b"), "bad_host");
  EXPECT_EQ(EndpointCode("https://[fd00::1"), "bad_host");
  EXPECT_EQ(EndpointCode("https://[example.com]"), "bad_host");
  EXPECT_EQ(EndpointCode("https://\xC3\xA9t\xC3\xA9.fr"), "bad_host");
  EXPECT_EQ(EndpointCode("https://example.com:"), "bad_port");
  EXPECT_EQ(EndpointCode("https://example.com:0"), "bad_port");
  EXPECT_EQ(EndpointCode("https://example.com:65536"), "bad_port");
  EXPECT_EQ(EndpointCode("https://example.com:+80"), "bad_port");
  EXPECT_EQ(EndpointCode("https://example.com:80x"), "bad_port");
  EXPECT_EQ(EndpointCode("https://example.com/api?x=1"), "query_or_fragment");
  EXPECT_EQ(EndpointCode("https://example.com#top"), "query_or_fragment");
}

class ConnectionTest : public testing::CryptoTest {
 protected:
  WorkspaceKeys keys_ = WorkspaceKeys::Generate("ws-1", 2);
};

TEST_F(ConnectionTest, ValidationNamesEachField) {
  ConnectionView v = PrometheusConnection("ws-1");
  EXPECT_TRUE(ValidateConnection(v).ok()) << ValidateConnection(v).ToString();

  auto only = [](const ConnectionView& c) {
    FieldIssues issues = CheckConnection(c);
    return issues.size() == 1 ? issues[0].field + "/" + issues[0].code
                              : "got " + std::to_string(issues.size());
  };
  ConnectionView c = v;
  c.name = "";
  EXPECT_EQ(only(c), "name/required");
  c = v;
  c.endpoint = Endpoint{};
  EXPECT_EQ(only(c), "endpoint/required");
  c = v;
  c.endpoint.host = "bad host";
  EXPECT_EQ(only(c), "endpoint/control_chars");
  c = v;
  c.tls.ca_data = ModelData("client.key");
  EXPECT_EQ(only(c), "ca_data/pem_wrong_type");
  c = v;
  c.tls.server_name = "Prom.Internal";
  EXPECT_EQ(only(c), "server_name/bad_host");
  c.tls.server_name = "prom.internal/x";
  EXPECT_EQ(only(c), "server_name/bad_host");
  c = v;
  c.tls.insecure_skip_verify = true;
  EXPECT_EQ(only(c), "insecure_skip_verify/conflicts_with_ca_data");
  c.tls.ca_data.clear();
  EXPECT_EQ(only(c), "got 0");  // allowed as an explicit choice, and flagged by the summary
  c = v;
  c.environment_ids = {"env-a", "env-a"};
  EXPECT_EQ(only(c), "environment_ids/duplicate");
  c.environment_ids = {""};
  EXPECT_EQ(only(c), "environment_ids/bad_id");
  c.environment_ids.assign(kMaxEnvironmentsPerConnection + 1, "e");
  EXPECT_EQ(CheckConnection(c)[0].code, "too_many");
  c = v;
  c.credential_id = "has space";
  EXPECT_EQ(only(c), "credential_id/bad_id");
}

TEST_F(ConnectionTest, CredentialFit) {
  EXPECT_TRUE(CheckCredentialFits(ServiceKind::kKubernetes, ServiceKind::kKubernetes,
                                  AuthMethod::kBearerToken)
                  .ok());
  EXPECT_TRUE(
      CheckCredentialFits(ServiceKind::kPrometheus, ServiceKind::kHttp, AuthMethod::kBasic).ok());
  Status s = CheckCredentialFits(ServiceKind::kKubernetes, ServiceKind::kGitHub,
                                 AuthMethod::kPersonalAccessToken);
  EXPECT_EQ(s.code(), ErrorCode::kValidation);
  EXPECT_TRUE(s.message().starts_with("credential_id: "));
}

TEST_F(ConnectionTest, SealOpenRoundTripAndSummary) {
  ConnectionView v = PrometheusConnection("ws-1");
  v.last_test = LastTest{TestOutcome::kUnauthorized, 1700000200, 42, 401, "runner-1"};
  auto sealed = SealConnection(v, keys_);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->state, ConnectionState::kRegistered);
  EXPECT_EQ(sealed->credential_id, "cred-1");
  EXPECT_EQ(sealed->environment_ids, v.environment_ids);
  std::string_view cipher = AsChars(sealed->sealed_details);
  EXPECT_EQ(cipher.find("prom.eu-west"), std::string_view::npos);
  EXPECT_EQ(cipher.find("prom eu-west"), std::string_view::npos);

  auto opened = OpenConnection(*sealed, keys_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->name, v.name);
  EXPECT_EQ(opened->endpoint, v.endpoint);
  EXPECT_EQ(opened->tls.ca_data, v.tls.ca_data);
  EXPECT_EQ(opened->tls.server_name, "prom.internal");
  EXPECT_EQ(opened->last_test, v.last_test);
  EXPECT_EQ(opened->version, 3u);

  ConnectionSummary s = SummarizeConnection(*opened);
  EXPECT_EQ(s.endpoint, "https://prom.eu-west.internal:9090/prometheus");
  EXPECT_EQ(s.host, "prom.eu-west.internal");
  EXPECT_FALSE(s.plain_http);
  v.endpoint = *ParseEndpoint("http://prom:9090");
  v.tls = TlsSettings{};
  EXPECT_TRUE(SummarizeConnection(v).plain_http);
}

TEST_F(ConnectionTest, ViewerKeysOpenConnectionDetails) {
  auto admin = Identity::Generate("acct-admin");
  auto viewer = Identity::Generate("acct-viewer");
  auto grant = MakeGrant(*admin, keys_, false, viewer->id(), viewer->box_public_key());
  ASSERT_TRUE(grant.ok());
  auto viewer_keys = OpenGrant(*viewer, *grant, {{admin->id(), admin->sign_public_key()}});
  ASSERT_TRUE(viewer_keys.ok());
  auto sealed = SealConnection(PrometheusConnection("ws-1"), keys_);
  ASSERT_TRUE(sealed.ok());
  auto opened = OpenConnection(*sealed, *viewer_keys);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->name, "prom eu-west");
}

TEST_F(ConnectionTest, TamperingAndMisuseGetExactCodes) {
  ConnectionView v = PrometheusConnection("ws-1");
  auto sealed = SealConnection(v, keys_);
  ASSERT_TRUE(sealed.ok());
  SealedConnection kind = *sealed;
  kind.kind = ServiceKind::kGrafana;
  EXPECT_EQ(OpenConnection(kind, keys_).code(), ErrorCode::kConflict);
  SealedConnection version = *sealed;
  version.version = 4;
  EXPECT_EQ(OpenConnection(version, keys_).code(), ErrorCode::kDecryptFailed);
  SealedConnection moved = *sealed;
  moved.id = "conn-2";
  EXPECT_EQ(OpenConnection(moved, keys_).code(), ErrorCode::kDecryptFailed);
  SealedConnection truncated = *sealed;
  truncated.sealed_details.resize(10);
  EXPECT_EQ(OpenConnection(truncated, keys_).code(), ErrorCode::kMalformed);
  WorkspaceKeys other = WorkspaceKeys::Generate("ws-2", 2);
  EXPECT_EQ(OpenConnection(*sealed, other).code(), ErrorCode::kInvalidArgument);
  WorkspaceKeys same_id_other_key = WorkspaceKeys::Generate("ws-1", 2);
  EXPECT_EQ(OpenConnection(*sealed, same_id_other_key).code(), ErrorCode::kDecryptFailed);

  EXPECT_EQ(SealConnection(v, other).code(), ErrorCode::kInvalidArgument);
  ConnectionView no_id = v;
  no_id.id.clear();
  EXPECT_EQ(SealConnection(no_id, keys_).code(), ErrorCode::kInvalidArgument);
  ConnectionView invalid = v;
  invalid.name.clear();
  EXPECT_EQ(SealConnection(invalid, keys_).code(), ErrorCode::kValidation);
}

}  // namespace
}  // namespace credvault
