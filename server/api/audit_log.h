// Audit events: every mutation of a workspace's objects writes one, in the transaction that
// makes the change, so an event exists exactly when the change does.
//
// An event records who (the acting account), what (a dotted action such as
// "credential.create"), which object (type and id) and when. It never holds a name, an
// envelope or any other content. Thread-safe as the Tx is (one thread).
#ifndef CREDVAULT_SERVER_API_AUDIT_LOG_H_
#define CREDVAULT_SERVER_API_AUDIT_LOG_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "credvault/status.h"
#include "store/store.h"

namespace credvault::server::api {

// Appends an event with a fresh id. Errors: the store's (kNotFound: no such workspace).
Status RecordAudit(Tx& tx, std::string_view workspace_id, std::string_view actor_id,
                   std::string_view action, std::string_view object_type,
                   std::string_view object_id, int64_t now);

// {"id", "at", "actor_id", "action", "object_type", "object_id"}: the only JSON form.
nlohmann::json AuditEventToJson(const AuditEvent& event);

}  // namespace credvault::server::api

#endif  // CREDVAULT_SERVER_API_AUDIT_LOG_H_
