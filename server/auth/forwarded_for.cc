#include "auth/forwarded_for.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace credvault::server::auth {
namespace {

std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool AllDigits(std::string_view text) {
  return !text.empty() && text.size() <= 5 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Strips "[...]" and ":port" where the form leaves no doubt which part is the address.
std::string_view HostPart(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return {};
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && AllDigits(rest.substr(1)))) return {};
    return text.substr(1, close - 1);
  }
  const size_t colon = text.find(':');
  // One colon: IPv4 with a port. Several: a bare IPv6 address.
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    if (!AllDigits(text.substr(colon + 1))) return {};
    return text.substr(0, colon);
  }
  return text;
}

}  // namespace

std::optional<std::string> CanonicalAddress(std::string_view text) {
  const std::string host(HostPart(Trim(text)));
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  if (inet_pton(AF_INET, host.c_str(), bytes.data()) == 1) {
    if (inet_ntop(AF_INET, bytes.data(), out.data(), out.size()) == nullptr) return std::nullopt;
    return std::string(out.data());
  }
  if (inet_pton(AF_INET6, host.c_str(), bytes.data()) != 1) return std::nullopt;
  static constexpr std::array<unsigned char, 12> kV4Mapped{0, 0, 0, 0, 0,    0,
                                                           0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes.data(), kV4Mapped.data(), kV4Mapped.size()) == 0) {
    if (inet_ntop(AF_INET, bytes.data() + 12, out.data(), out.size()) == nullptr) {
      return std::nullopt;
    }
    return std::string(out.data());
  }
  if (inet_ntop(AF_INET6, bytes.data(), out.data(), out.size()) == nullptr) return std::nullopt;
  return std::string(out.data());
}

bool TrustedProxies::Contains(std::string_view canonical) const {
  return std::find(addresses.begin(), addresses.end(), canonical) != addresses.end();
}

Result<TrustedProxies> ParseTrustedProxies(std::string_view list) {
  TrustedProxies trusted;
  if (Trim(list).empty()) return trusted;
  while (true) {
    const size_t comma = list.find(',');
    const std::string_view entry = Trim(list.substr(0, comma));
    // Ports and brackets make no sense for a peer address: only the bare address.
    const std::optional<std::string> canonical = CanonicalAddress(entry);
    if (entry.empty() || !canonical || HostPart(entry) != entry) {
      return Status(ErrorCode::kInvalidArgument,
                    "not an IP address: \"" + std::string(entry.substr(0, 64)) + "\"");
    }
    if (!trusted.Contains(*canonical)) trusted.addresses.push_back(*canonical);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return trusted;
}

std::string ResolveClientAddress(std::string_view peer, std::string_view forwarded_for,
                                 const TrustedProxies& trusted) {
  const std::optional<std::string> canonical_peer = CanonicalAddress(peer);
  if (!canonical_peer || !trusted.Contains(*canonical_peer)) return std::string(peer);
  std::string nearest = *canonical_peer;  // the closest hop we can vouch for
  for (size_t hops = 0; hops < kMaxForwardedHops && !Trim(forwarded_for).empty(); ++hops) {
    const size_t comma = forwarded_for.rfind(',');
    const std::string_view entry =
        comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (Trim(entry).empty()) continue;  // "a,,b": an empty element carries nothing
    const std::optional<std::string> address = CanonicalAddress(entry);
    if (!address) return nearest;
    if (!trusted.Contains(*address)) return *address;
    nearest = *address;
  }
  return nearest;
}

}  // namespace credvault::server::auth
