#include "routes.h"

#include <memory>

#include "handlers/accounts.h"
#include "handlers/audit.h"
#include "handlers/connection_tests.h"
#include "handlers/connections.h"
#include "handlers/credentials.h"
#include "handlers/environments.h"
#include "handlers/health.h"
#include "handlers/members.h"
#include "handlers/monitoring.h"
#include "handlers/runner_connect.h"
#include "handlers/runner_grants.h"
#include "handlers/runners.h"
#include "handlers/workspaces.h"
#include "ops/ops_routes.h"
#include "static/static_files.h"

namespace credvault::server {
namespace {

Status MountStatic(Router& router, std::string_view pattern, const std::string& root) {
  StaticFiles::Options options;
  options.root = root;
  CV_ASSIGN_OR_RETURN(std::unique_ptr<StaticFiles> files, StaticFiles::New(std::move(options)));
  std::shared_ptr<const StaticFiles> shared = std::move(files);
  return router.Add("GET", pattern,
                    [shared](const HttpRequest& request) { return shared->Serve(request); });
}

}  // namespace

Status RegisterRoutes(const ServerConfig& config, const api::ApiContext& api, Router& router,
                      ops::Metrics* metrics, relay::RunnerHub* runners,
                      const Identity* builtin_runner) {
  CV_RETURN_IF_ERROR(router.Add("GET", "/healthz", HandleHealthz));
  CV_RETURN_IF_ERROR(ops::RegisterOpsRoutes(router, {api.store, metrics}));
  auth::LoginPolicy login_policy;
  login_policy.session_ttl_seconds = config.session_ttl_seconds;
  CV_RETURN_IF_ERROR(RegisterAccountRoutes(router, api, login_policy));
  CV_RETURN_IF_ERROR(RegisterWorkspaceRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterMemberRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterAuditRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterCredentialRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterConnectionRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterConnectionTestRoutes(router, api, runners, metrics));
  CV_RETURN_IF_ERROR(RegisterMonitoringRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterRunnerGrantRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterEnvironmentRoutes(router, api));
  CV_RETURN_IF_ERROR(RegisterRunnerRoutes(router, api, runners, builtin_runner));
  CV_RETURN_IF_ERROR(RegisterRunnerConnectRoute(router));
  CV_RETURN_IF_ERROR(MountStatic(router, "/module/*", config.module_dir));
  CV_RETURN_IF_ERROR(MountStatic(router, "/*", config.web_root));
  return Status::Ok();
}

}  // namespace credvault::server
