// Probe interpretation: what the runner saw -> outcome, remediation, message, state.
//
// Messages name the cause and the fix, and never carry a secret, the endpoint, a host name
// or an address: results travel through the server, which must not learn connection
// details (DESIGN §2). Kind-specific wording lives in probe_interpret_text.cc.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "credvault/probe_outcome.h"
#include "probe/interpret_internal.h"
#include "probe/text.h"

namespace credvault {
namespace {

using probe_internal::FindHeader;
using probe_internal::SanitizeText;
using probe_internal::Verdict;

constexpr size_t kVersionLimit = 64;
constexpr size_t kIdentityLimit = 128;

const nlohmann::json* Path(const nlohmann::json& doc, std::initializer_list<const char*> keys) {
  const nlohmann::json* cur = &doc;
  for (const char* key : keys) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string JsonString(std::string_view body, std::initializer_list<const char*> keys) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return "";
  const nlohmann::json* v = Path(doc, keys);
  if (v == nullptr || !v->is_string()) return "";
  return v->get<std::string>();
}

std::string GithubLoginOfFirstRepository(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return "";
  auto repos = doc.find("repositories");
  if (repos == doc.end() || !repos->is_array() || repos->empty()) return "";
  const nlohmann::json* login = Path((*repos)[0], {"owner", "login"});
  return login != nullptr && login->is_string() ? login->get<std::string>() : "";
}

const ProbeResponse* SuccessfulResponse(const ProbePlan& plan,
                                        std::span<const ProbeObservation> observed,
                                        std::string_view step_id) {
  for (size_t i = 0; i < observed.size() && i < plan.steps.size(); ++i) {
    if (plan.steps[i].id == step_id && StepSucceeded(plan.steps[i], observed[i])) {
      return &*observed[i].response;
    }
  }
  return nullptr;
}

std::string ServerVersion(const ProbePlan& plan, std::span<const ProbeObservation> observed) {
  std::string version;
  switch (plan.kind) {
    case ProbeKind::kKubernetes:
      if (const ProbeResponse* r = SuccessfulResponse(plan, observed, "version")) {
        version = JsonString(r->body, {"gitVersion"});
      }
      break;
    case ProbeKind::kPrometheus:
      if (const ProbeResponse* r = SuccessfulResponse(plan, observed, "buildinfo")) {
        version = JsonString(r->body, {"data", "version"});
      }
      break;
    case ProbeKind::kGrafana:
      if (const ProbeResponse* r = SuccessfulResponse(plan, observed, "health")) {
        version = JsonString(r->body, {"version"});
      }
      break;
    case ProbeKind::kGithub:
      for (const ProbeObservation& o : observed) {
        if (!o.response) continue;
        if (auto v = FindHeader(*o.response, "x-github-enterprise-version")) {
          version = "GitHub Enterprise Server " + std::string(*v);
          break;
        }
        if (auto v = FindHeader(*o.response, "x-github-api-version-selected")) {
          version = "GitHub API " + std::string(*v);
        }
      }
      break;
    case ProbeKind::kHttp:
      break;
  }
  return SanitizeText(version, kVersionLimit);
}

std::string AuthenticatedAs(const ProbePlan& plan, std::span<const ProbeObservation> observed) {
  std::string who;
  if (const ProbeResponse* r = SuccessfulResponse(plan, observed, "self_subject_review")) {
    who = JsonString(r->body, {"status", "userInfo", "username"});
  } else if (const ProbeResponse* r = SuccessfulResponse(plan, observed, "user")) {
    who = JsonString(r->body, {"login"});
  } else if (const ProbeResponse* r =
                 SuccessfulResponse(plan, observed, "installation_repositories")) {
    who = GithubLoginOfFirstRepository(r->body);
  } else if (const ProbeResponse* r = SuccessfulResponse(plan, observed, "current_org")) {
    who = JsonString(r->body, {"name"});
  }
  return SanitizeText(who, kIdentityLimit);
}

bool Decides(ProbeStepRole role) {
  return role != ProbeStepRole::kServerVersion && role != ProbeStepRole::kAnonymousControl;
}

// The step the outcome comes from: the first deciding step that failed (a 404 answered by a
// fallback that ran is passed over), else the last deciding step that ran. -1 if none ran.
int DecidingStep(const ProbePlan& plan, std::span<const ProbeObservation> observed) {
  int last_ran = -1;
  for (size_t i = 0; i < observed.size() && i < plan.steps.size(); ++i) {
    const ProbeStep& step = plan.steps[i];
    const ProbeObservation& o = observed[i];
    if (!o.ran || !Decides(step.role)) continue;
    last_ran = static_cast<int>(i);
    if (StepSucceeded(step, o)) continue;
    bool fallback_ran = false;
    for (size_t k = i + 1; k < observed.size() && k < plan.steps.size(); ++k) {
      if (plan.steps[k].only_if_not_found_step == static_cast<int>(i) && observed[k].ran) {
        fallback_ran = true;
      }
    }
    if (!fallback_ran) return static_cast<int>(i);
  }
  return last_ran;
}

// With no deciding step (e.g. the version step hit a transport error and the runner gave
// up), the first transport error seen still says what happened.
int FirstTransportError(std::span<const ProbeObservation> observed) {
  for (size_t i = 0; i < observed.size(); ++i) {
    if (observed[i].ran && observed[i].transport_error) return static_cast<int>(i);
  }
  return -1;
}

bool ControlSucceeded(const ProbePlan& plan, std::span<const ProbeObservation> observed) {
  for (size_t i = 0; i < observed.size() && i < plan.steps.size(); ++i) {
    if (plan.steps[i].role == ProbeStepRole::kAnonymousControl &&
        StepSucceeded(plan.steps[i], observed[i])) {
      return true;
    }
  }
  return false;
}

bool CredentialCrossedInClear(const ProbePlan& plan, std::span<const ProbeObservation> observed) {
  if (!plan.credential_in_clear) return false;
  for (size_t i = 0; i < observed.size() && i < plan.steps.size(); ++i) {
    // A response proves the request, credential included, went out; a transport error
    // (DNS, refused, SSRF) may have stopped it before a byte left.
    if (plan.steps[i].sends_credential && observed[i].ran && observed[i].response) return true;
  }
  return false;
}

std::vector<std::string> SecretsOf(const ProbeTarget& target, const ProbePlan& plan) {
  std::vector<std::string> out;
  const ProbeAuth& a = target.auth;
  for (const SecretBytes* s :
       {&a.token, &a.password, &a.header_value, &a.client_key_pem, &a.app_private_key_pem}) {
    std::string_view v = probe_internal::TrimAscii(s->chars());
    if (!v.empty()) out.emplace_back(v);
  }
  for (const ProbeStep& step : plan.steps) {
    for (const ProbeHeader& h : step.headers) {
      if (!h.sensitive()) continue;
      std::string_view v = h.Value();
      out.emplace_back(v);
      const size_t space = v.find(' ');
      if (space != std::string_view::npos && space + 1 < v.size()) {
        out.emplace_back(v.substr(space + 1));
      }
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(out.begin(), out.end(),
            [](const std::string& x, const std::string& y) { return x.size() > y.size(); });
  return out;
}

std::string Excerpt(const ProbeTarget& target, const ProbePlan& plan, std::string_view body) {
  std::vector<std::string> secrets = SecretsOf(target, plan);
  std::vector<std::string_view> views(secrets.begin(), secrets.end());
  std::string redacted = probe_internal::Redact(body, views);
  std::string out = SanitizeText(redacted, kProbeBodyExcerptLimit);
  for (std::string& s : secrets) Wipe(s);
  Wipe(redacted);
  return out;
}

}  // namespace

ProbeResult InterpretProbe(const ProbeTarget& target, const ProbePlan& plan,
                           std::span<const ProbeObservation> observed) {
  ProbeResult result;
  result.tls_verification_skipped = plan.tls_verification_skipped;
  result.credential_in_clear = CredentialCrossedInClear(plan, observed);
  result.server_version = ServerVersion(plan, observed);
  result.authenticated_as = AuthenticatedAs(plan, observed);

  int decider = DecidingStep(plan, observed);
  if (decider < 0 || (!observed[decider].response && !observed[decider].transport_error)) {
    const int transport = FirstTransportError(observed);
    if (transport >= 0) decider = transport;
  }
  Verdict verdict;
  const probe_internal::Context ctx{target, plan};
  if (decider < 0) {
    verdict = probe_internal::NothingRan();
  } else {
    const ProbeStep& step = plan.steps[decider];
    const ProbeObservation& o = observed[decider];
    result.deciding_step = step.id;
    if (o.transport_error) {
      result.transport_error = o.transport_error;
      verdict = probe_internal::ClassifyTransport(ctx, step, *o.transport_error);
    } else if (!o.response) {
      verdict = probe_internal::NothingRan();
    } else {
      result.http_status = o.response->status;
      verdict = StepSucceeded(step, o)
                    ? probe_internal::ClassifySuccess(ctx, step, *o.response,
                                                      ControlSucceeded(plan, observed))
                    : probe_internal::ClassifyHttp(ctx, step, *o.response);
      if (verdict.outcome != ProbeOutcome::kOk) {
        result.body_excerpt = Excerpt(target, plan, o.response->body);
      }
    }
  }
  result.outcome = verdict.outcome;
  result.credential_verified = verdict.outcome == ProbeOutcome::kOk && verdict.verified;
  result.message = std::move(verdict.message);
  if (result.credential_in_clear) {
    result.message +=
        " The credential was sent over plain http and crossed the network unencrypted.";
    verdict.actions.push_back(RemediationAction::kUseHttps);
  }
  for (RemediationAction a : verdict.actions) {
    Remediation r = MakeRemediation(a);
    if (std::find(result.remediations.begin(), result.remediations.end(), r) ==
        result.remediations.end()) {
      result.remediations.push_back(std::move(r));
    }
  }
  return result;
}

}  // namespace credvault
