#include "credvault/kind.h"

#include "model/enum_table.h"

namespace credvault {
namespace {

constexpr internal::EnumName<ServiceKind> kServiceKindNames[] = {
    {ServiceKind::kKubernetes, "kubernetes"},
    {ServiceKind::kPrometheus, "prometheus"},
    {ServiceKind::kGrafana, "grafana"},
    {ServiceKind::kGitHub, "github"},
    {ServiceKind::kHttp, "http"},
};

}  // namespace

std::string_view ServiceKindName(ServiceKind kind) {
  return internal::NameOf(kServiceKindNames, kind);
}

std::optional<ServiceKind> ParseServiceKind(std::string_view name) {
  return internal::ValueOf(kServiceKindNames, name);
}

Status IssuesToStatus(const FieldIssues& issues) {
  if (issues.empty()) return Status::Ok();
  std::string message = issues.front().field + ": " + issues.front().message;
  if (issues.size() > 1) {
    message += " (and " + std::to_string(issues.size() - 1) + " more)";
  }
  return Status(ErrorCode::kValidation, std::move(message));
}

}  // namespace credvault
