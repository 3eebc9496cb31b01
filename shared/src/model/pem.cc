#include "credvault/pem.h"

#include "credvault/secret.h"
#include "model/text_checks.h"

namespace credvault {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";
constexpr std::string_view kCertificate = "CERTIFICATE";
constexpr std::string_view kKeyLabels[] = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"};
constexpr std::string_view kRsaKeyLabels[] = {"PRIVATE KEY", "RSA PRIVATE KEY"};
// `openssl ecparam -genkey` writes this block before the key; it carries no secret.
constexpr std::string_view kEcParameters = "EC PARAMETERS";

FieldIssue Issue(std::string_view field, std::string code, std::string message) {
  return FieldIssue{std::string(field), std::move(code), std::move(message)};
}

template <size_t N>
bool OneOf(std::string_view label, const std::string_view (&labels)[N]) {
  for (auto l : labels) {
    if (l == label) return true;
  }
  return false;
}

// Reads "-----<prefix>LABEL-----" at the start of `text`; the label, or nullopt.
std::optional<std::string_view> ReadArmour(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  std::string_view rest = text.substr(prefix.size());
  size_t close = rest.find(kDashes);
  size_t newline = rest.find('\n');
  if (close == std::string_view::npos || (newline != std::string_view::npos && newline < close)) {
    return std::nullopt;
  }
  return rest.substr(0, close);
}

bool LooksLikeBase64OfPem(std::string_view text) {
  Bytes decoded;
  if (!Base64Decode(text, &decoded)) return false;
  return AsChars(decoded).find(kBegin) != std::string_view::npos;
}

std::string ExpectedText(PemExpect expect) {
  switch (expect) {
    case PemExpect::kCertificates:
      return "a CERTIFICATE block";
    case PemExpect::kPrivateKey:
      return "a PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block";
    case PemExpect::kRsaPrivateKey:
      return "an RSA key (RSA PRIVATE KEY or PRIVATE KEY block)";
  }
  return "";
}

bool LabelFits(PemExpect expect, std::string_view label) {
  switch (expect) {
    case PemExpect::kCertificates:
      return label == kCertificate;
    case PemExpect::kPrivateKey:
      return OneOf(label, kKeyLabels);
    case PemExpect::kRsaPrivateKey:
      return OneOf(label, kRsaKeyLabels);
  }
  return false;
}

}  // namespace

std::optional<FieldIssue> CheckPem(std::string_view field, std::string_view text, PemExpect expect,
                                   std::vector<PemBlock>* blocks_out) {
  std::vector<PemBlock> blocks;
  std::string_view rest = internal::TrimWhitespace(text);
  while (!rest.empty()) {
    std::optional<std::string_view> label = ReadArmour(rest, kBegin);
    if (!label) {
      if (!blocks.empty()) {
        return Issue(field, "pem_trailing_data", "has text after the last END line");
      }
      if (LooksLikeBase64OfPem(rest)) {
        return Issue(field, "pem_missing_armour",
                     "is base64 of a PEM document (a kubeconfig *-data value); paste the "
                     "decoded text that starts with -----BEGIN");
      }
      return Issue(field, "pem_missing_armour", "must be PEM text starting with -----BEGIN");
    }
    std::string_view after_begin = rest.substr(kBegin.size() + label->size() + kDashes.size());
    size_t end_at = after_begin.find(kEnd);
    if (end_at == std::string_view::npos) {
      return Issue(field, "pem_unterminated",
                   "the " + std::string(*label) + " block has no END line (truncated paste?)");
    }
    std::string_view body = after_begin.substr(0, end_at);
    std::optional<std::string_view> end_label = ReadArmour(after_begin.substr(end_at), kEnd);
    if (!end_label || *end_label != *label) {
      return Issue(field, "pem_mismatched_armour",
                   "BEGIN " + std::string(*label) + " is closed by a different END line");
    }
    if (*label == "ENCRYPTED PRIVATE KEY" || body.find("ENCRYPTED") != std::string_view::npos) {
      return Issue(field, "pem_encrypted",
                   "is an encrypted private key; decrypt it first (openssl pkey -in key.pem)");
    }
    Bytes der;
    if (!Base64Decode(body, &der) || der.empty()) {
      Wipe(der);
      return Issue(field, "pem_bad_base64",
                   "the body of the " + std::string(*label) + " block is not valid base64");
    }
    blocks.push_back(PemBlock{std::string(*label), der.size()});
    Wipe(der);
    rest = internal::TrimWhitespace(
        after_begin.substr(end_at + kEnd.size() + end_label->size() + kDashes.size()));
  }
  if (blocks.empty()) {
    return Issue(field, "pem_missing_armour", "must be PEM text starting with -----BEGIN");
  }
  size_t keys = 0;
  for (const PemBlock& block : blocks) {
    if (expect != PemExpect::kCertificates && block.label == kEcParameters) continue;
    if (!LabelFits(expect, block.label)) {
      return Issue(field, "pem_wrong_type",
                   "expected " + ExpectedText(expect) + ", found " + block.label);
    }
    ++keys;
  }
  if (expect != PemExpect::kCertificates && keys != 1) {
    return Issue(field, keys == 0 ? "pem_wrong_type" : "pem_too_many_blocks",
                 "must hold exactly one private key");
  }
  if (blocks_out) *blocks_out = std::move(blocks);
  return std::nullopt;
}

}  // namespace credvault
