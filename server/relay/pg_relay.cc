#include "relay/pg_relay.h"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/crypto_json.h"

namespace credvault::server::relay {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kJobsChannel = "credvault_relay_jobs";
constexpr const char* kResultsChannel = "credvault_relay_results";
constexpr auto kReconnectBackoff = std::chrono::milliseconds(500);
constexpr auto kPollSlice = std::chrono::milliseconds(100);
// Rows outlive their job by this before the sweep deletes them (a late answer finds none).
constexpr int64_t kRowGraceSeconds = 60;
constexpr size_t kWorkers = 2;
constexpr size_t kMaxQueued = 1024;

bool ParseId(std::string_view text, int64_t* id) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *id);
  return error == std::errc() && end == text.data() + text.size() && *id > 0;
}

Status Unavailable(std::string message) {
  return Status(ErrorCode::kUnavailable, std::move(message));
}

// A dedicated connection for LISTEN: libpq's own, since pg::Connection hides its socket.
// connect_timeout first, so that one in the URL wins.
PGconn* ConnectListener(const std::string& url) {
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"5", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn != nullptr && PQstatus(conn) == CONNECTION_OK) {
    const std::string sql = std::string("LISTEN ") + kJobsChannel + "; LISTEN " + kResultsChannel;
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (ok) return conn;
  }
  if (conn != nullptr) PQfinish(conn);
  return nullptr;
}

Status Notify(pg::Connection& db, const char* channel, int64_t id) {
  CV_ASSIGN_OR_RETURN(pg::Statement notify, db.Prepare("SELECT pg_notify($1, $2)", "relay notify"));
  return notify.BindText(1, channel).BindText(2, std::to_string(id)).Run();
}

}  // namespace

PgRelay::PgRelay(std::string url, RunnerHub* hub, std::function<int64_t()> clock,
                 const JsonLog* log, PgRelayOptions options)
    : url_(std::move(url)),
      hub_(hub),
      clock_(std::move(clock)),
      log_(log),
      options_(options),
      instance_(NewObjectId()),
      workers_(std::make_unique<JobThreads>(kWorkers, kMaxQueued)) {}

Result<std::shared_ptr<PgRelay>> PgRelay::Start(std::string url, RunnerHub* hub,
                                                std::function<int64_t()> clock, const JsonLog* log,
                                                PgRelayOptions options) {
  std::shared_ptr<PgRelay> relay(new PgRelay(std::move(url), hub, std::move(clock), log, options));
  CV_RETURN_IF_ERROR(relay->WithDb([](pg::Connection&) { return Status::Ok(); }));
  relay->listener_ = std::thread([raw = relay.get()] { raw->ListenLoop(); });
  return relay;
}

PgRelay::~PgRelay() { Stop(); }

void PgRelay::Stop() {
  std::map<int64_t, Waiter> waiting;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    waiting.swap(waiters_);
  }
  stop_listening_ = true;
  if (listener_.joinable()) listener_.join();
  workers_.reset();  // runs what is queued, then joins
  // Our links end with us: say so now rather than when the rows lapse.
  const Status gone = WithDb([&](pg::Connection& db) -> Status {
    CV_ASSIGN_OR_RETURN(
        pg::Statement drop,
        db.Prepare("DELETE FROM runner_presence WHERE held_by = $1", "relay presence drop"));
    return drop.BindText(1, instance_).Run();
  });
  if (!gone.ok()) Log("relay_presence_failed", gone);
  for (auto& [id, waiter] : waiting) waiter.done(Unavailable("the server is stopping"));
}

std::shared_ptr<RunnerLink> PgRelay::LinkFor(const RunnerRow& pinned) {
  return std::make_shared<RemoteHubLink>(weak_from_this(), pinned);
}

bool PgRelay::HeldElsewhere(const RunnerRow& pinned) const {
  std::lock_guard lock(mutex_);
  return held_elsewhere_.contains({pinned.id, pinned.sign_public_key});
}

bool RemoteHubLink::HeldElsewhere() const {
  std::shared_ptr<PgRelay> relay = relay_.lock();
  return relay != nullptr && relay->HeldElsewhere(pinned_);
}

void RemoteHubLink::Submit(Bytes sealed_job, RelayDone done) {
  std::shared_ptr<PgRelay> relay = relay_.lock();
  if (relay == nullptr) return done(Unavailable("the server is stopping"));
  relay->Post(pinned_, std::move(sealed_job), std::move(done));
}

bool PgRelay::Run(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  return !stopping_ && workers_->Post(std::move(task));
}

Status PgRelay::WithDb(const std::function<Status(pg::Connection&)>& fn) {
  std::lock_guard lock(db_mutex_);
  if (db_ == nullptr || !db_->Healthy()) {
    db_.reset();
    CV_ASSIGN_OR_RETURN(db_, pg::Connection::Open(url_));
  }
  return fn(*db_);
}

void PgRelay::Log(std::string_view event, const Status& status) const {
  if (log_ != nullptr) log_->Write(event, {{"error", status.ToString()}});
}

void PgRelay::Post(const RunnerRow& pinned, Bytes sealed_job, RelayDone done) {
  auto self = shared_from_this();
  auto shared_done = std::make_shared<RelayDone>(std::move(done));
  const bool queued = Run([self, pinned, job = std::move(sealed_job), shared_done] {
    const int64_t expires_at =
        self->clock_() +
        std::chrono::duration_cast<std::chrono::seconds>(self->options_.answer_timeout).count() + 1;
    int64_t id = 0;
    const Status posted = self->WithDb([&](pg::Connection& db) -> Status {
      CV_ASSIGN_OR_RETURN(
          pg::Statement insert,
          db.Prepare("INSERT INTO relay_jobs (runner_id, sign_public_key, job, posted_by, "
                     "expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                     "relay post job"));
      CV_ASSIGN_OR_RETURN(bool row, insert.BindText(1, pinned.id)
                                        .BindBlob(2, pinned.sign_public_key)
                                        .BindBlob(3, job)
                                        .BindText(4, self->instance_)
                                        .BindInt(5, expires_at)
                                        .Step());
      if (!row) return Status(ErrorCode::kInternal, "relay post job: no id returned");
      id = insert.Int(0);
      return Status::Ok();
    });
    if (!posted.ok()) return (*shared_done)(posted);
    const SteadyClock::time_point now = SteadyClock::now();
    {
      std::lock_guard lock(self->mutex_);
      if (self->stopping_) return (*shared_done)(Unavailable("the server is stopping"));
      self->waiters_[id] = Waiter{std::move(*shared_done), now + self->options_.claim_timeout,
                                  now + self->options_.answer_timeout, false};
    }
    // Registered before the NOTIFY, so a fast answer always finds its waiter.
    const Status notified =
        self->WithDb([&](pg::Connection& db) { return Notify(db, kJobsChannel, id); });
    if (!notified.ok()) self->Log("relay_notify_failed", notified);  // the sweep still finds it
  });
  if (!queued) (*shared_done)(Unavailable("the relay is busy or stopping"));
}

RelayDone PgRelay::TakeWaiter(int64_t id) {
  std::lock_guard lock(mutex_);
  const auto it = waiters_.find(id);
  if (it == waiters_.end()) return nullptr;
  RelayDone done = std::move(it->second.done);
  waiters_.erase(it);
  return done;
}

void PgRelay::TryClaim(int64_t id) {
  RunnerRow pinned;
  Bytes job;
  bool found = false;
  const Status status = WithDb([&](pg::Connection& db) -> Status {
    CV_ASSIGN_OR_RETURN(
        pg::Statement select,
        db.Prepare("SELECT runner_id, sign_public_key FROM relay_jobs WHERE id = $1 AND "
                   "claimed_by IS NULL AND NOT done AND expires_at > $2",
                   "relay read job"));
    CV_ASSIGN_OR_RETURN(bool row, select.BindInt(1, id).BindInt(2, clock_()).Step());
    if (!row) return Status::Ok();
    pinned.id = select.Text(0);
    pinned.sign_public_key = select.Blob(1);
    if (hub_->Find(pinned) == nullptr) return Status::Ok();  // another server's runner
    // Claimed by exactly one server, even when several hold a link to the runner.
    CV_ASSIGN_OR_RETURN(
        pg::Statement claim,
        db.Prepare("UPDATE relay_jobs SET claimed_by = $2 WHERE id = $1 AND claimed_by IS NULL "
                   "AND NOT done RETURNING job",
                   "relay claim job"));
    CV_ASSIGN_OR_RETURN(bool claimed, claim.BindInt(1, id).BindText(2, instance_).Step());
    if (!claimed) return Status::Ok();
    job = claim.Blob(0);
    found = true;
    return Status::Ok();
  });
  if (!status.ok()) return Log("relay_claim_failed", status);
  if (!found) return;
  std::shared_ptr<RunnerLink> link = hub_->Find(pinned);
  if (link == nullptr) {
    return Finish(id, Unavailable("runner " + pinned.id + " disconnected"));
  }
  std::weak_ptr<PgRelay> weak = weak_from_this();
  link->Submit(std::move(job), [weak, id](Result<SignedTestResult> result) {
    std::shared_ptr<PgRelay> self = weak.lock();
    if (self == nullptr) return;
    auto shared = std::make_shared<Result<SignedTestResult>>(std::move(result));
    self->Run([self, id, shared] { self->Finish(id, *shared); });
  });
}

void PgRelay::Finish(int64_t id, const Result<SignedTestResult>& result) {
  const Status status = WithDb([&](pg::Connection& db) -> Status {
    CV_ASSIGN_OR_RETURN(
        pg::Statement update,
        db.Prepare("UPDATE relay_jobs SET done = TRUE, result = $3, error_code = $4, "
                   "error_message = $5 WHERE id = $1 AND claimed_by = $2 AND NOT done",
                   "relay answer job"));
    update.BindInt(1, id).BindText(2, instance_);
    if (result.ok()) {
      const std::string text = SignedTestResultToJson(*result).dump();
      update.BindBlob(3, ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()))
          .BindNull(4)
          .BindNull(5);
    } else {
      update.BindNull(3)
          .BindText(4, result.status().code_name())
          .BindText(5, result.status().message());
    }
    CV_RETURN_IF_ERROR(update.Run());
    return Notify(db, kResultsChannel, id);
  });
  if (!status.ok()) Log("relay_answer_failed", status);
}

void PgRelay::CollectResult(int64_t id) {
  {
    std::lock_guard lock(mutex_);
    if (!waiters_.contains(id)) return;  // another server's job, or already ended
  }
  bool found = false;
  Result<SignedTestResult> outcome = Unavailable("no answer");
  const Status status = WithDb([&](pg::Connection& db) -> Status {
    CV_ASSIGN_OR_RETURN(pg::Statement take,
                        db.Prepare("DELETE FROM relay_jobs WHERE id = $1 AND done "
                                   "RETURNING result, error_code, error_message",
                                   "relay take result"));
    CV_ASSIGN_OR_RETURN(bool row, take.BindInt(1, id).Step());
    if (!row) return Status::Ok();
    found = true;
    if (!take.IsNull(0)) {
      const Bytes bytes = take.Blob(0);
      const json parsed = json::parse(bytes.begin(), bytes.end(), nullptr, false);
      outcome = parsed.is_discarded() ? Result<SignedTestResult>(Status(
                                            ErrorCode::kMalformed, "relay: the result is not JSON"))
                                      : SignedTestResultFromJson(parsed);
    } else {
      const std::optional<ErrorCode> code =
          take.IsNull(1) ? std::nullopt : ErrorCodeFromName(take.Text(1));
      outcome = Status(code.value_or(ErrorCode::kUnavailable),
                       take.IsNull(2) ? std::string("the runner refused") : take.Text(2));
    }
    return Status::Ok();
  });
  if (!status.ok()) return Log("relay_collect_failed", status);
  if (!found) return;
  if (RelayDone done = TakeWaiter(id)) done(std::move(outcome));
}

void PgRelay::Sweep() {
  const SteadyClock::time_point now = SteadyClock::now();
  std::vector<int64_t> waiting;
  std::vector<int64_t> unclaimed_late;
  std::vector<RelayDone> timed_out;
  std::vector<int64_t> timed_out_ids;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (now >= it->second.answer_deadline) {
        timed_out.push_back(std::move(it->second.done));
        timed_out_ids.push_back(it->first);
        it = waiters_.erase(it);
        continue;
      }
      waiting.push_back(it->first);
      if (!it->second.claimed && now >= it->second.claim_deadline) {
        unclaimed_late.push_back(it->first);
      }
      ++it;
    }
  }
  for (RelayDone& done : timed_out) done(Unavailable("the runner did not answer in time"));
  // Results whose notification was lost.
  for (const int64_t id : waiting) CollectResult(id);
  // Jobs nobody claimed in time: withdrawn, unless a server claims them at this moment.
  for (const int64_t id : unclaimed_late) {
    bool withdrawn = false;
    const Status status = WithDb([&](pg::Connection& db) -> Status {
      CV_ASSIGN_OR_RETURN(pg::Statement withdraw,
                          db.Prepare("DELETE FROM relay_jobs WHERE id = $1 AND claimed_by IS NULL",
                                     "relay withdraw job"));
      CV_RETURN_IF_ERROR(withdraw.BindInt(1, id).Run());
      withdrawn = db.Changes() == 1;
      return Status::Ok();
    });
    if (!status.ok()) {
      Log("relay_sweep_failed", status);
      continue;
    }
    if (withdrawn) {
      if (RelayDone done = TakeWaiter(id)) {
        done(Unavailable("the runner is not connected to any server"));
      }
    } else {
      std::lock_guard lock(mutex_);
      if (const auto it = waiters_.find(id); it != waiters_.end()) it->second.claimed = true;
    }
  }
  // Jobs for this server's runners whose notification was lost; then old rows.
  std::vector<int64_t> open;
  const Status status = WithDb([&](pg::Connection& db) -> Status {
    for (const int64_t id : timed_out_ids) {
      CV_ASSIGN_OR_RETURN(pg::Statement drop,
                          db.Prepare("DELETE FROM relay_jobs WHERE id = $1", "relay drop job"));
      CV_RETURN_IF_ERROR(drop.BindInt(1, id).Run());
    }
    CV_ASSIGN_OR_RETURN(
        pg::Statement select,
        db.Prepare("SELECT id FROM relay_jobs WHERE claimed_by IS NULL AND NOT done AND "
                   "expires_at > $1 ORDER BY id LIMIT 100",
                   "relay list open jobs"));
    select.BindInt(1, clock_());
    for (;;) {
      CV_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      open.push_back(select.Int(0));
    }
    CV_ASSIGN_OR_RETURN(
        pg::Statement purge,
        db.Prepare("DELETE FROM relay_jobs WHERE expires_at < $1", "relay purge jobs"));
    return purge.BindInt(1, clock_() - kRowGraceSeconds).Run();
  });
  if (!status.ok()) Log("relay_sweep_failed", status);
  for (const int64_t id : open) TryClaim(id);
}

void PgRelay::Heartbeat() {
  const int64_t now = clock_();
  const int64_t expires_at = now + options_.presence_ttl_seconds;
  std::set<std::pair<std::string, Bytes>> elsewhere;
  const Status status = WithDb([&](pg::Connection& db) -> Status {
    // The hub cannot list its links, so ask it about every admitted runner.
    std::vector<RunnerRow> held;
    {
      CV_ASSIGN_OR_RETURN(pg::Statement admitted,
                          db.Prepare("SELECT DISTINCT id, sign_public_key FROM runners",
                                     "relay presence admitted"));
      for (;;) {
        CV_ASSIGN_OR_RETURN(bool row, admitted.Step());
        if (!row) break;
        RunnerRow pinned;
        pinned.id = admitted.Text(0);
        pinned.sign_public_key = admitted.Blob(1);
        if (hub_->Find(pinned) != nullptr) held.push_back(std::move(pinned));
      }
    }
    for (const RunnerRow& pinned : held) {
      CV_ASSIGN_OR_RETURN(
          pg::Statement upsert,
          db.Prepare("INSERT INTO runner_presence (runner_id, sign_public_key, held_by, "
                     "expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (runner_id, "
                     "sign_public_key, held_by) DO UPDATE SET expires_at = EXCLUDED.expires_at",
                     "relay presence refresh"));
      CV_RETURN_IF_ERROR(upsert.BindText(1, pinned.id)
                             .BindBlob(2, pinned.sign_public_key)
                             .BindText(3, instance_)
                             .BindInt(4, expires_at)
                             .Run());
    }
    // Ours not refreshed just now (links that ended), and anyone's that lapsed.
    CV_ASSIGN_OR_RETURN(
        pg::Statement prune,
        db.Prepare("DELETE FROM runner_presence WHERE (held_by = $1 AND expires_at < $2) OR "
                   "expires_at < $3",
                   "relay presence prune"));
    CV_RETURN_IF_ERROR(prune.BindText(1, instance_).BindInt(2, expires_at).BindInt(3, now).Run());
    CV_ASSIGN_OR_RETURN(
        pg::Statement others,
        db.Prepare("SELECT runner_id, sign_public_key FROM runner_presence WHERE held_by <> $1 "
                   "AND expires_at >= $2",
                   "relay presence read"));
    others.BindText(1, instance_).BindInt(2, now);
    for (;;) {
      CV_ASSIGN_OR_RETURN(bool row, others.Step());
      if (!row) break;
      elsewhere.emplace(others.Text(0), others.Blob(1));
    }
    return Status::Ok();
  });
  if (!status.ok()) {
    // Unknown is not "connected": an outage shows runners offline rather than stale.
    elsewhere.clear();
    Log("relay_presence_failed", status);
  }
  std::lock_guard lock(mutex_);
  held_elsewhere_ = std::move(elsewhere);
}

void PgRelay::ListenLoop() {
  PGconn* conn = nullptr;
  bool lost_logged = false;
  SteadyClock::time_point next_sweep = SteadyClock::now();
  SteadyClock::time_point next_heartbeat = SteadyClock::now();
  while (!stop_listening_) {
    if (SteadyClock::now() >= next_heartbeat) {
      next_heartbeat = SteadyClock::now() + options_.presence_every;
      std::weak_ptr<PgRelay> weak = weak_from_this();
      Run([weak] {
        if (std::shared_ptr<PgRelay> self = weak.lock()) self->Heartbeat();
      });
    }
    if (conn == nullptr) {
      conn = ConnectListener(url_);
      if (conn == nullptr) {
        if (!lost_logged) Log("relay_listen_lost", Unavailable("cannot LISTEN; retrying"));
        lost_logged = true;
        for (auto waited = std::chrono::milliseconds(0);
             waited < kReconnectBackoff && !stop_listening_; waited += kPollSlice) {
          std::this_thread::sleep_for(kPollSlice);
        }
        continue;
      }
      lost_logged = false;
      next_sweep = SteadyClock::now();  // catch up on what was missed meanwhile
    }
    if (SteadyClock::now() >= next_sweep) {
      next_sweep = SteadyClock::now() + options_.sweep_every;
      std::weak_ptr<PgRelay> weak = weak_from_this();
      Run([weak] {
        if (std::shared_ptr<PgRelay> self = weak.lock()) self->Sweep();
      });
    }
    pollfd fd{PQsocket(conn), POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(kPollSlice.count()));
    if (ready <= 0) continue;
    if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
      PQfinish(conn);
      conn = nullptr;
      continue;
    }
    while (PGnotify* notify = PQnotifies(conn)) {
      const std::string channel = notify->relname;
      int64_t id = 0;
      const bool parsed = notify->extra != nullptr && ParseId(notify->extra, &id);
      PQfreemem(notify);
      if (!parsed) continue;
      std::weak_ptr<PgRelay> weak = weak_from_this();
      if (channel == kJobsChannel) {
        Run([weak, id] {
          if (std::shared_ptr<PgRelay> self = weak.lock()) self->TryClaim(id);
        });
      } else if (channel == kResultsChannel) {
        Run([weak, id] {
          if (std::shared_ptr<PgRelay> self = weak.lock()) self->CollectResult(id);
        });
      }
    }
  }
  if (conn != nullptr) PQfinish(conn);
}

}  // namespace credvault::server::relay
