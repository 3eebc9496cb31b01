#include "credvault/test_job.h"

#include <sodium.h>

namespace credvault {
namespace {

constexpr std::string_view kResultLabel = "credvault/v1/test-result";
using nlohmann::json;

bool GetString(const json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool GetInt(const json& j, const char* key, int64_t* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return false;
  *out = it->get<int64_t>();
  return true;
}

Bytes ResultSignedBytes(std::string_view payload) {
  Bytes out(kResultLabel.begin(), kResultLabel.end());
  out.push_back(0);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace

Result<Bytes> SealTestJob(ByteView runner_box_public_key, const TestJobHeader& header,
                          std::string_view body_json) {
  if (header.expires_at <= header.issued_at ||
      header.expires_at - header.issued_at > kMaxJobLifetimeSeconds) {
    return Result<Bytes>(ErrorCode::kInvalidArgument, "a job lives between 1 and 60 seconds");
  }
  json body = json::parse(body_json.begin(), body_json.end(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Result<Bytes>(ErrorCode::kInvalidArgument, "job body must be a JSON object");
  }
  json j = {{"v", 1},
            {"job_id", header.job_id},
            {"workspace_id", header.workspace_id},
            {"connection_id", header.connection_id},
            {"runner_id", header.runner_id},
            {"issued_at", header.issued_at},
            {"expires_at", header.expires_at},
            {"body", std::move(body)}};
  std::string text = j.dump();
  auto sealed = SealTo(runner_box_public_key, AsBytes(text));
  Wipe(text);
  return sealed;
}

bool ReplayGuard::SeenBefore(const std::string& job_id, int64_t expires_at, int64_t now) {
  for (auto it = seen_.begin(); it != seen_.end();) {
    it = it->second < now ? seen_.erase(it) : std::next(it);
  }
  if (seen_.count(job_id) != 0) return true;
  seen_.emplace(job_id, expires_at);
  return false;
}

Result<OpenedTestJob> OpenTestJob(const Identity& runner, ByteView sealed, int64_t now,
                                  ReplayGuard* guard) {
  CV_ASSIGN_OR_RETURN(SecretBytes plain, runner.OpenSealed(sealed));
  std::string_view text = plain.chars();
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  OpenedTestJob job;
  TestJobHeader& h = job.header;
  int64_t v = 0;
  if (j.is_discarded() || !j.is_object() || !GetInt(j, "v", &v) || v != 1 ||
      !GetString(j, "job_id", &h.job_id) || !GetString(j, "workspace_id", &h.workspace_id) ||
      !GetString(j, "connection_id", &h.connection_id) || !GetString(j, "runner_id", &h.runner_id) ||
      !GetInt(j, "issued_at", &h.issued_at) || !GetInt(j, "expires_at", &h.expires_at) ||
      !j.contains("body") || !j["body"].is_object() || h.job_id.empty()) {
    return Result<OpenedTestJob>(ErrorCode::kMalformed, "test job is not well-formed");
  }
  if (h.runner_id != runner.id()) {
    return Result<OpenedTestJob>(ErrorCode::kWrongRecipient, "test job addressed to another runner");
  }
  if (h.expires_at - h.issued_at > kMaxJobLifetimeSeconds || h.expires_at <= h.issued_at) {
    return Result<OpenedTestJob>(ErrorCode::kExpired, "test job lifetime exceeds 60 seconds");
  }
  if (now > h.expires_at) {
    return Result<OpenedTestJob>(ErrorCode::kExpired, "test job expired");
  }
  if (guard != nullptr && guard->SeenBefore(h.job_id, h.expires_at, now)) {
    return Result<OpenedTestJob>(ErrorCode::kReplayed, "test job already run");
  }
  std::string body = j["body"].dump();
  // The body holds the credential: guarded memory (no swap, guard pages) until it is dropped.
  job.body_json = SecretBytes::GuardedCopyFrom(AsBytes(body));
  Wipe(body);
  return job;
}

SignedTestResult SignTestResult(const Identity& runner, const TestJobHeader& job, json result) {
  result["job_id"] = job.job_id;
  result["connection_id"] = job.connection_id;
  result["workspace_id"] = job.workspace_id;
  result["runner_id"] = runner.id();
  SignedTestResult out;
  out.payload = result.dump();
  out.signature = runner.Sign(ResultSignedBytes(out.payload));
  return out;
}

Result<json> VerifyTestResult(ByteView runner_sign_public_key, const SignedTestResult& signed_result,
                              std::string_view expected_job_id,
                              std::string_view expected_connection_id) {
  CV_RETURN_IF_ERROR(VerifySignature(runner_sign_public_key, ResultSignedBytes(signed_result.payload),
                                     signed_result.signature));
  json j = json::parse(signed_result.payload, nullptr, false);
  std::string job_id, connection_id;
  if (j.is_discarded() || !j.is_object() || !GetString(j, "job_id", &job_id) ||
      !GetString(j, "connection_id", &connection_id)) {
    return Result<json>(ErrorCode::kMalformed, "test result is not well-formed");
  }
  if (job_id != expected_job_id || connection_id != expected_connection_id) {
    return Result<json>(ErrorCode::kWrongRecipient,
                        "test result answers another job or connection");
  }
  return j;
}

}  // namespace credvault
