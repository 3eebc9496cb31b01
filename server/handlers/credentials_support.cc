#include "handlers/credentials_support.h"

#include <utility>

#include "api/audit_log.h"
#include "api/responses.h"

namespace credvault::server {

Result<HttpResponse> AnswerStaleVersion(Result<HttpResponse> result) {
  if (result.ok()) return result;
  return api::FailureOf(result.status());
}

Status AuditMutation(Tx& tx, const api::SessionCall& call, std::string_view workspace_id,
                     std::string_view object_type, std::string_view verb,
                     std::string_view object_id) {
  return api::RecordAudit(tx, workspace_id, call.actor.account_id,
                          std::string(object_type) + "." + std::string(verb), object_type,
                          object_id, call.now);
}

std::string_view QueryValue(const api::QueryParams& params, std::string_view name) {
  const auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

}  // namespace credvault::server
