// The runner's address policy against SSRF (DESIGN §5): given the address it is about to dial
// (after DNS, so a name that resolves to a metadata service is caught and rebinding is not
// possible), allow or refuse. Pure.
//
// Refused unless the workspace allows private and link-local targets:
//   link-local 169.254.0.0/16 and fe80::/10 (cloud metadata lives at 169.254.169.254);
//   metadata services outside link-local: fd00:ec2::254 (AWS IPv6), 100.100.100.200
//   (Alibaba), 168.63.129.16 (Azure wire server), 192.0.0.192 (Oracle Cloud, legacy);
//   "this network" 0.0.0.0/8 and :: (dialling 0.0.0.0 reaches the local host on Linux).
// Always refused: multicast (224.0.0.0/4, ff00::/8) and 255.255.255.255, never a TCP peer.
// Allowed by default: loopback, RFC 1918, CGNAT 100.64.0.0/10, unique-local fc00::/7 and
// public addresses: reaching in-cluster and lab addresses is the point of a runner inside a
// network; only addresses that hand out cloud credentials or address the host itself are
// the SSRF hole.
// IPv4 embedded in IPv6 is judged as the IPv4 address it carries: IPv4-mapped
// (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
//
// Text input is strict: dotted-quad IPv4 with decimal parts and no leading zeros (so
// "0251.0376.0251.0376" or "2852039166" cannot smuggle 169.254.169.254 past a lenient
// parser), or RFC 4291 IPv6, optionally in brackets and with a %zone. Anything else is
// kInvalidArgument.
#ifndef CREDVAULT_PROBE_SSRF_H_
#define CREDVAULT_PROBE_SSRF_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "credvault/status.h"

namespace credvault {

struct SsrfPolicy {
  // The workspace lets its runners reach link-local, metadata and "this network" addresses.
  bool allow_private_and_link_local = false;
};

struct SsrfDecision {
  bool allowed = false;
  // "public", "loopback", "private", "cgnat", "unique_local", "link_local",
  // "cloud_metadata", "unspecified", "multicast", "broadcast".
  std::string category;
  std::string message;  // why, for the result; names the address (not a secret)
};

// `address` is 4 (IPv4) or 16 (IPv6) bytes in network order; other sizes: kInvalidArgument.
Result<SsrfDecision> CheckProbeAddress(std::span<const uint8_t> address, const SsrfPolicy& policy);
Result<SsrfDecision> CheckProbeAddressText(std::string_view address, const SsrfPolicy& policy);

// Strict parsers used above, exposed for the runner and tests. kInvalidArgument on bad input.
Result<std::array<uint8_t, 4>> ParseIpv4(std::string_view text);
Result<std::array<uint8_t, 16>> ParseIpv6(std::string_view text);

}  // namespace credvault

#endif  // CREDVAULT_PROBE_SSRF_H_
