#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "credvault/kubeconfig.h"
#include "shared/kubeconfig/kubeconfig_test_util.h"

namespace credvault {
namespace {

using testing::FindCluster;
using testing::FindUser;
using testing::Fixture;
using testing::LineOf;

class KubeconfigParseTest : public testing::CryptoTest {};

std::string B64(std::string_view s) { return Base64Encode(AsBytes(s)); }

// A kubeconfig with one context whose user entry body is `user_body` (indented by 4).
std::string WithUser(const std::string& user_body,
                     const std::string& cluster_body = "    server: https://k.example.test\n") {
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n" + cluster_body +
         "contexts:\n- name: ctx\n  context: {cluster: c, user: u}\nusers:\n- name: u\n"
         "  user:\n" +
         user_body;
}

TEST_F(KubeconfigParseTest, SingleContextReadsEveryField) {
  auto config = ParseKubeconfig(Fixture("single.yaml"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->contexts.size(), 1u);
  const KubeconfigContext& ctx = config->contexts[0];
  EXPECT_EQ(ctx.name, "kind-dev");
  EXPECT_EQ(ctx.cluster, "kind-dev");
  EXPECT_EQ(ctx.user, "kind-dev-admin");
  EXPECT_EQ(ctx.namespace_name, "default");
  EXPECT_EQ(config->current_context, "kind-dev");
  const KubeconfigCluster* cluster = FindCluster(*config, "kind-dev");
  ASSERT_NE(cluster, nullptr);
  EXPECT_TRUE(cluster->problem.ok()) << cluster->problem.message;
  EXPECT_EQ(cluster->endpoint.server, "https://127.0.0.1:6443");
  EXPECT_EQ(cluster->endpoint.certificate_authority_pem, Fixture("test_ca.crt"));
  EXPECT_FALSE(cluster->endpoint.insecure_skip_tls_verify);
  const KubeconfigUser* user = FindUser(*config, "kind-dev-admin");
  ASSERT_NE(user, nullptr);
  EXPECT_TRUE(user->problem.ok());
  EXPECT_EQ(user->material.auth, KubeconfigAuth::kToken);
  EXPECT_EQ(user->material.token.chars(), "test-token-0123456789abcdef");
}

TEST_F(KubeconfigParseTest, MultiReadsCertificateBasicAuthAndTlsSettings) {
  auto config = ParseKubeconfig(Fixture("multi.yaml"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->contexts.size(), 5u);
  EXPECT_EQ(config->clusters.size(), 5u);
  EXPECT_EQ(config->users.size(), 4u);
  EXPECT_EQ(config->current_context, "staging");

  const KubeconfigUser* dev = FindUser(*config, "dev-admin");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->material.auth, KubeconfigAuth::kClientCertificate);
  EXPECT_EQ(dev->material.client_certificate_pem, Fixture("test_client.crt"));
  EXPECT_EQ(dev->material.client_key_pem.chars(), Fixture("test_client.key"));
  EXPECT_TRUE(dev->material.token.empty());

  const KubeconfigUser* basic = FindUser(*config, "lab-basic");
  ASSERT_NE(basic, nullptr);
  EXPECT_EQ(basic->material.auth, KubeconfigAuth::kBasic);
  EXPECT_EQ(basic->material.username, "admin");
  EXPECT_EQ(basic->material.password.chars(), "lab-p@ss: word");

  EXPECT_EQ(FindCluster(*config, "dev")->endpoint.tls_server_name, "kubernetes.default");
  EXPECT_EQ(FindCluster(*config, "staging")->endpoint.proxy_url, "http://proxy.example.test:3128");
  const KubeconfigCluster* lab = FindCluster(*config, "lab");
  EXPECT_TRUE(lab->endpoint.insecure_skip_tls_verify);
  EXPECT_TRUE(lab->endpoint.certificate_authority_pem.empty());
  EXPECT_TRUE(lab->problem.ok());
}

struct UnsupportedCase {
  const char* user;
  KubeconfigIssue issue;
  const char* plugin;
  std::vector<const char*> message_parts;
};

TEST_F(KubeconfigParseTest, UnsupportedUsersNameThePluginAndTheAlternative) {
  std::string text = Fixture("unsupported.yaml");
  auto config = ParseKubeconfig(text);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const std::vector<UnsupportedCase> cases = {
      {"eks-cli",
       KubeconfigIssue::kExecPlugin,
       "aws-eks-get-token",
       {"aws eks get-token", "Amazon EKS", "15 minutes", "service-account token"}},
      {"eks-iam",
       KubeconfigIssue::kExecPlugin,
       "aws-iam-authenticator",
       {"Amazon EKS", "service-account token"}},
      {"gke",
       KubeconfigIssue::kExecPlugin,
       "gke-gcloud-auth-plugin",
       {"Google GKE", "service-account token"}},
      {"aks",
       KubeconfigIssue::kExecPlugin,
       "kubelogin",
       {"Azure AKS", "--admin", "service-account token"}},
      {"oidc-login", KubeconfigIssue::kExecPlugin, "oidc-login", {"OpenID Connect"}},
      {"custom-exec",
       KubeconfigIssue::kExecPlugin,
       "my-auth-helper",
       {"/opt/bin/my-auth-helper", "service-account token"}},
      {"gcp", KubeconfigIssue::kAuthProvider, "gcp", {"`gcp`", "1.26", "service-account token"}},
      {"azure", KubeconfigIssue::kAuthProvider, "azure", {"`azure`", "service-account token"}},
      {"oidc", KubeconfigIssue::kAuthProvider, "oidc", {"id-token", "service-account token"}},
      {"cert-files",
       KubeconfigIssue::kClientCertificateFile,
       "",
       {"/home/me/.minikube/profiles/minikube/client.crt", "--flatten", "-data"}},
      {"key-file", KubeconfigIssue::kClientKeyFile, "", {"/home/me/client.key", "--flatten"}},
      {"token-file",
       KubeconfigIssue::kTokenFile,
       "",
       {"/var/run/secrets/kubernetes.io/serviceaccount/token", "`token:`"}},
      {"impersonate", KubeconfigIssue::kImpersonation, "", {"impersonates"}},
  };
  for (const UnsupportedCase& c : cases) {
    SCOPED_TRACE(c.user);
    const KubeconfigUser* user = FindUser(*config, c.user);
    ASSERT_NE(user, nullptr);
    EXPECT_EQ(user->problem.issue, c.issue);
    EXPECT_EQ(user->problem.plugin, c.plugin);
    EXPECT_GT(user->problem.line, 0);
    EXPECT_EQ(user->material.auth, KubeconfigAuth::kNone);
    EXPECT_NE(user->problem.message.find("'" + std::string(c.user) + "'"), std::string::npos)
        << user->problem.message;
    for (const char* part : c.message_parts) {
      EXPECT_NE(user->problem.message.find(part), std::string::npos)
          << "missing '" << part << "' in: " << user->problem.message;
    }
  }
  // File references point at the exact field.
  EXPECT_EQ(FindUser(*config, "cert-files")->problem.line, LineOf(text, "client-certificate: "));
  EXPECT_EQ(FindUser(*config, "token-file")->problem.line, LineOf(text, "tokenFile:"));
  const KubeconfigCluster* ca_file = FindCluster(*config, "ca-file");
  EXPECT_EQ(ca_file->problem.issue, KubeconfigIssue::kCertificateAuthorityFile);
  EXPECT_EQ(ca_file->problem.line, LineOf(text, "certificate-authority: /home"));
  EXPECT_NE(ca_file->problem.message.find("/home/me/.minikube/ca.crt"), std::string::npos);
  EXPECT_TRUE(FindUser(*config, "ok")->problem.ok());
}

struct EntryCase {
  const char* name;
  std::string user_body;
  std::string cluster_body;
  KubeconfigIssue user_issue;
  KubeconfigIssue cluster_issue;
};

TEST_F(KubeconfigParseTest, BadEntryDataGetsItsExactIssue) {
  const std::string ca = "    certificate-authority-data: " + B64(Fixture("test_ca.crt")) + "\n";
  const std::string server = "    server: https://k.example.test\n";
  const std::string cert = "    client-certificate-data: " + B64(Fixture("test_client.crt")) + "\n";
  const std::string key = "    client-key-data: " + B64(Fixture("test_client.key")) + "\n";
  const std::string token = "    token: abc\n";
  using I = KubeconfigIssue;
  const std::vector<EntryCase> cases = {
      {"ca not base64", token, server + "    certificate-authority-data: '%%%'\n", I::kNone,
       I::kInvalidBase64},
      {"ca not pem", token, server + "    certificate-authority-data: " + B64("hello") + "\n",
       I::kNone, I::kInvalidPem},
      {"ca is a key", token,
       server + "    certificate-authority-data: " + B64(Fixture("test_client.key")) + "\n",
       I::kNone, I::kInvalidPem},
      {"no server", token, ca, I::kNone, I::kClusterMissingServer},
      {"ftp server", token, "    server: ftp://k.example.test\n", I::kNone, I::kInvalidServerUrl},
      {"server without host", token, "    server: https://\n", I::kNone, I::kInvalidServerUrl},
      {"insecure with ca", token, server + ca + "    insecure-skip-tls-verify: true\n", I::kNone,
       I::kInsecureWithCa},
      {"insecure not bool", token, server + "    insecure-skip-tls-verify: maybe\n", I::kNone,
       I::kInvalidField},
      {"server is a map", token, "    server: {a: b}\n", I::kNone, I::kInvalidField},
      {"bad proxy", token, server + "    proxy-url: proxy.example.test\n", I::kNone,
       I::kInvalidServerUrl},
      {"cert without key", cert, server, I::kClientKeyMissing, I::kNone},
      {"key without cert", key, server, I::kClientCertificateMissing, I::kNone},
      {"key not pem", cert + "    client-key-data: " + B64(Fixture("test_client.crt")) + "\n",
       server, I::kInvalidPem, I::kNone},
      {"encrypted key",
       cert + "    client-key-data: " +
           B64("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE "
               "KEY-----\n") +
           "\n",
       server, I::kInvalidPem, I::kNone},
      {"key not base64", cert + "    client-key-data: not*base64\n", server, I::kInvalidBase64,
       I::kNone},
      {"basic and token", token + "    username: a\n    password: b\n", server, I::kConflictingAuth,
       I::kNone},
      {"username only", "    username: a\n", server, I::kInvalidField, I::kNone},
      {"nothing", "    extensions: []\n", server, I::kNoAuthMaterial, I::kNone},
      {"token is a map", "    token: {a: b}\n", server, I::kInvalidField, I::kNone},
      {"token is empty", "    token: ''\n", server, I::kNoAuthMaterial, I::kNone},
  };
  for (const EntryCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto config = ParseKubeconfig(WithUser(c.user_body, c.cluster_body));
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    EXPECT_EQ(config->users[0].problem.issue, c.user_issue) << config->users[0].problem.message;
    EXPECT_EQ(config->clusters[0].problem.issue, c.cluster_issue)
        << config->clusters[0].problem.message;
  }
}

TEST_F(KubeconfigParseTest, CertificateAndTokenTogetherAreBothKept) {
  std::string body = "    client-certificate-data: " + B64(Fixture("test_client.crt")) +
                     "\n    client-key-data: " + B64(Fixture("test_client.key")) +
                     "\n    token: extra-token\n";
  auto config = ParseKubeconfig(WithUser(body));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->users[0].material.auth, KubeconfigAuth::kClientCertificateAndToken);
  EXPECT_EQ(config->users[0].material.token.chars(), "extra-token");
}

TEST_F(KubeconfigParseTest, PemTextInADataFieldGetsAHintAndNoSecretInTheMessage) {
  std::string body = "    client-certificate-data: " + B64(Fixture("test_client.crt")) +
                     "\n    client-key-data: |\n      -----BEGIN PRIVATE KEY-----\n"
                     "      c2VjcmV0LWtleS1ieXRlcw==\n      -----END PRIVATE KEY-----\n";
  auto config = ParseKubeconfig(WithUser(body));
  ASSERT_TRUE(config.ok());
  const KubeconfigProblem& p = config->users[0].problem;
  EXPECT_EQ(p.issue, KubeconfigIssue::kInvalidBase64);
  EXPECT_NE(p.message.find("base64 of the PEM"), std::string::npos) << p.message;
  EXPECT_EQ(p.message.find("c2VjcmV0LWtleS1ieXRlcw"), std::string::npos);
}

TEST_F(KubeconfigParseTest, JsonAndByteOrderMarkAreAccepted) {
  std::string json =
      R"({"kind":"Config","apiVersion":"v1","clusters":[{"name":"c","cluster":)"
      R"({"server":"https://j.example.test"}}],"users":[{"name":"u","user":{"token":"t"}}],)"
      R"("contexts":[{"name":"x","context":{"cluster":"c","user":"u"}}]})";
  auto config = ParseKubeconfig(json);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->contexts[0].name, "x");
  auto with_bom = ParseKubeconfig("\xef\xbb\xbf" + Fixture("single.yaml"));
  ASSERT_TRUE(with_bom.ok()) << with_bom.status().ToString();
  EXPECT_EQ(with_bom->contexts[0].name, "kind-dev");
}

struct FileCase {
  const char* name;
  std::string text;
  ErrorCode code;
  KubeconfigIssue issue;
  int line;  // -1: any line > 0; 0: none expected
  int column;
};

TEST_F(KubeconfigParseTest, FileLevelErrorsHaveExactCodesAndPositions) {
  using I = KubeconfigIssue;
  const std::vector<FileCase> cases = {
      {"empty", "", ErrorCode::kParseError, I::kEmpty, 0, 0},
      {"whitespace and comments", "  \n# only a comment\n\n", ErrorCode::kParseError, I::kEmpty, 0,
       0},
      {"document marker only", "---\n", ErrorCode::kParseError, I::kEmpty, 0, 0},
      {"null document", "--- ~\n", ErrorCode::kParseError, I::kEmpty, 1, 1},
      {"nul byte", std::string("kind: Config\nx: a\0b\n", 19), ErrorCode::kParseError, I::kNotText,
       2, 5},
      {"invalid utf-8", "kind: Config\nname: \xc3\x28\n", ErrorCode::kParseError, I::kNotText, 2,
       7},
      {"utf-16", std::string("\xff\xfek\0i\0n\0d\0", 10), ErrorCode::kParseError, I::kNotText, 1,
       1},
      {"scalar", "hello world\n", ErrorCode::kValidation, I::kNotAMap, 1, 1},
      {"list", "- a\n- b\n", ErrorCode::kValidation, I::kNotAMap, 1, 1},
      {"unclosed flow", "kind: Config\nclusters: [1, 2\nusers: []\n", ErrorCode::kParseError,
       I::kYamlSyntax, -1, -1},
      {"bad indentation", "kind: Config\nclusters:\n- name: a\n   cluster: {}\n  bad\n",
       ErrorCode::kParseError, I::kYamlSyntax, -1, -1},
      {"other kind", "kind: Secret\ndata: {}\n", ErrorCode::kValidation, I::kNotAKubeconfig, 1, 1},
      {"empty map", "{}\n", ErrorCode::kValidation, I::kNotAKubeconfig, 1, 1},
      {"contexts not a list", "kind: Config\ncontexts: 5\n", ErrorCode::kValidation,
       I::kBadStructure, 2, 11},
      {"entry without name", "kind: Config\ncontexts:\n- context: {cluster: a}\n",
       ErrorCode::kValidation, I::kBadStructure, 3, 3},
      {"alias cycle", "kind: Config\ncontexts: &a [*a]\n", ErrorCode::kValidation, I::kBadStructure,
       2, 11},
      {"no contexts", "kind: Config\nclusters: []\ncontexts: []\n", ErrorCode::kValidation,
       I::kNoContexts, 1, 1},
  };
  for (const FileCase& c : cases) {
    SCOPED_TRACE(c.name);
    KubeconfigProblem problem;
    auto config = ParseKubeconfig(c.text, &problem);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.code(), c.code) << config.status().ToString();
    EXPECT_EQ(problem.issue, c.issue) << problem.message;
    EXPECT_FALSE(problem.message.empty());
    EXPECT_NE(config.status().message().find(KubeconfigIssueName(c.issue)), std::string::npos);
    if (c.line < 0) {
      EXPECT_GT(problem.line, 0);
      EXPECT_GT(problem.column, 0);
      EXPECT_NE(problem.message.find("line " + std::to_string(problem.line) + ", column " +
                                     std::to_string(problem.column)),
                std::string::npos)
          << problem.message;
    } else {
      EXPECT_EQ(problem.line, c.line);
      EXPECT_EQ(problem.column, c.column);
    }
  }
}

TEST_F(KubeconfigParseTest, SyntaxErrorReportsYamlCppsMark) {
  KubeconfigProblem problem;
  auto config = ParseKubeconfig("kind: Config\nclusters:\n- name: a\n   x: 1\n  y: 2\n", &problem);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.code(), ErrorCode::kParseError);
  EXPECT_EQ(problem.issue, KubeconfigIssue::kYamlSyntax);
  EXPECT_EQ(problem.line, 4);
  EXPECT_EQ(problem.column, 5);
  EXPECT_NE(problem.message.find("line 4, column 5: illegal map value"), std::string::npos)
      << problem.message;
}

TEST_F(KubeconfigParseTest, BinaryGarbageIsRefusedAsNotText) {
  std::string garbage(4096, '\0');
  uint32_t x = 12345;
  for (char& c : garbage) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  KubeconfigProblem problem;
  auto config = ParseKubeconfig(garbage, &problem);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.code(), ErrorCode::kParseError);
  EXPECT_EQ(problem.issue, KubeconfigIssue::kNotText);
  EXPECT_EQ(problem.line, 1);
}

TEST_F(KubeconfigParseTest, OversizedInputIsRefusedBeforeParsing) {
  std::string huge = "kind: Config\n# " + std::string(kKubeconfigMaxBytes, 'x') + "\n";
  KubeconfigProblem problem;
  auto config = ParseKubeconfig(huge, &problem);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(problem.issue, KubeconfigIssue::kTooLarge);
  EXPECT_NE(problem.message.find("--minify"), std::string::npos);
}

TEST_F(KubeconfigParseTest, JustUnderTheSizeLimitStillParses) {
  std::string text = Fixture("single.yaml");
  text += "# " + std::string(kKubeconfigMaxBytes - text.size() - 3, 'x') + "\n";
  ASSERT_EQ(text.size(), kKubeconfigMaxBytes);
  auto config = ParseKubeconfig(text);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->contexts.size(), 1u);
}

TEST_F(KubeconfigParseTest, TooManyNodesIsRefused) {
  std::string text = "kind: Config\nextensions:\n";
  for (size_t i = 0; i <= kKubeconfigMaxNodes; ++i) text += "- a\n";
  KubeconfigProblem problem;
  auto config = ParseKubeconfig(text, &problem);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(problem.issue, KubeconfigIssue::kTooLarge);
  EXPECT_EQ(config.code(), ErrorCode::kInvalidArgument);
}

TEST_F(KubeconfigParseTest, DeepNestingIsRefusedInEveryForm) {
  std::string block = "kind: Config\n";
  for (int i = 0; i < 100; ++i) block += std::string(2 * i, ' ') + "k:\n";
  std::string compact = "kind: Config\nx:\n";
  for (int i = 0; i < 200; ++i) compact += "- ";
  compact += "a\n";
  std::string flow_map = "kind: Config\nx: ";
  for (int i = 0; i < 100000; ++i) flow_map += "{a: ";
  std::string quoted_bracket = "kind: Config\nx: '" + std::string(1000, '[') + "'\ny: ";
  quoted_bracket += std::string(100000, '[');
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"flow sequences", "kind: Config\nx: " + std::string(1000000, '[')},
      {"flow maps", flow_map},
      {"block maps", block},
      {"compact sequences", compact},
      {"after a quoted bracket", quoted_bracket},
  };
  for (const auto& [name, text] : cases) {
    SCOPED_TRACE(name);
    KubeconfigProblem problem;
    auto config = ParseKubeconfig(text, &problem);
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.code(), ErrorCode::kParseError);
    EXPECT_EQ(problem.issue, KubeconfigIssue::kTooDeep) << problem.message;
    EXPECT_GT(problem.line, 1);
  }
}

TEST_F(KubeconfigParseTest, NestingWithinTheLimitAndBracketsInScalarsAreNotRefused) {
  std::string text = Fixture("single.yaml");
  text += "extensions:\n- name: deep\n  extension: " + std::string(40, '[') + std::string(40, ']') +
          "\n";
  text +=
      "preferences: {note: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
      "[[[[\"}\n";
  text += "x-password: a[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[b\n";
  text += "x-literal: |\n";
  for (int i = 0; i < 100; ++i) text += std::string(2 + i, ' ') + "line\n";
  auto config = ParseKubeconfig(text);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->contexts.size(), 1u);
}

// Every prefix and a spread of corrupted copies of a real file parse or fail cleanly: none
// may crash, hang or abort the WASM module.
TEST_F(KubeconfigParseTest, TruncatedAndCorruptedFilesNeverCrash) {
  const std::string text = Fixture("multi.yaml");
  size_t ok = 0, failed = 0;
  for (size_t n = 0; n < text.size(); n += 37) {
    KubeconfigProblem problem;
    auto config = ParseKubeconfig(text.substr(0, n), &problem);
    if (config.ok()) {
      ++ok;
    } else {
      ++failed;
      EXPECT_FALSE(problem.ok());
    }
  }
  const char replacements[] = {'[', '{', ':', '"', '\'', '-', '\t', '&', '*', '!', '|', '#'};
  for (size_t i = 0; i < text.size(); i += 11) {
    std::string bad = text;
    bad[i] = replacements[i % sizeof replacements];
    KubeconfigProblem problem;
    auto config = ParseKubeconfig(bad, &problem);
    if (!config.ok()) {
      EXPECT_FALSE(problem.ok());
    }
  }
  EXPECT_GT(ok, 0u);
  EXPECT_GT(failed, 0u);
}

TEST_F(KubeconfigParseTest, IssueNamesAreStableAndDistinct) {
  EXPECT_EQ(KubeconfigIssueName(KubeconfigIssue::kExecPlugin), "exec_plugin");
  EXPECT_EQ(KubeconfigIssueName(KubeconfigIssue::kClientCertificateFile),
            "client_certificate_file");
  EXPECT_EQ(KubeconfigIssueName(KubeconfigIssue::kKeptMaintenance), "kept_maintenance");
  std::vector<std::string> names;
  for (int i = 0; i <= static_cast<int>(KubeconfigIssue::kSameConnectionInFile); ++i) {
    std::string name(KubeconfigIssueName(static_cast<KubeconfigIssue>(i)));
    EXPECT_NE(name, "unknown");
    for (const std::string& seen : names) EXPECT_NE(seen, name);
    names.push_back(name);
  }
  EXPECT_EQ(KubeconfigAuthName(KubeconfigAuth::kClientCertificateAndToken),
            "client_certificate_and_token");
}

}  // namespace
}  // namespace credvault
