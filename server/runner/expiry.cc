#include "runner/expiry.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <string>

#include "credvault/secret.h"

namespace credvault::runner {

std::optional<int64_t> CertificateNotAfter(std::string_view pem) {
  if (pem.empty() || pem.size() > (1u << 20)) return std::nullopt;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return std::nullopt;
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<int64_t> JwtExpiry(std::string_view token) {
  const size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  Bytes payload;
  if (!Base64UrlDecode(token.substr(first + 1, second - first - 1), &payload)) return std::nullopt;
  const nlohmann::json claims =
      nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  if (!claims.is_object()) return std::nullopt;
  const auto exp = claims.find("exp");
  if (exp == claims.end()) return std::nullopt;
  if (exp->is_number_integer()) return exp->get<int64_t>();
  if (exp->is_number_float()) return static_cast<int64_t>(exp->get<double>());
  return std::nullopt;
}

void AddCredentialExpiry(const ProbeTarget& target, nlohmann::json& result) {
  if (std::optional<int64_t> not_after = CertificateNotAfter(target.auth.client_certificate_pem)) {
    result[kClientCertNotAfterKey] = *not_after;
  }
  switch (target.auth.kind) {
    case ProbeAuthKind::kBearer:
    case ProbeAuthKind::kApiKey:
      if (std::optional<int64_t> exp = JwtExpiry(target.auth.token.chars())) {
        result[kTokenExpiresAtKey] = *exp;
      }
      break;
    default:
      break;
  }
}

}  // namespace credvault::runner
