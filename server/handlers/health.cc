#include "handlers/health.h"

namespace credvault::server {

Result<HttpResponse> HandleHealthz(const HttpRequest& /*request*/) {
  HttpResponse response;
  response.content_type = "application/json";
  response.body = R"({"status":"ok"})";
  return response;
}

}  // namespace credvault::server
