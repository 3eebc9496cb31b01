// How a runner walks a plan: which step comes next, what a step yields to the next one.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "credvault/probe.h"
#include "credvault/probe_outcome.h"

namespace credvault {
namespace {

bool StopsOnFailure(ProbeStepRole role) {
  return role == ProbeStepRole::kAuthenticate || role == ProbeStepRole::kSignJwt ||
         role == ProbeStepRole::kTokenExchange;
}

// Whether a step's fallback (only_if_not_found_step) runs. A 404: the server does not serve
// that API. For Kubernetes also a 403 that does not name system:anonymous: before 1.26 (and
// under custom RBAC) a valid non-admin user may not create a SelfSubjectReview but may create
// the older SelfSubjectAccessReview, so the refusal says nothing about the credential yet.
// An anonymous 403 means the credential never reached the server: no fallback can change that.
bool WantsFallback(const ProbePlan& plan, const ProbeObservation& o) {
  if (!o.response) return false;
  if (o.response->status == 404) return true;
  return plan.kind == ProbeKind::kKubernetes && o.response->status == 403 &&
         o.response->body.find("system:anonymous") == std::string::npos;
}

// A later step waits for step `index`'s refusal (a fallback to an older API).
bool HasFallbackFor(const ProbePlan& plan, size_t index) {
  return std::any_of(
      plan.steps.begin() + static_cast<std::ptrdiff_t>(index) + 1, plan.steps.end(),
      [&](const ProbeStep& s) { return s.only_if_not_found_step == static_cast<int>(index); });
}

}  // namespace

bool StepSucceeded(const ProbeStep& step, const ProbeObservation& observation) {
  if (!observation.ran || observation.transport_error) return false;
  if (step.kind == ProbeStepKind::kSignAppJwt) return true;
  if (!observation.response) return false;
  return std::find(step.success_statuses.begin(), step.success_statuses.end(),
                   observation.response->status) != step.success_statuses.end();
}

std::optional<size_t> NextProbeStep(const ProbePlan& plan,
                                    std::span<const ProbeObservation> observed) {
  for (size_t j = 0; j < observed.size() && j < plan.steps.size(); ++j) {
    const ProbeStep& step = plan.steps[j];
    const ProbeObservation& o = observed[j];
    if (!o.ran || !StopsOnFailure(step.role) || StepSucceeded(step, o)) continue;
    if (WantsFallback(plan, o) && HasFallbackFor(plan, j)) continue;
    return std::nullopt;
  }
  for (size_t i = observed.size(); i < plan.steps.size(); ++i) {
    const int gate = plan.steps[i].only_if_not_found_step;
    if (gate < 0) return i;
    const size_t g = static_cast<size_t>(gate);
    if (g < observed.size() && observed[g].ran && WantsFallback(plan, observed[g])) return i;
  }
  return std::nullopt;
}

Result<SecretBytes> ExtractStepOutput(const ProbeStep& step, std::string_view body) {
  if (step.output_json_field.empty()) {
    return Status(ErrorCode::kInvalidArgument, "step " + step.id + " has no output field");
  }
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status(ErrorCode::kMalformed, "step " + step.id + ": the response is not a JSON object");
  }
  auto it = doc.find(step.output_json_field);
  if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Status(ErrorCode::kMalformed, "step " + step.id + ": the response has no string \"" +
                                             step.output_json_field + "\"");
  }
  std::string& value = it->get_ref<std::string&>();
  SecretBytes out = SecretBytes::CopyFrom(AsBytes(value));
  Wipe(value);
  return out;
}

}  // namespace credvault
