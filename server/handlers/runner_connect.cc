#include "handlers/runner_connect.h"

#include <string>

#include "relay/runner_protocol.h"

namespace credvault::server {
namespace {

bool AsksForWebSocket(const HttpRequest& request) {
  std::string upgrade(request.Header("upgrade"));
  for (char& c : upgrade) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return upgrade == "websocket";
}

}  // namespace

Status RegisterRunnerConnectRoute(Router& router) {
  return router.Add("GET", relay::kRunnerConnectPath,
                    [](const HttpRequest& request) -> Result<HttpResponse> {
                      if (AsksForWebSocket(request)) {
                        return Status(ErrorCode::kUnavailable,
                                      "this server does not take runner connections now");
                      }
                      return Status(ErrorCode::kInvalidArgument,
                                    "runners connect here with a WebSocket upgrade "
                                    "(Upgrade: websocket), as credvault-runner does");
                    });
}

}  // namespace credvault::server
