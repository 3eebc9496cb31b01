#include "handlers/audit.h"

#include <utility>

#include "api/audit_log.h"
#include "api/query.h"
#include "api/responses.h"

namespace credvault::server {
namespace {

Result<HttpResponse> ListAudit(const api::SessionCall& call) {
  CV_ASSIGN_OR_RETURN(const api::QueryParams params,
                      api::ParseQuery(call.http, {"cursor", "limit"}));
  CV_ASSIGN_OR_RETURN(const PageRequest page, api::ReadPage(params));
  CV_ASSIGN_OR_RETURN(
      const Page<AuditEvent> found,
      ReadResult<Page<AuditEvent>>(call.store, [&](ReadTx& tx) -> Result<Page<AuditEvent>> {
        CV_RETURN_IF_ERROR(
            auth::RequireWorkspaceAction(tx, call.actor, call.Param("ws"), Action::kReadAudit)
                .status());
        return tx.ListAudit(call.Param("ws"), page);
      }));
  nlohmann::json items = nlohmann::json::array();
  for (const AuditEvent& event : found.items) items.push_back(api::AuditEventToJson(event));
  return api::Ok(api::PageJson(std::move(items), found.next_cursor));
}

}  // namespace

Status RegisterAuditRoutes(Router& router, const api::ApiContext& context) {
  return router.Add("GET", "/api/v1/workspaces/{ws}/audit", api::WithSession(context, ListAudit));
}

}  // namespace credvault::server
