// What the handlers of workspace objects (credentials, connections, environments, runners)
// share beyond the api/ plumbing: the answer to a stale version, the audit record of a
// mutation (api::RecordAudit with the call's actor and time), and a query value.
//
// Pure over the store; thread-safe as the store is.
#ifndef CREDVAULT_SERVER_HANDLERS_CREDENTIALS_SUPPORT_H_
#define CREDVAULT_SERVER_HANDLERS_CREDENTIALS_SUPPORT_H_

#include <string>
#include <string_view>

#include "api/endpoint.h"
#include "api/query.h"
#include "credvault/status.h"
#include "http_message.h"
#include "store/store.h"

namespace credvault::server {

// A stale version (the store's StaleVersion) becomes the 409 that carries the current
// version (api::FailureOf); every other result passes through.
Result<HttpResponse> AnswerStaleVersion(Result<HttpResponse> result);

// Appends the audit event "<object_type>.<verb>" for `object_id` in `workspace_id`, by the
// caller, at the call's time. Inside the transaction of the mutation it records.
Status AuditMutation(Tx& tx, const api::SessionCall& call, std::string_view workspace_id,
                     std::string_view object_type, std::string_view verb,
                     std::string_view object_id);

// A query parameter, or "" when absent.
std::string_view QueryValue(const api::QueryParams& params, std::string_view name);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_HANDLERS_CREDENTIALS_SUPPORT_H_
