#include "handlers/runner_connect.h"

#include <string>

#include "api/responses.h"
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
  return router.Add(
      "GET", relay::kRunnerConnectPath, [](const HttpRequest& request) -> Result<HttpResponse> {
        if (AsksForWebSocket(request)) {
          return Status(ErrorCode::kUnavailable,
                        "this server does not take runner connections now");
        }
        // A plain GET: how an operator checks that a proxy passes the path through to a
        // server that takes runners, and which protocol it speaks.
        HttpResponse answer = api::NoContent();
        answer.SetHeader("Upgrade", "websocket");
        answer.SetHeader("X-Credvault-Runner-Protocol", std::string(relay::kRunnerProtocol));
        return answer;
      });
}

}  // namespace credvault::server
