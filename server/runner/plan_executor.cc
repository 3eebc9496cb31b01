#include "runner/plan_executor.h"

#include <optional>
#include <utility>

namespace credvault::runner {
namespace {

SecretBytes Join(std::string_view a, std::string_view b) {
  SecretBytes out(a.size() + b.size());
  std::copy(a.begin(), a.end(), out.data());
  std::copy(b.begin(), b.end(), out.data() + a.size());
  return out;
}

ProbeObservation SignStep(const ProbeTarget& target, const ProbeStep& step,
                          const StepTransport& transport, SecretBytes* output) {
  ProbeObservation o;
  o.ran = true;
  Result<std::string> signature =
      transport.sign_rs256(step.signing_input, target.auth.app_private_key_pem);
  if (!signature.ok()) {
    o.transport_error = TransportError::kSigningFailed;
    o.transport_detail = signature.status().message();
    return o;
  }
  *output = Join(step.signing_input + ".", *signature);
  return o;
}

ProbeObservation HttpStep(const ProbeTarget& target, const ProbePlan& plan, const ProbeStep& step,
                          const std::vector<SecretBytes>& outputs, const SsrfPolicy& ssrf,
                          const ExchangeLimits& limits, const StepTransport& transport,
                          SecretBytes* output) {
  Exchange ex;
  ex.method = step.method;
  ex.url = step.url;
  ex.body = step.body;
  ex.tls = &target.tls;
  ex.ssrf = ssrf;
  ex.limits = limits;
  if (plan.uses_client_certificate) {
    ex.client_certificate_pem = target.auth.client_certificate_pem;
    ex.client_key_pem = &target.auth.client_key_pem;
  }
  for (const ProbeHeader& h : step.headers) ex.headers.emplace_back(h.name, h.Value());
  SecretBytes bearer;
  if (step.bearer_from_step >= 0) {
    const size_t from = static_cast<size_t>(step.bearer_from_step);
    if (from >= outputs.size() || outputs[from].empty()) {
      ProbeObservation o;
      o.ran = true;
      o.transport_error = TransportError::kSigningFailed;
      o.transport_detail = "step " + step.id + " has no token from an earlier step";
      return o;
    }
    bearer = Join("Bearer ", outputs[from].chars());
    ex.headers.emplace_back("Authorization", bearer.chars());
  }
  ProbeObservation o = transport.exchange(ex);
  if (!step.output_json_field.empty() && o.response) {
    if (StepSucceeded(step, o)) {
      Result<SecretBytes> extracted = ExtractStepOutput(step, o.response->body);
      if (extracted.ok()) *output = std::move(extracted).value();
    }
    Wipe(o.response->body);
  }
  return o;
}

}  // namespace

StepTransport NetworkTransport() { return StepTransport{&PerformExchange, &SignRs256}; }

std::vector<ProbeObservation> ExecutePlan(const ProbeTarget& target, const ProbePlan& plan,
                                          const SsrfPolicy& ssrf, const ExchangeLimits& limits,
                                          const StepTransport& transport) {
  std::vector<ProbeObservation> observed;
  std::vector<SecretBytes> outputs(plan.steps.size());
  while (std::optional<size_t> next = NextProbeStep(plan, observed)) {
    const size_t i = *next;
    if (i >= plan.steps.size()) break;
    observed.resize(i);
    const ProbeStep& step = plan.steps[i];
    observed.push_back(
        step.kind == ProbeStepKind::kSignAppJwt
            ? SignStep(target, step, transport, &outputs[i])
            : HttpStep(target, plan, step, outputs, ssrf, limits, transport, &outputs[i]));
  }
  return observed;
}

}  // namespace credvault::runner
