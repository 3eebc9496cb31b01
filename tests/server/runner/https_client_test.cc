// PerformExchange against canned servers: what Prometheus cannot be made to do.
#include "runner/https_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "canned_http_server.h"
#include "prometheus_fixture.h"

namespace credvault::runner {
namespace {

using credvault::testing::CannedHttpServer;
using credvault::testing::TempDir;

ProbeObservation Get(const std::string& url, ExchangeLimits limits = {}) {
  static const ProbeTls kTls;
  Exchange ex;
  ex.method = "GET";
  ex.url = url;
  ex.tls = &kTls;
  ex.limits = limits;
  return PerformExchange(ex);
}

// A name, not a literal: the address the name resolves to is what the policy judges.
ProbeObservation GetByName(const std::string& url,
                           std::function<std::vector<std::string>(std::string_view)> resolve) {
  static const ProbeTls kTls;
  Exchange ex;
  ex.method = "GET";
  ex.url = url;
  ex.tls = &kTls;
  ex.resolve = std::move(resolve);
  return PerformExchange(ex);
}

TEST(PerformExchangeSsrfByName, ANameResolvingToTheMetadataAddressIsRefused) {
  int lookups = 0;
  ProbeObservation o = GetByName("http://innocent.example/latest/meta-data/",
                                 [&](std::string_view) -> std::vector<std::string> {
                                   ++lookups;
                                   return {"169.254.169.254"};
                                 });
  EXPECT_EQ(o.transport_error, TransportError::kAddressRefusedBySsrfPolicy);
  EXPECT_FALSE(o.response.has_value());
  EXPECT_EQ(lookups, 1);
  // One refused address among the answers refuses the whole name.
  ProbeObservation mixed = GetByName("http://innocent.example/", [](std::string_view) {
    return std::vector<std::string>{"127.0.0.1", "fd00:ec2::254"};
  });
  EXPECT_EQ(mixed.transport_error, TransportError::kAddressRefusedBySsrfPolicy);
}

TEST(PerformExchangeSsrfByName, TheCheckedAddressIsTheOneDialledNoSecondLookup) {
  CannedHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  int lookups = 0;
  // A rebinding name: first the allowed loopback address, then the metadata address.
  ProbeObservation o = GetByName(
      "http://rebind.example:" + std::to_string(server.port()) + "/",
      [&](std::string_view host) -> std::vector<std::string> {
        EXPECT_EQ(host, "rebind.example");
        return {++lookups == 1 ? "127.0.0.1" : "169.254.169.254"};
      });
  EXPECT_FALSE(o.transport_error.has_value()) << o.transport_detail;
  ASSERT_TRUE(o.response.has_value());
  EXPECT_EQ(o.response->status, 200);
  EXPECT_EQ(lookups, 1);
}

TEST(PerformExchange, RedirectToAnotherHostIsNotFollowed) {
  CannedHttpServer server(
      "HTTP/1.1 302 Found\r\nLocation: http://metadata.example/latest\r\n"
      "Content-Length: 0\r\nConnection: close\r\n\r\n");
  ProbeObservation o = Get(server.Url() + "/api");
  EXPECT_EQ(o.transport_error, TransportError::kRedirectToAnotherHost);
  EXPECT_EQ(o.transport_detail, "redirect to metadata.example");
  EXPECT_FALSE(o.response.has_value());
}

TEST(PerformExchange, RedirectOnTheSameHostIsReturnedNotFollowed) {
  CannedHttpServer server(
      "HTTP/1.1 302 Found\r\nLocation: /graph\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  ProbeObservation o = Get(server.Url() + "/");
  ASSERT_TRUE(o.response.has_value()) << o.transport_detail;
  EXPECT_FALSE(o.transport_error.has_value());
  EXPECT_EQ(o.response->status, 302);
}

TEST(PerformExchange, BodyOverTheCapIsResponseTooLarge) {
  const std::string body(4096, 'x');
  CannedHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 4096\r\nConnection: close\r\n\r\n" +
                          body);
  ExchangeLimits limits;
  limits.max_response_bytes = 1024;
  ProbeObservation o = Get(server.Url() + "/", limits);
  EXPECT_EQ(o.transport_error, TransportError::kResponseTooLarge)
      << (o.response
              ? std::to_string(o.response->status) + " " + std::to_string(o.response->body.size())
              : o.transport_detail);
  // Without a Content-Length, the cap applies while reading.
  CannedHttpServer unsized("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body);
  ProbeObservation streamed = Get(unsized.Url() + "/", limits);
  EXPECT_EQ(streamed.transport_error, TransportError::kResponseTooLarge);
  limits.max_response_bytes = 8192;
  ProbeObservation fits = Get(server.Url() + "/", limits);
  ASSERT_TRUE(fits.response.has_value()) << fits.transport_detail;
  EXPECT_EQ(fits.response->body.size(), 4096u);
}

TEST(PerformExchange, SilentServerTimesOutWithinTheResponseTimeout) {
  CannedHttpServer server("");
  ExchangeLimits limits;
  limits.response_timeout = std::chrono::milliseconds(300);
  const auto started = std::chrono::steady_clock::now();
  ProbeObservation o = Get(server.Url() + "/", limits);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(o.transport_error, TransportError::kTimeout);
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(PerformExchange, UnknownNameIsDnsFailure) {
  ProbeObservation o = Get("http://no-such-host.invalid/");
  EXPECT_EQ(o.transport_error, TransportError::kDnsFailure);
}

TEST(SignRs256, SignatureVerifiesWithOpenssl) {
  TempDir dir;
  const auto& d = dir.path();
  ASSERT_TRUE(testing::Shell("cd '" + d.string() +
                                 "' && openssl genpkey -algorithm RSA -pkeyopt "
                                 "rsa_keygen_bits:2048 -out app.key && openssl pkey -in app.key "
                                 "-pubout -out app.pub",
                             d / "log"));
  SecretBytes key = SecretBytes::CopyFrom(AsBytes(testing::ReadFileText(d / "app.key")));
  const std::string input = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MiJ9";
  Result<std::string> signature = SignRs256(input, key);
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  Bytes raw;
  ASSERT_TRUE(Base64UrlDecode(*signature, &raw));
  EXPECT_EQ(raw.size(), 256u);
  testing::WriteFileText(d / "input", input);
  std::ofstream(d / "sig", std::ios::binary)
      .write(reinterpret_cast<const char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
  EXPECT_TRUE(testing::Shell(
      "cd '" + d.string() + "' && openssl dgst -sha256 -verify app.pub -signature sig input",
      d / "log"))
      << testing::ReadFileText(d / "log");
  testing::WriteFileText(d / "input", input + "x");
  EXPECT_FALSE(testing::Shell(
      "cd '" + d.string() + "' && openssl dgst -sha256 -verify app.pub -signature sig input",
      d / "log"));
}

TEST(SignRs256, RefusesAKeyThatIsNotRsa) {
  SecretBytes not_a_key = SecretBytes::CopyFrom(AsBytes("-----BEGIN PRIVATE KEY-----\nAA\n"));
  EXPECT_EQ(SignRs256("a.b", not_a_key).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace credvault::runner
