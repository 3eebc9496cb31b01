// Cross-target check: `cross_target make FILE` writes an envelope, a key grant, a wrapped
// data key, a sealed test job and a signed result, with the (test-only) keys needed to open
// them; `cross_target check FILE` opens and verifies everything. Built natively and to
// WASM, so tests/cross/cross_target.test.mjs can make in one target and check in the other.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "credvault/client_api.h"
#include "credvault/crypto.h"
#include "credvault/crypto_json.h"
#include "credvault/test_job.h"
#include "credvault/workspace_keys.h"

namespace credvault {
namespace {

using nlohmann::json;

constexpr int64_t kIssuedAt = 1'700'000'000;
const EnvelopeContext kContext{"credential", "", "cred-x", 2};
constexpr std::string_view kSecret = R"({"token":"cross-target-secret","kind":"bearer"})";

std::string Encode(const SecretBytes& s) { return Base64UrlEncode(s.view()); }

Result<std::unique_ptr<Identity>> LoadIdentity(const json& doc, const char* name) {
  Bytes raw;
  if (!doc.contains(name) || !doc[name].is_string() ||
      !Base64UrlDecode(doc[name].get<std::string>(), &raw)) {
    return Result<std::unique_ptr<Identity>>(ErrorCode::kMalformed, std::string("missing ") + name);
  }
  auto id = Identity::Deserialize(name, raw);
  Wipe(raw);
  return id;
}

int Make(const std::string& path) {
  auto alice = Identity::Generate("alice");
  auto bob = Identity::Generate("bob");
  auto runner = Identity::Generate("runner");
  WorkspaceKeys ws = WorkspaceKeys::Generate("ws-x", 9);
  SymmetricKey data_key = NewDataKey();

  auto grant = MakeGrant(*alice, ws, true, "bob", bob->box_public_key());
  auto wrapped = WrapDataKey(ws, kContext.object_id, kContext.object_version, data_key);
  auto envelope = SealEnvelope(data_key, kContext, AsBytes(kSecret));
  TestJobHeader header{"job-x", "ws-x", "conn-x", "runner", kIssuedAt, kIssuedAt + 30};
  auto job = SealTestJob(runner->box_public_key(), header, R"({"secret":{"token":"t"}})");
  SignedTestResult result = SignTestResult(*runner, header, {{"outcome", "ok"}});
  if (!grant.ok() || !wrapped.ok() || !envelope.ok() || !job.ok()) return 2;

  json doc = {{"target", CryptoTarget()},
              {"alice_sign_public_key", Base64UrlEncode(alice->sign_public_key())},
              {"bob", Encode(bob->InsecureSerialize())},
              {"runner", Encode(runner->InsecureSerialize())},
              {"runner_sign_public_key", Base64UrlEncode(runner->sign_public_key())},
              {"grant", KeyGrantToJson(*grant)},
              {"wrapped_data_key", Base64UrlEncode(*wrapped)},
              {"envelope", Base64UrlEncode(*envelope)},
              {"job", Base64UrlEncode(*job)},
              {"result", SignedTestResultToJson(result)}};
  std::ofstream(path) << doc.dump(2);
  std::cout << "made by " << CryptoTarget() << "\n";
  return 0;
}

int Fail(const std::string& step, const Status& s) {
  std::cerr << step << ": " << s.ToString() << "\n";
  return 1;
}

int Check(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) return Fail("read", Status(ErrorCode::kParseError, path));

  auto bob = LoadIdentity(doc, "bob");
  auto runner = LoadIdentity(doc, "runner");
  if (!bob.ok() || !runner.ok()) return Fail("identities", bob.status());
  Bytes alice_key;
  Base64UrlDecode(doc["alice_sign_public_key"].get<std::string>(), &alice_key);

  auto grant = KeyGrantFromJson(doc["grant"]);
  if (!grant.ok()) return Fail("grant json", grant.status());
  auto ws = OpenGrant(**bob, *grant, {{"alice", alice_key}});
  if (!ws.ok()) return Fail("open grant", ws.status());

  Bytes wrapped, envelope, job;
  Base64UrlDecode(doc["wrapped_data_key"].get<std::string>(), &wrapped);
  Base64UrlDecode(doc["envelope"].get<std::string>(), &envelope);
  Base64UrlDecode(doc["job"].get<std::string>(), &job);
  auto data_key = UnwrapDataKey(*ws, kContext.object_id, kContext.object_version, wrapped);
  if (!data_key.ok()) return Fail("unwrap data key", data_key.status());
  auto plain = OpenEnvelope(*data_key, kContext, envelope);
  if (!plain.ok()) return Fail("open envelope", plain.status());
  if (plain->chars() != kSecret) return Fail("envelope", Status(ErrorCode::kInternal, "mismatch"));

  ReplayGuard guard;
  auto opened = OpenTestJob(**runner, job, kIssuedAt + 1, &guard);
  if (!opened.ok()) return Fail("open job", opened.status());

  Bytes runner_key;
  Base64UrlDecode(doc["runner_sign_public_key"].get<std::string>(), &runner_key);
  auto signed_result = SignedTestResultFromJson(doc["result"]);
  if (!signed_result.ok()) return Fail("result json", signed_result.status());
  auto verified = VerifyTestResult(runner_key, *signed_result, "job-x", "conn-x");
  if (!verified.ok()) return Fail("verify result", verified.status());

  std::cout << "made by " << doc["target"].get<std::string>() << ", checked by " << CryptoTarget()
            << ": envelope, grant, data key, job and result ok\n";
  return 0;
}

}  // namespace
}  // namespace credvault

int main(int argc, char** argv) {
  if (!credvault::InitCrypto().ok()) return 3;
  std::string mode = argc > 1 ? argv[1] : "";
  if (argc == 3 && mode == "make") return credvault::Make(argv[2]);
  if (argc == 3 && mode == "check") return credvault::Check(argv[2]);
  std::cerr << "usage: cross_target make|check FILE\n";
  return 64;
}
