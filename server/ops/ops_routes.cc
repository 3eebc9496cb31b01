#include "ops/ops_routes.h"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "ops/openapi.h"

namespace credvault::server::ops {
namespace {

using nlohmann::json;

constexpr std::string_view kJsonContentType = "application/json";
constexpr int kServiceUnavailable = 503;

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kJsonContentType;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Connections per workspace and state, read at scrape time (one GROUP BY). A store that does
// not answer leaves the gauges out; /readyz reports it.
void AppendConnectionGauges(Store& store, std::string& out) {
  std::map<std::string, std::map<ConnectionState, uint64_t>> counts;
  const Status read = store.Read([&](ReadTx& tx) -> Status {
    CV_ASSIGN_OR_RETURN(counts, tx.CountConnectionsByState());
    return Status::Ok();
  });
  if (!read.ok()) return;
  std::map<std::string, std::map<std::string, uint64_t>> named;
  for (const auto& [workspace, states] : counts) {
    for (const auto& [state, count] : states) {
      named[workspace][std::string(ConnectionStateName(state))] = count;
    }
  }
  Metrics::AppendConnectionCounts(out, named);
}

}  // namespace

HttpResponse Readiness(Store& store) {
  const std::string engine(store.EngineName());
  const Status ping = store.Ping();
  if (ping.ok()) return JsonResponse(200, {{"status", "ready"}, {"store", engine}});
  HttpResponse response = JsonResponse(
      kServiceUnavailable,
      {{"status", "not_ready"},
       {"store", engine},
       {"error", {{"code", "unavailable"}, {"message", "the store does not answer"}}}});
  response.log_error = ping.ToString();
  response.SetHeader("Retry-After", "5");
  return response;
}

Status RegisterOpsRoutes(Router& router, OpsContext context) {
  if (context.store == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "the operations routes need a store");
  }
  std::shared_ptr<Metrics> own;
  if (context.metrics == nullptr) {
    own = std::make_shared<Metrics>(CurrentBuild(context.store->EngineName()), UnixNow());
    context.metrics = own.get();
  }
  Store* store = context.store;
  CV_RETURN_IF_ERROR(router.Add("GET", "/readyz", [store](const HttpRequest&) {
    return Result<HttpResponse>(Readiness(*store));
  }));
  const Metrics* metrics = context.metrics;
  CV_RETURN_IF_ERROR(router.Add("GET", "/metrics", [metrics, own, store](const HttpRequest&) {
    HttpResponse response;
    response.content_type = Metrics::kContentType;
    response.body = metrics->Render();
    AppendConnectionGauges(*store, response.body);
    return Result<HttpResponse>(std::move(response));
  }));
  return router.Add("GET", "/api/openapi.json", [](const HttpRequest&) {
    HttpResponse response;
    response.content_type = kJsonContentType;
    response.body = OpenApiText();
    return Result<HttpResponse>(std::move(response));
  });
}

void ObserveRequests(Router& router, Metrics& metrics) {
  router.SetObserver([&metrics](const RouteSample& sample) {
    metrics.ObserveRequest(sample.method, sample.pattern, sample.status, sample.elapsed);
  });
}

}  // namespace credvault::server::ops
