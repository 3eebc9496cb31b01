// ServiceKind: the kinds of service credvault connects to, shared by connections and the
// credentials that authenticate them; and FieldIssue, how validation names a field and its
// problem (so a form can show the message beside the field).
//
// Plain values; thread-safe. Names are stable: they appear in JSON and in the server's
// database, so never rename one, only add.
#ifndef CREDVAULT_KIND_H_
#define CREDVAULT_KIND_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/status.h"

namespace credvault {

enum class ServiceKind { kKubernetes, kPrometheus, kGrafana, kGitHub, kHttp };
inline constexpr ServiceKind kAllServiceKinds[] = {ServiceKind::kKubernetes,
                                                   ServiceKind::kPrometheus, ServiceKind::kGrafana,
                                                   ServiceKind::kGitHub, ServiceKind::kHttp};

// "kubernetes", "prometheus", "grafana", "github", "http".
std::string_view ServiceKindName(ServiceKind kind);
std::optional<ServiceKind> ParseServiceKind(std::string_view name);

// One problem with one field. `field` is the field's JSON name ("token", "endpoint"), `code`
// a stable snake_case problem code ("required", "pem_wrong_type"), `message` human text that
// never quotes the field's value (it may be a secret).
struct FieldIssue {
  std::string field;
  std::string code;
  std::string message;
  friend bool operator==(const FieldIssue&, const FieldIssue&) = default;
};
using FieldIssues = std::vector<FieldIssue>;

// Ok when `issues` is empty; otherwise kValidation with "field: message" of the first issue
// (and how many more there are).
Status IssuesToStatus(const FieldIssues& issues);

}  // namespace credvault

#endif  // CREDVAULT_KIND_H_
