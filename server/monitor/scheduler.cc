#include "monitor/scheduler.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/permissions.h"
#include "monitor/record_result.h"
#include "monitor/schedule.h"

namespace credvault::server::monitor {

struct MonitorScheduler::State {
  State(Store& store, api::Clock clock, const relay::RunnerHub* runners, ops::Metrics* metrics,
        const JsonLog* log, SchedulerOptions options)
      : store(store),
        clock(std::move(clock)),
        runners(runners),
        metrics(metrics),
        log(log),
        options(options) {}

  Store& store;
  api::Clock clock;
  const relay::RunnerHub* runners;  // null after Stop
  ops::Metrics* metrics;
  const JsonLog* log;
  const SchedulerOptions options;

  mutable std::mutex mutex;
  std::condition_variable slot_freed;  // a job ended, or Stop
  bool stopping = false;               // guarded by mutex
  std::set<std::string> in_flight;     // connection ids; guarded by mutex

  // The last listing of the monitored connections, each with when this scheduler last
  // handed it out (unix seconds, 0 = never). Only the scanning thread touches these.
  struct Entry {
    MonitorTarget target;
    int64_t last_attempt = 0;
  };
  std::vector<Entry> listing;
  int64_t listed_at = 0;  // unix seconds; 0 = never

  // Results are recorded (a transaction with an fsync) on the recording thread, not on the
  // thread that answers — for a standalone runner, one of the server's I/O threads.
  std::mutex record_mutex;
  std::condition_variable record_wake;
  std::deque<std::function<void()>> records;  // guarded by record_mutex
  bool recording = false;                     // a recording thread runs; by record_mutex

  // Queues `record` for the recording thread; runs it here when there is none (tests calling
  // ScanOnce, or a result landing after Stop).
  void Record(std::function<void()> record) {
    {
      std::lock_guard<std::mutex> lock(record_mutex);
      if (recording) {
        records.push_back(std::move(record));
        record_wake.notify_one();
        return;
      }
    }
    record();
  }
  // The recording thread: runs what is queued until StopRecording, then what is left.
  void RecordLoop() {
    std::unique_lock<std::mutex> lock(record_mutex);
    for (;;) {
      record_wake.wait(lock, [this] { return !records.empty() || !recording; });
      if (records.empty()) return;
      std::function<void()> next = std::move(records.front());
      records.pop_front();
      lock.unlock();
      next();
      next = nullptr;  // drop what it holds before taking the lock again
      lock.lock();
    }
  }

  void Log(std::string_view event, const nlohmann::json& fields) const {
    if (log != nullptr) log->Write(event, fields);
  }
  void Done(const std::string& connection_id) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      in_flight.erase(connection_id);
    }
    slot_freed.notify_all();
  }
  // Whether a job may be handed now; with a deadline, waits for a slot until then.
  bool WaitForSlot(std::optional<std::chrono::steady_clock::time_point> until) {
    std::unique_lock<std::mutex> lock(mutex);
    const auto free = [this] { return stopping || in_flight.size() < options.max_in_flight; };
    if (until) slot_freed.wait_until(lock, *until, free);
    return !stopping && in_flight.size() < options.max_in_flight;
  }
};

namespace {

// A runner a workspace granted: the pinned row, its grants, the granters' keys.
struct Candidate {
  RunnerRow runner;
  std::vector<KeyGrant> grants;
  PinnedKeys granters;
};

// The grants of `runner` that still stand; nullopt when none does.
Result<std::optional<Candidate>> CandidateOf(ReadTx& tx, RunnerRow runner) {
  Candidate candidate;
  candidate.runner = std::move(runner);
  CV_ASSIGN_OR_RETURN(std::vector<KeyGrant> grants,
                      tx.ListKeyGrants(candidate.runner.workspace_id, candidate.runner.id));
  for (KeyGrant& key_grant : grants) {
    // A grant stands only while its granter may still manage runners here.
    Result<MemberRow> granter = tx.GetMember(candidate.runner.workspace_id, key_grant.granter_id);
    if (!granter.ok() || !Allows(granter->role, Action::kManageRunners)) continue;
    CV_ASSIGN_OR_RETURN(AccountRow account, tx.GetAccount(key_grant.granter_id));
    candidate.granters[key_grant.granter_id] = account.record.sign_public_key;
    candidate.grants.push_back(std::move(key_grant));
  }
  if (candidate.grants.empty()) return std::optional<Candidate>();
  return std::optional<Candidate>(std::move(candidate));
}

// Every runner of the workspace that holds a standing grant, wherever it is connected.
Result<std::vector<Candidate>> CandidatesOf(ReadTx& tx, std::string_view workspace_id) {
  std::vector<Candidate> out;
  PageRequest page;
  page.limit = kMaxPageLimit;
  do {
    CV_ASSIGN_OR_RETURN(Page<RunnerRow> runners, tx.ListRunners(workspace_id, page));
    for (RunnerRow& row : runners.items) {
      CV_ASSIGN_OR_RETURN(std::optional<Candidate> candidate, CandidateOf(tx, std::move(row)));
      if (candidate) out.push_back(std::move(*candidate));
    }
    page.cursor = std::move(runners.next_cursor);
  } while (!page.cursor.empty());
  return out;
}

struct Choice {
  const Candidate* candidate = nullptr;
  std::shared_ptr<relay::RunnerLink> link;
};

// The candidate that takes `target` now and its link, or none when this server holds no link
// to it (schedule.h: which runner, and why another server's is left alone).
Choice Choose(const std::vector<Candidate>& candidates, const MonitorTarget& target,
              const relay::RunnerHub& runners, const SchedulerOptions& options, int64_t now) {
  std::vector<std::pair<uint64_t, const Candidate*>> ranked;
  ranked.reserve(candidates.size());
  for (const Candidate& candidate : candidates) {
    ranked.emplace_back(RunnerScore(target.connection_id, candidate.runner.id), &candidate);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second->runner.id < b.second->runner.id;
  });
  Choice choice;
  if (ranked.empty()) return choice;
  if (options.sole_server) {
    for (const auto& [score, candidate] : ranked) {
      if (std::shared_ptr<relay::RunnerLink> link = runners.Find(candidate->runner)) {
        return Choice{candidate, std::move(link)};
      }
    }
    return choice;
  }
  const size_t rank = FailoverRank(target, options.minute_seconds, now) % ranked.size();
  const Candidate* candidate = ranked[rank].second;
  std::shared_ptr<relay::RunnerLink> link = runners.Find(candidate->runner);
  if (link != nullptr) choice = Choice{candidate, std::move(link)};
  return choice;
}

Result<runner::MonitorJob> BuildJob(ReadTx& tx, const MonitorTarget& target,
                                    const Candidate& candidate) {
  runner::MonitorJob job;
  job.job_id = NewObjectId();
  CV_ASSIGN_OR_RETURN(job.connection, tx.GetConnection(target.workspace_id, target.connection_id));
  if (!job.connection.credential_id.empty()) {
    CV_ASSIGN_OR_RETURN(SealedCredential credential,
                        tx.GetCredential(target.workspace_id, job.connection.credential_id));
    job.credential = std::move(credential);
  }
  job.grants = candidate.grants;
  job.granters = candidate.granters;
  return job;
}

}  // namespace

MonitorScheduler::MonitorScheduler(Store& store, api::Clock clock, const relay::RunnerHub* runners,
                                   ops::Metrics* metrics, const JsonLog* log,
                                   SchedulerOptions options)
    : state_(std::make_shared<State>(store, std::move(clock), runners, metrics, log, options)) {}

MonitorScheduler::~MonitorScheduler() { Stop(); }

void MonitorScheduler::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable() || state_->runners == nullptr) return;
  stopping_ = false;
  {
    std::lock_guard<std::mutex> state_lock(state_->mutex);
    state_->stopping = false;
  }
  {
    std::lock_guard<std::mutex> record_lock(state_->record_mutex);
    state_->recording = true;
  }
  // A raw pointer: state_ outlives the thread (Stop joins it), so the thread never drops the
  // last hold on the state and never joins itself.
  recorder_ = std::thread([state = state_.get()] { state->RecordLoop(); });
  thread_ = std::thread([this] { Loop(); });
}

void MonitorScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  wake_.notify_all();
  state_->slot_freed.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(state_->record_mutex);
    state_->recording = false;
  }
  state_->record_wake.notify_all();
  // Records what is queued, then ends; results that land later are recorded where they land.
  if (recorder_.joinable()) recorder_.join();
  // No scan after this: the hub's owner may take it away. Results still in flight keep only
  // the shared state.
  state_->runners = nullptr;
}

size_t MonitorScheduler::InFlight() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->in_flight.size();
}

void MonitorScheduler::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    const auto next_tick = std::chrono::steady_clock::now() + state_->options.tick;
    lock.unlock();
    ScanOnce(next_tick);
    lock.lock();
    wake_.wait_until(lock, next_tick, [this] { return stopping_; });
  }
}

int64_t MonitorScheduler::RelistSeconds(const SchedulerOptions& options) {
  // A tenth of the shortest interval: a new or re-scheduled connection starts within it, and
  // a listed last test can never look a whole interval older than it is (schedule.h).
  return std::max<int64_t>(1, options.minute_seconds / 10);
}

bool MonitorScheduler::Relist(int64_t now) {
  State& state = *state_;
  if (state.listed_at != 0 && now - state.listed_at < RelistSeconds(state.options) &&
      now >= state.listed_at) {
    return true;
  }
  Result<std::vector<MonitorTarget>> targets = ReadResult<std::vector<MonitorTarget>>(
      state.store, [](ReadTx& tx) { return tx.ListMonitorTargets(); });
  if (!targets.ok()) {
    state.Log("monitor_scan_failed", {{"error", targets.status().code_name()}});
    return false;
  }
  // Keep the attempts of connections still listed; forget the rest.
  std::map<std::string, int64_t> attempts;
  for (const State::Entry& entry : state.listing) {
    if (entry.last_attempt != 0) attempts.emplace(entry.target.connection_id, entry.last_attempt);
  }
  state.listing.clear();
  state.listing.reserve(targets->size());
  for (MonitorTarget& target : *targets) {
    const auto it = attempts.find(target.connection_id);
    state.listing.push_back({std::move(target), it == attempts.end() ? 0 : it->second});
  }
  state.listed_at = now;
  return true;
}

size_t MonitorScheduler::ScanOnce(std::optional<std::chrono::steady_clock::time_point> until) {
  const std::shared_ptr<State> state = state_;
  if (state->runners == nullptr) return 0;
  const int64_t now = state->clock();
  // The store is listed every RelistSeconds, not every tick: between listings the due
  // connections come from the listing and this scheduler's own attempts, and each one is
  // read fresh before it is handed out.
  if (!Relist(now)) return 0;

  // The due connections, the longest overdue first: when the runners are saturated, the
  // rest wait for the next free slot (or tick), not the luck of the store's order.
  std::vector<std::pair<int64_t, State::Entry*>> due;
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    for (State::Entry& entry : state->listing) {
      if (!IsMonitoredState(entry.target.state)) continue;
      const int64_t due_at = DueAt(entry.target, state->options.minute_seconds, entry.last_attempt);
      if (due_at > now || state->in_flight.count(entry.target.connection_id)) continue;
      due.emplace_back(due_at, &entry);
    }
  }
  std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first
                              : a.second->target.connection_id < b.second->target.connection_id;
  });

  std::map<std::string, std::vector<Candidate>> candidates;  // per workspace, for this scan
  size_t handed = 0;
  for (const auto& [due_at, entry] : due) {
    MonitorTarget& target = entry->target;
    if (!state->WaitForSlot(until)) break;

    auto known = candidates.find(target.workspace_id);
    if (known == candidates.end()) {
      Result<std::vector<Candidate>> found = ReadResult<std::vector<Candidate>>(
          state->store, [&](ReadTx& tx) { return CandidatesOf(tx, target.workspace_id); });
      known = candidates
                  .emplace(target.workspace_id,
                           found.ok() ? std::move(found).value() : std::vector<Candidate>())
                  .first;
    }
    if (known->second.empty()) continue;
    // Failing over to a lower-ranked runner rests on the last test: never on a listed one
    // that may be stale, so two servers cannot both think it is their turn.
    if (!state->options.sole_server && FailoverRank(target, state->options.minute_seconds, now)) {
      Result<SealedConnection> fresh = ReadResult<SealedConnection>(state->store, [&](ReadTx& tx) {
        return tx.GetConnection(target.workspace_id, target.connection_id);
      });
      if (!fresh.ok()) continue;
      target.state = fresh->state;
      if (fresh->last_test) target.last_tested_at = fresh->last_test->tested_at;
      if (!IsMonitoredState(target.state) ||
          DueAt(target, state->options.minute_seconds, entry->last_attempt) > now) {
        continue;
      }
    }
    Choice choice = Choose(known->second, target, *state->runners, state->options, now);
    if (choice.candidate == nullptr) continue;
    const Candidate& candidate = *choice.candidate;

    Result<runner::MonitorJob> job = ReadResult<runner::MonitorJob>(
        state->store, [&](ReadTx& tx) { return BuildJob(tx, target, candidate); });
    entry->last_attempt = now;
    if (!job.ok()) {
      state->Log("monitor_not_run", {{"workspace_id", target.workspace_id},
                                     {"connection_id", target.connection_id},
                                     {"error", job.status().code_name()}});
      continue;
    }
    // Read fresh: moved to ignored or maintenance since the listing, it is not tested.
    target.state = job->connection.state;
    if (job->connection.last_test) target.last_tested_at = job->connection.last_test->tested_at;
    if (!IsMonitoredState(target.state)) continue;
    {
      std::lock_guard<std::mutex> lock(state->mutex);
      state->in_flight.insert(target.connection_id);
    }
    TestRecordRequest request;
    request.workspace_id = target.workspace_id;
    request.connection_id = target.connection_id;
    request.runner = candidate.runner;
    request.job_id = job->job_id;
    request.source = kSourceMonitor;
    ++handed;
    choice.link->SubmitMonitor(std::move(job).value(), [state, request = std::move(request)](
                                                           Result<SignedTestResult> result) {
      state->Record(
          [state, request, result = std::move(result)] { RecordOne(*state, request, result); });
    });
  }
  return handed;
}

void MonitorScheduler::RecordOne(State& state, const TestRecordRequest& request,
                                 const Result<SignedTestResult>& result) {
  Result<RecordedTest> recorded =
      result.ok() ? RecordTestResult(state.store, state.clock(), request, *result)
                  : Result<RecordedTest>(result.status());
  if (!recorded.ok()) {
    state.Log("monitor_not_recorded", {{"workspace_id", request.workspace_id},
                                       {"connection_id", request.connection_id},
                                       {"runner_id", request.runner.id},
                                       {"error", recorded.status().code_name()}});
  } else {
    if (state.metrics != nullptr) {
      state.metrics->ObserveConnectionTest(TestOutcomeName(recorded->entry.outcome),
                                           kSourceMonitor);
    }
    if (recorded->state_changed) {
      state.Log("connection_monitor", {{"workspace_id", request.workspace_id},
                                       {"connection_id", request.connection_id},
                                       {"runner_id", request.runner.id},
                                       {"from", ConnectionStateName(recorded->entry.state_before)},
                                       {"to", ConnectionStateName(recorded->entry.state_after)},
                                       {"outcome", TestOutcomeName(recorded->entry.outcome)}});
    }
  }
  state.Done(request.connection_id);
}

}  // namespace credvault::server::monitor
