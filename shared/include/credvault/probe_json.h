// JSON mapping of probe plans and results (snake_case), in one place. Non-throwing: parsing
// uses nlohmann's non-throwing API, so no input aborts the WASM module.
//
// A plan's JSON is for display and audit: every credential-bearing header value is written
// as "[redacted]", and a step's signing input is kept (it holds only the App id and times).
// A result's JSON is what the runner signs and the client reads back; it carries a schema
// version ("v": 1). Errors of ProbeResultFromJson: kParseError (not JSON), kMalformed (not
// an object, a field of the wrong type, an unknown outcome or transport error, a wrong
// version).
#ifndef CREDVAULT_PROBE_JSON_H_
#define CREDVAULT_PROBE_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "credvault/probe.h"
#include "credvault/probe_outcome.h"
#include "credvault/status.h"

namespace credvault {

inline constexpr int kProbeResultJsonVersion = 1;

nlohmann::json ProbePlanToJson(const ProbePlan& plan);
nlohmann::json ProbeResultToJson(const ProbeResult& result);
Result<ProbeResult> ProbeResultFromJson(const nlohmann::json& json);
Result<ProbeResult> ProbeResultFromJsonText(std::string_view text);

}  // namespace credvault

#endif  // CREDVAULT_PROBE_JSON_H_
