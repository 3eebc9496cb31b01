#include "api/endpoint.h"

#include <chrono>
#include <utility>

#include "api/responses.h"

namespace credvault::server::api {

int64_t SystemClock() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view SessionCall::Param(std::string_view name) const {
  const auto it = http.params.find(name);
  return it == http.params.end() ? std::string_view() : std::string_view(it->second);
}

Handler WithSession(ApiContext context, SessionHandler handler) {
  return [context = std::move(context),
          handler = std::move(handler)](const HttpRequest& request) -> Result<HttpResponse> {
    const int64_t now = context.clock();
    CV_ASSIGN_OR_RETURN(auth::Authentication authentication,
                        auth::Authenticate(request, *context.store, now));
    if (!authentication.actor) return Unauthenticated(authentication.refusal);
    return handler(SessionCall{request, *authentication.actor, *context.store, now});
  };
}

Handler Public(ApiContext context, PublicHandler handler) {
  return [context = std::move(context),
          handler = std::move(handler)](const HttpRequest& request) -> Result<HttpResponse> {
    return handler(PublicCall{request, *context.store, context.clock()});
  };
}

}  // namespace credvault::server::api
