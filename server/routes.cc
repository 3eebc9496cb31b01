#include "routes.h"

#include <memory>

#include "handlers/health.h"
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

Status RegisterRoutes(const ServerConfig& config, Router& router) {
  CV_RETURN_IF_ERROR(router.Add("GET", "/healthz", HandleHealthz));
  CV_RETURN_IF_ERROR(MountStatic(router, "/module/*", config.module_dir));
  CV_RETURN_IF_ERROR(MountStatic(router, "/*", config.web_root));
  return Status::Ok();
}

}  // namespace credvault::server
