#include "credvault/probe_ssrf.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace credvault {
namespace {

enum class Rule { kAllow, kRefuseUnlessAllowed, kRefuse };

struct Category {
  std::string_view name;
  Rule rule;
};

constexpr Category kPublic{"public", Rule::kAllow};
constexpr Category kLoopback{"loopback", Rule::kAllow};
constexpr Category kPrivate{"private", Rule::kAllow};
constexpr Category kCgnat{"cgnat", Rule::kAllow};
constexpr Category kUniqueLocal{"unique_local", Rule::kAllow};
constexpr Category kLinkLocal{"link_local", Rule::kRefuseUnlessAllowed};
constexpr Category kMetadata{"cloud_metadata", Rule::kRefuseUnlessAllowed};
constexpr Category kUnspecified{"unspecified", Rule::kRefuseUnlessAllowed};
constexpr Category kMulticast{"multicast", Rule::kRefuse};
constexpr Category kBroadcast{"broadcast", Rule::kRefuse};
constexpr Category kReserved{"reserved", Rule::kRefuse};

Status Bad(std::string_view what) {
  return Status(ErrorCode::kInvalidArgument,
                std::string("not an IP address: ") + std::string(what));
}

Category ClassifyV4(const uint8_t* a) {
  if (a[0] == 0) return kUnspecified;  // 0.0.0.0/8: "this network", reaches the local host
  if (a[0] == 127) return kLoopback;
  if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168)) {
    return kPrivate;
  }
  if (a[0] == 100 && a[1] == 100 && a[2] == 100 && a[3] == 200) return kMetadata;  // Alibaba
  if (a[0] == 100 && (a[1] & 0xc0) == 64) return kCgnat;
  if (a[0] == 169 && a[1] == 254) {
    return (a[2] == 169 && a[3] == 254) ? kMetadata : kLinkLocal;  // AWS, GCP, Azure IMDS
  }
  if (a[0] == 168 && a[1] == 63 && a[2] == 129 && a[3] == 16) return kMetadata;  // Azure wire
  if (a[0] == 192 && a[1] == 0 && a[2] == 0 && a[3] == 192) return kMetadata;    // Oracle
  if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255) return kBroadcast;
  if ((a[0] & 0xf0) == 224) return kMulticast;
  if ((a[0] & 0xf0) == 240) return kReserved;
  return kPublic;
}

bool AllZero(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// The IPv4 address an IPv6 address carries, if it is one of the embedding forms.
const uint8_t* EmbeddedV4(const uint8_t* a) {
  static constexpr uint8_t kNat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (AllZero(a, 10) && a[10] == 0xff && a[11] == 0xff) return a + 12;  // ::ffff:a.b.c.d
  if (AllZero(a, 12) && !AllZero(a + 12, 3)) return a + 12;             // ::a.b.c.d (not ::, ::1)
  if (std::equal(kNat64, kNat64 + 12, a)) return a + 12;                // 64:ff9b::/96
  if (a[0] == 0x20 && a[1] == 0x02) return a + 2;                       // 6to4 2002::/16
  return nullptr;
}

Category ClassifyV6(const uint8_t* a) {
  if (AllZero(a, 16)) return kUnspecified;
  if (AllZero(a, 15) && a[15] == 1) return kLoopback;
  if (const uint8_t* v4 = EmbeddedV4(a)) return ClassifyV4(v4);
  static constexpr uint8_t kAwsMetadata[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                               0,    0,    0,    0,    0, 0, 0x02, 0x54};
  if (std::equal(kAwsMetadata, kAwsMetadata + 16, a)) return kMetadata;
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return kLinkLocal;  // fe80::/10
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return kPrivate;    // fec0::/10, old site-local
  if ((a[0] & 0xfe) == 0xfc) return kUniqueLocal;                // fc00::/7
  if (a[0] == 0xff) return kMulticast;
  return kPublic;
}

std::string FormatAddress(std::span<const uint8_t> a) {
  std::string out;
  if (a.size() == 4) {
    for (size_t i = 0; i < 4; ++i) out += (i ? "." : "") + std::to_string(a[i]);
    return out;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 16; i += 2) {
    if (i) out += ':';
    const unsigned group = (static_cast<unsigned>(a[i]) << 8) | a[i + 1];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned nibble = (group >> shift) & 0xf;
      if (nibble != 0 || started || shift == 0) {
        out += kHex[nibble];
        started = true;
      }
    }
  }
  return out;
}

// Colon-separated hex groups, optionally ending in a dotted IPv4 (two groups).
bool ParseGroups(std::string_view s, bool v4_tail_allowed, std::vector<uint16_t>* out) {
  if (s.empty()) return true;
  size_t start = 0;
  while (true) {
    size_t end = s.find(':', start);
    std::string_view part = s.substr(start, end == std::string_view::npos ? s.npos : end - start);
    if (end == std::string_view::npos && v4_tail_allowed &&
        part.find('.') != std::string_view::npos) {
      Result<std::array<uint8_t, 4>> v4 = ParseIpv4(part);
      if (!v4.ok()) return false;
      out->push_back(static_cast<uint16_t>(((*v4)[0] << 8) | (*v4)[1]));
      out->push_back(static_cast<uint16_t>(((*v4)[2] << 8) | (*v4)[3]));
      return true;
    }
    if (part.empty() || part.size() > 4) return false;
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value, 16);
    if (ec != std::errc() || ptr != part.data() + part.size()) return false;
    out->push_back(static_cast<uint16_t>(value));
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

}  // namespace

Result<std::array<uint8_t, 4>> ParseIpv4(std::string_view text) {
  std::array<uint8_t, 4> out{};
  size_t start = 0;
  for (size_t i = 0; i < 4; ++i) {
    const size_t end = i < 3 ? text.find('.', start) : text.size();
    if (end == std::string_view::npos) return Bad("IPv4 needs four dotted parts");
    std::string_view part = text.substr(start, end - start);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) {
      return Bad("IPv4 parts are decimal numbers without leading zeros");
    }
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (ec != std::errc() || ptr != part.data() + part.size() || value > 255) {
      return Bad("IPv4 parts are numbers from 0 to 255");
    }
    out[i] = static_cast<uint8_t>(value);
    start = end + 1;
  }
  return out;
}

Result<std::array<uint8_t, 16>> ParseIpv6(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  const size_t zone = text.find('%');
  if (zone != std::string_view::npos) {
    if (zone + 1 == text.size()) return Bad("empty IPv6 zone");
    text = text.substr(0, zone);
  }
  if (text.size() < 2 || text.size() > 45) return Bad("IPv6 address length");
  std::vector<uint16_t> head, tail;
  const size_t gap = text.find("::");
  bool ok = false;
  if (gap == std::string_view::npos) {
    ok = ParseGroups(text, true, &head) && head.size() == 8;
  } else {
    std::string_view left = text.substr(0, gap);
    std::string_view right = text.substr(gap + 2);
    ok = right.find("::") == std::string_view::npos && ParseGroups(left, false, &head) &&
         ParseGroups(right, true, &tail) && head.size() + tail.size() <= 7;
  }
  if (!ok) return Bad("malformed IPv6 address");
  std::array<uint8_t, 16> out{};
  for (size_t i = 0; i < head.size(); ++i) {
    out[2 * i] = static_cast<uint8_t>(head[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(head[i] & 0xff);
  }
  const size_t offset = 8 - tail.size();
  for (size_t i = 0; i < tail.size(); ++i) {
    out[2 * (offset + i)] = static_cast<uint8_t>(tail[i] >> 8);
    out[2 * (offset + i) + 1] = static_cast<uint8_t>(tail[i] & 0xff);
  }
  return out;
}

Result<SsrfDecision> CheckProbeAddress(std::span<const uint8_t> address, const SsrfPolicy& policy) {
  if (address.size() != 4 && address.size() != 16) {
    return Status(ErrorCode::kInvalidArgument, "an IP address is 4 or 16 bytes");
  }
  const Category c = address.size() == 4 ? ClassifyV4(address.data()) : ClassifyV6(address.data());
  SsrfDecision d;
  d.category = std::string(c.name);
  d.allowed = c.rule == Rule::kAllow ||
              (c.rule == Rule::kRefuseUnlessAllowed && policy.allow_private_and_link_local);
  const std::string addr = FormatAddress(address);
  if (d.allowed) {
    d.message = addr + " (" + d.category + ") is allowed";
  } else if (c.rule == Rule::kRefuse) {
    d.message = addr + " (" + d.category + ") is never a connection target";
  } else {
    d.message = addr + " (" + d.category +
                ") is refused: the workspace does not allow link-local and metadata targets";
  }
  return d;
}

Result<SsrfDecision> CheckProbeAddressText(std::string_view address, const SsrfPolicy& policy) {
  if (address.find(':') != std::string_view::npos) {
    CV_ASSIGN_OR_RETURN(auto v6, ParseIpv6(address));
    return CheckProbeAddress(v6, policy);
  }
  CV_ASSIGN_OR_RETURN(auto v4, ParseIpv4(address));
  return CheckProbeAddress(v4, policy);
}

}  // namespace credvault
