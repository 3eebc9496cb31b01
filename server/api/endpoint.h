// What the API handlers share: the store and the clock, and the wrapper that authenticates
// a request before a handler sees it.
//
// Usage (one handler file per resource; routes.cc registers them):
//
//   Result<HttpResponse> ListCredentials(const api::SessionCall& call) {
//     return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
//       CV_ASSIGN_OR_RETURN(Membership m, auth::RequireWorkspaceAction(
//                                             tx, call.actor, call.Param("ws"),
//                                             Action::kReadCredentials));
//       ...
//     });
//   }
//   router.Add("GET", "/api/v1/workspaces/{ws}/credentials",
//              api::WithSession(context, ListCredentials));
//
// WithSession answers 401 (api::Unauthenticated) when there is no live session, and passes
// every other failure (CSRF → 403, store errors) on as a Status. For GET and HEAD it looks the
// session up in the same read snapshot the handler's Reads then run on (one transaction per
// request); a handler that writes or pings there is run again with the real store. ApiContext holds plain
// pointers to objects owned by main() that outlive the router; it is copied into handlers.
// Thread-safe as the store is.
#ifndef CREDVAULT_SERVER_API_ENDPOINT_H_
#define CREDVAULT_SERVER_API_ENDPOINT_H_

#include <cstdint>
#include <functional>
#include <string_view>

#include "auth/request_auth.h"
#include "credvault/status.h"
#include "http_message.h"
#include "router.h"
#include "store/store.h"

namespace credvault::server::api {

// Unix seconds. Tests pass a fake.
using Clock = std::function<int64_t()>;
int64_t SystemClock();

struct ApiContext {
  Store* store = nullptr;
  Clock clock = SystemClock;
};

struct SessionCall {
  const HttpRequest& http;
  const auth::RequestActor& actor;
  Store& store;
  int64_t now = 0;

  // A `{name}` path parameter ("" when absent).
  std::string_view Param(std::string_view name) const;
};
using SessionHandler = std::function<Result<HttpResponse>(const SessionCall&)>;

Handler WithSession(ApiContext context, SessionHandler handler);

// For endpoints that need no session (register, prelogin, login, recovery).
struct PublicCall {
  const HttpRequest& http;
  Store& store;
  int64_t now = 0;
};
using PublicHandler = std::function<Result<HttpResponse>(const PublicCall&)>;
Handler Public(ApiContext context, PublicHandler handler);

}  // namespace credvault::server::api

#endif  // CREDVAULT_SERVER_API_ENDPOINT_H_
