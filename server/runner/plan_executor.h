// Walks a ProbePlan step by step (the core's NextProbeStep decides the order), feeding each
// step's output (a GitHub App JWT, an installation token) to the steps that ask for it as a
// bearer token, and returns what every step observed, ready for InterpretProbe.
//
// The transport is injected so the walk is tested without sockets; the runner passes
// PerformExchange and SignRs256 (https_client.h). Step outputs are secrets: they live in
// SecretBytes and are dropped (wiped) when the walk ends; a response body that carried one
// is wiped too, as the interpreter never reads it. Reentrant.
#ifndef CREDVAULT_SERVER_RUNNER_PLAN_EXECUTOR_H_
#define CREDVAULT_SERVER_RUNNER_PLAN_EXECUTOR_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/probe.h"
#include "credvault/probe_outcome.h"
#include "credvault/probe_ssrf.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "runner/https_client.h"

namespace credvault::runner {

struct StepTransport {
  std::function<ProbeObservation(const Exchange&)> exchange;
  std::function<Result<std::string>(std::string_view, const SecretBytes&)> sign_rs256;
};

// The transport a runner uses: real sockets, real OpenSSL.
StepTransport NetworkTransport();

std::vector<ProbeObservation> ExecutePlan(const ProbeTarget& target, const ProbePlan& plan,
                                          const SsrfPolicy& ssrf, const ExchangeLimits& limits,
                                          const StepTransport& transport);

}  // namespace credvault::runner

#endif  // CREDVAULT_SERVER_RUNNER_PLAN_EXECUTOR_H_
