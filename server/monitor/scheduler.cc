#include "monitor/scheduler.h"

#include <optional>
#include <utility>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/permissions.h"
#include "monitor/record_result.h"
#include "monitor/schedule.h"

namespace credvault::server::monitor {

struct MonitorScheduler::State {
  State(Store& store, api::Clock clock, std::shared_ptr<MonitorRunner> runner,
        ops::Metrics* metrics, const JsonLog* log, SchedulerOptions options)
      : store(store),
        clock(std::move(clock)),
        runner(std::move(runner)),
        metrics(metrics),
        log(log),
        options(options) {}

  Store& store;
  api::Clock clock;
  std::shared_ptr<MonitorRunner> runner;
  ops::Metrics* metrics;
  const JsonLog* log;
  const SchedulerOptions options;

  mutable std::mutex mutex;
  std::set<std::string> in_flight;              // connection ids; guarded by mutex
  std::map<std::string, int64_t> last_attempt;  // connection id -> unix seconds; by mutex

  void Log(std::string_view event, const nlohmann::json& fields) const {
    if (log != nullptr) log->Write(event, fields);
  }
  void Done(const std::string& connection_id) {
    std::lock_guard<std::mutex> lock(mutex);
    in_flight.erase(connection_id);
  }
};

namespace {

// What a workspace granted the runner: the pinned row, its grants, the granters' keys.
struct Grant {
  RunnerRow runner;
  std::vector<KeyGrant> grants;
  PinnedKeys granters;
};

// nullopt when the workspace does not let this runner monitor it.
Result<std::optional<Grant>> GrantOf(ReadTx& tx, std::string_view workspace_id,
                                     const MonitorRunner& runner) {
  Result<RunnerRow> row = tx.GetRunner(workspace_id, runner.RunnerId());
  if (row.code() == ErrorCode::kNotFound) return std::optional<Grant>();
  CV_RETURN_IF_ERROR(row.status());
  // Admitted under another key: not this runner.
  if (row->sign_public_key != runner.RunnerSignPublicKey()) return std::optional<Grant>();
  Grant grant;
  grant.runner = std::move(row).value();
  CV_ASSIGN_OR_RETURN(std::vector<KeyGrant> grants,
                      tx.ListKeyGrants(workspace_id, grant.runner.id));
  for (KeyGrant& key_grant : grants) {
    // A grant stands only while its granter may still manage runners here.
    Result<MemberRow> granter = tx.GetMember(workspace_id, key_grant.granter_id);
    if (!granter.ok() || !Allows(granter->role, Action::kManageRunners)) continue;
    CV_ASSIGN_OR_RETURN(AccountRow account, tx.GetAccount(key_grant.granter_id));
    grant.granters[key_grant.granter_id] = account.record.sign_public_key;
    grant.grants.push_back(std::move(key_grant));
  }
  if (grant.grants.empty()) return std::optional<Grant>();
  return std::optional<Grant>(std::move(grant));
}

Result<runner::MonitorJob> BuildJob(ReadTx& tx, const MonitorTarget& target, const Grant& grant) {
  runner::MonitorJob job;
  job.job_id = NewObjectId();
  CV_ASSIGN_OR_RETURN(job.connection, tx.GetConnection(target.workspace_id, target.connection_id));
  if (!job.connection.credential_id.empty()) {
    CV_ASSIGN_OR_RETURN(SealedCredential credential,
                        tx.GetCredential(target.workspace_id, job.connection.credential_id));
    job.credential = std::move(credential);
  }
  job.grants = grant.grants;
  job.granters = grant.granters;
  return job;
}

}  // namespace

MonitorScheduler::MonitorScheduler(Store& store, api::Clock clock,
                                   std::shared_ptr<MonitorRunner> runner, ops::Metrics* metrics,
                                   const JsonLog* log, SchedulerOptions options)
    : state_(std::make_shared<State>(store, std::move(clock), std::move(runner), metrics, log,
                                     options)) {}

MonitorScheduler::~MonitorScheduler() { Stop(); }

void MonitorScheduler::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable() || state_->runner == nullptr) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void MonitorScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Drop our hold on the runner so its owner decides when its threads are joined; results
  // still in flight keep only the shared state.
  state_->runner.reset();
}

size_t MonitorScheduler::InFlight() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->in_flight.size();
}

void MonitorScheduler::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    ScanOnce();
    lock.lock();
    wake_.wait_for(lock, state_->options.tick, [this] { return stopping_; });
  }
}

size_t MonitorScheduler::ScanOnce() {
  const std::shared_ptr<State> state = state_;
  if (state->runner == nullptr) return 0;
  const int64_t now = state->clock();
  Result<std::vector<MonitorTarget>> targets = ReadResult<std::vector<MonitorTarget>>(
      state->store, [](ReadTx& tx) { return tx.ListMonitorTargets(); });
  if (!targets.ok()) {
    state->Log("monitor_scan_failed", {{"error", targets.status().code_name()}});
    return 0;
  }

  std::map<std::string, std::optional<Grant>> grants;  // per workspace, for this scan
  std::set<std::string> listed;
  size_t handed = 0;
  for (const MonitorTarget& target : *targets) {
    listed.insert(target.connection_id);
    if (!IsMonitoredState(target.state)) continue;
    int64_t last = 0;
    {
      std::lock_guard<std::mutex> lock(state->mutex);
      if (state->in_flight.count(target.connection_id)) continue;
      if (state->in_flight.size() >= state->options.max_in_flight) break;
      const auto it = state->last_attempt.find(target.connection_id);
      if (it != state->last_attempt.end()) last = it->second;
    }
    if (DueAt(target, state->options.minute_seconds, last) > now) continue;

    auto known = grants.find(target.workspace_id);
    if (known == grants.end()) {
      Result<std::optional<Grant>> grant = ReadResult<std::optional<Grant>>(
          state->store,
          [&](ReadTx& tx) { return GrantOf(tx, target.workspace_id, *state->runner); });
      known = grants.emplace(target.workspace_id, grant.ok() ? *grant : std::nullopt).first;
    }
    if (!known->second) continue;
    const Grant& grant = *known->second;

    Result<runner::MonitorJob> job = ReadResult<runner::MonitorJob>(
        state->store, [&](ReadTx& tx) { return BuildJob(tx, target, grant); });
    {
      std::lock_guard<std::mutex> lock(state->mutex);
      state->last_attempt[target.connection_id] = now;
      if (job.ok()) state->in_flight.insert(target.connection_id);
    }
    if (!job.ok()) {
      state->Log("monitor_not_run", {{"workspace_id", target.workspace_id},
                                     {"connection_id", target.connection_id},
                                     {"error", job.status().code_name()}});
      continue;
    }
    TestRecordRequest request;
    request.workspace_id = target.workspace_id;
    request.connection_id = target.connection_id;
    request.runner = grant.runner;
    request.job_id = job->job_id;
    request.source = kSourceMonitor;
    ++handed;
    state->runner->SubmitMonitor(std::move(job).value(), [state, request = std::move(request)](
                                                             Result<SignedTestResult> result) {
      Result<RecordedTest> recorded =
          result.ok() ? RecordTestResult(state->store, state->clock(), request, *result)
                      : Result<RecordedTest>(result.status());
      if (!recorded.ok()) {
        state->Log("monitor_not_recorded", {{"workspace_id", request.workspace_id},
                                            {"connection_id", request.connection_id},
                                            {"error", recorded.status().code_name()}});
      } else {
        if (state->metrics != nullptr) {
          state->metrics->ObserveConnectionTest(TestOutcomeName(recorded->entry.outcome),
                                                kSourceMonitor);
        }
        if (recorded->state_changed) {
          state->Log("connection_monitor",
                     {{"workspace_id", request.workspace_id},
                      {"connection_id", request.connection_id},
                      {"from", ConnectionStateName(recorded->entry.state_before)},
                      {"to", ConnectionStateName(recorded->entry.state_after)},
                      {"outcome", TestOutcomeName(recorded->entry.outcome)}});
        }
      }
      state->Done(request.connection_id);
    });
  }
  // Forget connections no longer monitored.
  std::lock_guard<std::mutex> lock(state->mutex);
  for (auto it = state->last_attempt.begin(); it != state->last_attempt.end();) {
    it = listed.count(it->first) ? std::next(it) : state->last_attempt.erase(it);
  }
  return handed;
}

}  // namespace credvault::server::monitor
