#include "api/audit_log.h"

#include "credvault/crypto.h"

namespace credvault::server::api {

Status RecordAudit(Tx& tx, std::string_view workspace_id, std::string_view actor_id,
                   std::string_view action, std::string_view object_type,
                   std::string_view object_id, int64_t now) {
  AuditEvent event;
  event.id = NewObjectId();
  event.workspace_id = std::string(workspace_id);
  event.at = now;
  event.actor_id = std::string(actor_id);
  event.action = std::string(action);
  event.object_type = std::string(object_type);
  event.object_id = std::string(object_id);
  return tx.AppendAudit(event);
}

nlohmann::json AuditEventToJson(const AuditEvent& event) {
  return {{"id", event.id},
          {"at", event.at},
          {"actor_id", event.actor_id},
          {"action", event.action},
          {"object_type", event.object_type},
          {"object_id", event.object_id}};
}

}  // namespace credvault::server::api
