// The per-kind reading of one step's result (private to the probe module). probe_interpret.cc
// picks the deciding step; these functions say what it means and what to do.
#ifndef CREDVAULT_SRC_PROBE_INTERPRET_INTERNAL_H_
#define CREDVAULT_SRC_PROBE_INTERPRET_INTERNAL_H_

#include <string>
#include <vector>

#include "credvault/probe.h"
#include "credvault/probe_outcome.h"

namespace credvault::probe_internal {

struct Context {
  const ProbeTarget& target;
  const ProbePlan& plan;
};

struct Verdict {
  ProbeOutcome outcome = ProbeOutcome::kUnexpected;
  std::vector<RemediationAction> actions;
  std::string message;
  bool verified = false;  // meaningful for kOk only
};

Verdict ClassifyTransport(const Context& ctx, const ProbeStep& step, TransportError error);
Verdict ClassifyHttp(const Context& ctx, const ProbeStep& step, const ProbeResponse& response);
// A step that got one of its success statuses. `control_succeeded`: the same request without
// the credential succeeded too.
Verdict ClassifySuccess(const Context& ctx, const ProbeStep& step, const ProbeResponse& response,
                        bool control_succeeded);
Verdict NothingRan();

}  // namespace credvault::probe_internal

#endif  // CREDVAULT_SRC_PROBE_INTERPRET_INTERNAL_H_
