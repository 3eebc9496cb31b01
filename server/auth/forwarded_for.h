// Which address a request comes from when it may have passed through trusted reverse proxies.
//
// Behind nginx every TCP peer is nginx, so a per-address login limit keyed on the peer would
// put every client in one bucket. A proxy named with --trusted-proxy appends the address it
// saw to X-Forwarded-For; the client's address is then the right-most entry not itself a
// trusted proxy. Entries left of that were written by the client (or by proxies we do not
// trust) and prove nothing, so they are never used. From a peer that is not a trusted proxy
// the header is ignored: a client cannot choose its own address.
//
// Plain values and pure functions; thread-safe. Errors: ParseTrustedProxies returns
// kInvalidArgument naming the entry that is not an IP address.
#ifndef CREDVAULT_SERVER_AUTH_FORWARDED_FOR_H_
#define CREDVAULT_SERVER_AUTH_FORWARDED_FOR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/status.h"

namespace credvault::server::auth {

// At most this many X-Forwarded-For entries are looked at, from the right: a longer chain
// is not a real deployment, and the walk stays bounded for a hostile header.
inline constexpr size_t kMaxForwardedHops = 16;

// The canonical text of an IPv4 or IPv6 address ("::FFFF:1.2.3.4" and "::ffff:1.2.3.4" are
// one address; an IPv4-mapped IPv6 address is written as IPv4, as the transport reports a
// v4 peer on a dual-stack socket). Accepts "[v6]", "[v6]:port" and "v4:port" as a proxy may
// write them; nullopt for anything else.
std::optional<std::string> CanonicalAddress(std::string_view text);

struct TrustedProxies {
  std::vector<std::string> addresses;  // canonical
  bool Contains(std::string_view canonical) const;
};

// "127.0.0.1,::1" (spaces around entries allowed). Empty text: no trusted proxy.
Result<TrustedProxies> ParseTrustedProxies(std::string_view list);

// The client's address for a request whose TCP peer is `peer` (as the transport wrote it)
// carrying `forwarded_for` (every X-Forwarded-For header joined with ","; empty if none).
// The peer itself when it is not trusted, when the header is empty, or when the right-most
// untrusted entry is not an address (then the nearest trusted hop is the best we know).
std::string ResolveClientAddress(std::string_view peer, std::string_view forwarded_for,
                                 const TrustedProxies& trusted);

}  // namespace credvault::server::auth

#endif  // CREDVAULT_SERVER_AUTH_FORWARDED_FOR_H_
