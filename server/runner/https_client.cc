// The runner's only Asio/Beast/OpenSSL translation unit (compile time: see server/CMakeLists).
#include "runner/https_client.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <variant>

#include "runner/step_url.h"

namespace credvault::runner {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr size_t kHeaderLimit = 32 * 1024;

ProbeObservation Failure(TransportError error, std::string detail) {
  ProbeObservation o;
  o.ran = true;
  o.transport_error = error;
  o.transport_detail = std::move(detail);
  return o;
}

// Runs one asynchronous operation of this exchange's private context to completion; the
// stream's expiry (beast::tcp_stream) bounds it.
template <class Start>
beast::error_code RunOp(asio::io_context& ioc, Start start) {
  beast::error_code result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

// An address as CheckProbeAddress takes it: 4 or 16 bytes in network order.
Result<SsrfDecision> CheckAddress(const asio::ip::address& address, const SsrfPolicy& policy) {
  if (address.is_v4()) {
    const std::array<unsigned char, 4> b = address.to_v4().to_bytes();
    return CheckProbeAddress(std::span<const uint8_t>(b.data(), b.size()), policy);
  }
  const std::array<unsigned char, 16> b = address.to_v6().to_bytes();
  return CheckProbeAddress(std::span<const uint8_t>(b.data(), b.size()), policy);
}

// Resolves the host (or takes the literal) and keeps only addresses the policy allows: if
// any resolved address is refused, the whole name is, so a name that also points at a
// metadata service cannot be used at all. The returned endpoints are the ones dialled.
std::variant<std::vector<tcp::endpoint>, ProbeObservation> ResolveChecked(asio::io_context& ioc,
                                                                          const StepUrl& url,
                                                                          const Exchange& ex) {
  int port = 0;
  std::from_chars(url.port.data(), url.port.data() + url.port.size(), port);
  std::vector<tcp::endpoint> endpoints;
  if (url.host_is_ip) {
    if (Result<std::array<uint8_t, 4>> v4 = ParseIpv4(url.host); v4.ok()) {
      endpoints.emplace_back(asio::ip::address_v4(*v4), static_cast<uint16_t>(port));
    } else if (Result<std::array<uint8_t, 16>> v6 = ParseIpv6(url.host); v6.ok()) {
      endpoints.emplace_back(asio::ip::address_v6(*v6), static_cast<uint16_t>(port));
    } else {
      return Failure(TransportError::kDnsFailure, "invalid address literal");
    }
  } else if (ex.resolve) {
    for (const std::string& text : ex.resolve(url.host)) {
      beast::error_code ec;
      const asio::ip::address address = asio::ip::make_address(text, ec);
      if (!ec) endpoints.emplace_back(address, static_cast<uint16_t>(port));
    }
    if (endpoints.empty()) return Failure(TransportError::kDnsFailure, "cannot resolve " + url.host);
  } else {
    tcp::resolver resolver(ioc);
    asio::steady_timer deadline(ioc);
    bool timed_out = false;
    beast::error_code error;
    deadline.expires_after(ex.limits.dns_timeout);
    deadline.async_wait([&](beast::error_code ec) {
      if (!ec) {
        timed_out = true;
        resolver.cancel();
      }
    });
    resolver.async_resolve(url.host, url.port,
                           [&](beast::error_code ec, tcp::resolver::results_type results) {
                             error = ec;
                             for (const auto& entry : results)
                               endpoints.push_back(entry.endpoint());
                             deadline.cancel();
                           });
    ioc.restart();
    ioc.run();
    if (timed_out) return Failure(TransportError::kTimeout, "DNS lookup of " + url.host);
    if (error || endpoints.empty()) {
      return Failure(TransportError::kDnsFailure, "cannot resolve " + url.host);
    }
  }
  for (const tcp::endpoint& endpoint : endpoints) {
    Result<SsrfDecision> decision = CheckAddress(endpoint.address(), ex.ssrf);
    if (!decision.ok()) {
      return Failure(TransportError::kAddressRefusedBySsrfPolicy, decision.status().message());
    }
    if (!decision->allowed) {
      return Failure(TransportError::kAddressRefusedBySsrfPolicy, decision->message);
    }
  }
  return endpoints;
}

ProbeObservation ConnectFailure(const beast::error_code& ec, const std::string& host) {
  if (ec == beast::error::timeout) return Failure(TransportError::kTimeout, "connect to " + host);
  if (ec == asio::error::connection_refused) {
    return Failure(TransportError::kConnectionRefused, "connection to " + host + " refused");
  }
  return Failure(TransportError::kHostUnreachable, host + ": " + ec.message());
}

// The exact TLS failure, from OpenSSL's verify result or the alert the server sent. Client
// certificate problems surface after the handshake in TLS 1.3 (the server checks the
// certificate after its Finished), so reads and writes go through here too.
std::optional<ProbeObservation> TlsFailure(const beast::error_code& ec, SSL* ssl) {
  if (ec.category() != asio::error::get_ssl_category()) return std::nullopt;
  const unsigned long code = static_cast<unsigned long>(ec.value());
  const int reason = ERR_GET_REASON(code);
  if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED && ssl != nullptr) {
    const long verify = SSL_get_verify_result(ssl);
    const std::string why = X509_verify_cert_error_string(verify);
    switch (verify) {
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return Failure(TransportError::kTlsHostnameMismatch, why);
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return Failure(TransportError::kTlsCertificateExpired, why);
      default:
        return Failure(TransportError::kTlsUntrustedCa, why);
    }
  }
  switch (reason) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
      return Failure(
          TransportError::kTlsClientCertificateRefused,
          "server refused the client certificate: " +
              std::string(ERR_reason_error_string(code) ? ERR_reason_error_string(code) : "alert"));
    default:
      break;
  }
  const char* text = ERR_reason_error_string(code);
  return Failure(TransportError::kTlsOther, text != nullptr ? text : ec.message());
}

ProbeObservation ExchangeFailure(const beast::error_code& ec, SSL* ssl, std::string_view phase) {
  if (ec == beast::error::timeout) {
    return Failure(TransportError::kTimeout, "no " + std::string(phase) + " in time");
  }
  if (std::optional<ProbeObservation> tls = TlsFailure(ec, ssl)) return *std::move(tls);
  if (ec == http::error::body_limit || ec == http::error::header_limit ||
      ec == http::error::buffer_overflow) {
    return Failure(TransportError::kResponseTooLarge, "response over the runner's size cap");
  }
  return Failure(TransportError::kConnectionReset, std::string(phase) + ": " + ec.message());
}

// Zeroes every header value Beast copied (credential headers among them) before the
// request's storage is freed.
void WipeFields(http::request<http::string_body>& req) {
  for (const auto& field : req) {
    const beast::string_view value = field.value();
    Wipe(const_cast<char*>(value.data()), value.size());
  }
}

template <class Stream>
ProbeObservation SendAndReceive(asio::io_context& ioc, Stream& stream, beast::tcp_stream& tcp,
                                SSL* ssl, const StepUrl& url, const Exchange& ex) {
  http::request<http::string_body> req;
  req.method_string(beast::string_view(ex.method.data(), ex.method.size()));
  req.target(url.target);
  req.version(11);
  req.set(http::field::host, url.host_header);
  for (const auto& [name, value] : ex.headers) {
    req.set(beast::string_view(name.data(), name.size()),
            beast::string_view(value.data(), value.size()));
  }
  req.set(http::field::connection, "close");
  if (!ex.body.empty()) {
    req.body() = std::string(ex.body);
    req.prepare_payload();
  }
  tcp.expires_after(ex.limits.response_timeout);
  beast::error_code ec =
      RunOp(ioc, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
  WipeFields(req);
  if (ec) return ExchangeFailure(ec, ssl, "request");

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(ex.limits.max_response_bytes);
  parser.header_limit(kHeaderLimit);
  ec = RunOp(ioc, [&](auto handler) {
    http::async_read_header(stream, buffer, parser, std::move(handler));
  });
  if (ec) return ExchangeFailure(ec, ssl, "response");
  // Boost 1.74 does not apply body_limit to a Content-Length body (it does to chunked and
  // read-until-close bodies), so a declared length over the cap is refused here, unread.
  if (parser.content_length() && *parser.content_length() > ex.limits.max_response_bytes) {
    return ExchangeFailure(http::error::body_limit, ssl, "response");
  }
  ec = RunOp(ioc,
             [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec) return ExchangeFailure(ec, ssl, "response");

  http::response<http::string_body> res = parser.release();
  ProbeObservation o;
  o.ran = true;
  ProbeResponse response;
  response.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  const int status = response.status;
  if (status >= 300 && status < 400) {
    auto location = res.find(http::field::location);
    if (location != res.end()) {
      const std::string host = RedirectHost(location->value());
      if (!host.empty() && host != url.host) {
        return Failure(TransportError::kRedirectToAnotherHost, "redirect to " + host);
      }
    }
  }
  response.body = std::move(res.body());
  o.response = std::move(response);
  return o;
}

// TLS context for this exchange: trust, client certificate, minimum version.
std::optional<ProbeObservation> ConfigureTls(ssl::context& ctx, const Exchange& ex) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  const ProbeTls& tls = *ex.tls;
  if (tls.insecure_skip_verify) {
    ctx.set_verify_mode(ssl::verify_none);
  } else {
    ctx.set_verify_mode(ssl::verify_peer);
    if (!tls.ca_pem.empty()) {
      ctx.add_certificate_authority(asio::buffer(tls.ca_pem), ec);
      if (ec)
        return Failure(TransportError::kTlsUntrustedCa, "the CA data is not a PEM certificate");
    } else {
      ctx.set_default_verify_paths(ec);
      if (ec) return Failure(TransportError::kTlsUntrustedCa, "no system trust store");
    }
  }
  if (!ex.client_certificate_pem.empty() && ex.client_key_pem != nullptr) {
    // Loaded from memory through BIOs (asio's buffer overloads): the key never touches disk.
    ctx.use_certificate_chain(
        asio::buffer(ex.client_certificate_pem.data(), ex.client_certificate_pem.size()), ec);
    if (!ec) {
      ctx.use_private_key(asio::buffer(ex.client_key_pem->data(), ex.client_key_pem->size()),
                          ssl::context::pem, ec);
    }
    if (ec || SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
      ERR_clear_error();
      return Failure(TransportError::kTlsOther,
                     "the client certificate or key cannot be read, or they do not match");
    }
  }
  return std::nullopt;
}

// Hostname verification and SNI on the connection: the override name if set, else the
// URL's host. An IP address is checked against IP SANs and never sent as SNI.
void ConfigurePeerName(SSL* ssl, const StepUrl& url, const ProbeTls& tls) {
  const std::string name = tls.server_name.empty() ? url.host : tls.server_name;
  const bool is_ip = ParseIpv4(name).ok() || ParseIpv6(name).ok();
  if (!is_ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (tls.insecure_skip_verify) return;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl, name.c_str());
  }
}

// The peer certificate's notAfter, kept in `*out` if earlier than what it holds (0 = none).
void RecordNotAfter(SSL* ssl, int64_t* out) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  std::tm tm{};
  if (cert == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return;
  const int64_t not_after = static_cast<int64_t>(timegm(&tm));
  if (*out == 0 || not_after < *out) *out = not_after;
}

ProbeObservation PerformTls(asio::io_context& ioc, const std::vector<tcp::endpoint>& endpoints,
                            const StepUrl& url, const Exchange& ex) {
  ssl::context ctx(ssl::context::tls_client);
  if (std::optional<ProbeObservation> failed = ConfigureTls(ctx, ex)) return *std::move(failed);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  SSL* ssl = stream.native_handle();
  ConfigurePeerName(ssl, url, *ex.tls);
  beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(ex.limits.connect_timeout);
  beast::error_code ec =
      RunOp(ioc, [&](auto handler) { tcp.async_connect(endpoints, std::move(handler)); });
  if (ec) return ConnectFailure(ec, url.host);
  tcp.expires_after(ex.limits.connect_timeout);
  ec = RunOp(ioc, [&](auto handler) {
    stream.async_handshake(ssl::stream_base::client, std::move(handler));
  });
  if (ec) return ExchangeFailure(ec, ssl, "TLS handshake");
  if (ex.server_cert_not_after != nullptr) RecordNotAfter(ssl, ex.server_cert_not_after);
  ProbeObservation o = SendAndReceive(ioc, stream, tcp, ssl, url, ex);
  tcp.close();
  return o;
}

ProbeObservation PerformPlain(asio::io_context& ioc, const std::vector<tcp::endpoint>& endpoints,
                              const StepUrl& url, const Exchange& ex) {
  beast::tcp_stream stream(ioc);
  stream.expires_after(ex.limits.connect_timeout);
  beast::error_code ec =
      RunOp(ioc, [&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
  if (ec) return ConnectFailure(ec, url.host);
  ProbeObservation o = SendAndReceive(ioc, stream, stream, nullptr, url, ex);
  stream.close();
  return o;
}

int NoPassphrase(char*, int, int, void*) { return 0; }

}  // namespace

ProbeObservation PerformExchange(const Exchange& ex) {
  Result<StepUrl> url = ParseStepUrl(ex.url);
  if (!url.ok()) return Failure(TransportError::kDnsFailure, url.status().message());
  if (url->https && ex.tls == nullptr) {
    return Failure(TransportError::kTlsOther, "no TLS settings for an https step");
  }
  asio::io_context ioc(1);
  auto resolved = ResolveChecked(ioc, *url, ex);
  if (auto* refused = std::get_if<ProbeObservation>(&resolved)) return std::move(*refused);
  const auto& endpoints = std::get<std::vector<tcp::endpoint>>(resolved);
  return url->https ? PerformTls(ioc, endpoints, *url, ex) : PerformPlain(ioc, endpoints, *url, ex);
}

Result<std::string> SignRs256(std::string_view signing_input, const SecretBytes& private_key_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())), &BIO_free);
  if (!bio) return Status(ErrorCode::kInternal, "out of memory");
  // An encrypted key gets no passphrase rather than a prompt on the terminal.
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr), &EVP_PKEY_free);
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    ERR_clear_error();
    return Status(ErrorCode::kInvalidArgument, "the App private key is not an RSA PEM key");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t length = 0;
  const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (!md || EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &length, input, signing_input.size()) != 1) {
    ERR_clear_error();
    return Status(ErrorCode::kInvalidArgument, "the App private key cannot sign");
  }
  Bytes signature(length);
  if (EVP_DigestSign(md.get(), signature.data(), &length, input, signing_input.size()) != 1) {
    ERR_clear_error();
    return Status(ErrorCode::kInvalidArgument, "the App private key cannot sign");
  }
  signature.resize(length);
  return Base64UrlEncode(signature);
}

}  // namespace credvault::runner
