// The import plan as JSON for the web app. Only nlohmann's non-throwing API is used (the
// values are built, never parsed or read with at()). No secret field is written.
#include "credvault/kubeconfig.h"
#include "kubeconfig/internal.h"

namespace credvault {
namespace {

using kubeconfig_internal::ToValidUtf8;
using nlohmann::json;

json Texts(const std::vector<std::string>& values) {
  json j = json::array();
  for (const std::string& v : values) j.push_back(ToValidUtf8(v));
  return j;
}

json ProblemFields(const KubeconfigProblem& p) {
  json j = json::object();
  j["code"] = KubeconfigIssueName(p.issue);
  j["message"] = ToValidUtf8(p.message);
  j["line"] = p.line;
  j["column"] = p.column;
  if (!p.plugin.empty()) j["plugin"] = ToValidUtf8(p.plugin);
  return j;
}

json EndpointJson(const KubeconfigEndpoint& e) {
  return json{{"server", ToValidUtf8(e.server)},
              {"has_certificate_authority", !e.certificate_authority_pem.empty()},
              {"tls_server_name", ToValidUtf8(e.tls_server_name)},
              {"insecure_skip_tls_verify", e.insecure_skip_tls_verify},
              {"proxy_url", ToValidUtf8(e.proxy_url)}};
}

json ContextJson(const KubeconfigContextPlan& c) {
  json j = json::object();
  j["context"] = ToValidUtf8(c.context);
  j["name"] = ToValidUtf8(c.name);
  j["outcome"] = ImportOutcomeName(c.outcome);
  j["problem"] = c.problem.ok() ? json(nullptr) : ProblemFields(c.problem);
  j["current"] = c.current;
  j["cluster"] = ToValidUtf8(c.cluster);
  j["user"] = ToValidUtf8(c.user);
  j["namespace"] = ToValidUtf8(c.namespace_name);
  j["connection_id"] = c.connection_id;
  j["credential_id"] = c.credential_id;
  j["endpoint"] = c.connection_id.empty() ? json(nullptr) : EndpointJson(c.endpoint);
  j["state"] = ToValidUtf8(c.state);
  return j;
}

json CredentialJson(const KubeconfigCredentialPlan& c) {
  return json{{"id", c.id},
              {"name", ToValidUtf8(c.name)},
              {"auth", KubeconfigAuthName(c.material.auth)},
              {"user_entries", Texts(c.user_entries)},
              {"connection_ids", c.connection_ids}};
}

}  // namespace

json KubeconfigProblemToJson(const KubeconfigProblem& problem) { return ProblemFields(problem); }

json KubeconfigPlanToJson(const KubeconfigImportPlan& plan) {
  json contexts = json::array();
  for (const KubeconfigContextPlan& c : plan.contexts) contexts.push_back(ContextJson(c));
  json credentials = json::array();
  for (const KubeconfigCredentialPlan& c : plan.credentials) {
    credentials.push_back(CredentialJson(c));
  }
  json summary = json::object();
  for (ImportOutcome o : {ImportOutcome::kImported, ImportOutcome::kUpdated,
                          ImportOutcome::kSkipped, ImportOutcome::kError}) {
    summary[std::string(ImportOutcomeName(o))] = plan.Count(o);
  }
  return json{{"current_context", ToValidUtf8(plan.current_context)},
              {"summary", summary},
              {"contexts", contexts},
              {"credentials", credentials}};
}

}  // namespace credvault
