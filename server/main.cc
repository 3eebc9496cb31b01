// credvault-server: serves the web app, the ES module and the REST API.
//
// Reads its configuration (config.h), prepares the data directory, builds the route table,
// runs N io_contexts, one per thread (IoPool), and on SIGINT/SIGTERM stops gracefully: it stops
// accepting, lets every connection finish the response it owes, and exits when none is
// left or a deadline passes. A second signal stops at once. Logs are JSON lines on stderr.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config.h"
#include "credvault/crypto.h"
#include "data_dir.h"
#include "json_log.h"
#include "listener.h"
#include "monitor/scheduler.h"
#include "ops/metrics.h"
#include "ops/ops_routes.h"
#include "ops/timed_store.h"
#include "relay/builtin_runner.h"
#include "relay/pg_relay.h"
#include "relay/runner_hub.h"
#include "request_ids.h"
#include "router.h"
#include "routes.h"
#include "session_registry.h"
#include "store/pg_store.h"
#include "store/sqlite_store.h"

namespace credvault::server {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kDrainDeadline{10};
constexpr std::chrono::milliseconds kDrainPollInterval{50};

double UnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<std::string> GetEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// The io_contexts the server runs on: one per thread, each run by its own thread, as nginx
// runs workers. A connection stays on the context that accepted it, so its handlers never
// change threads and the threads do not wake each other for its I/O (with one io_context
// on N threads, every completion may hand over to another thread through a shared queue).
// Work guards keep an idle context running until Release (graceful stop: run() returns once
// the work in flight is done) or Stop (at once).
class IoPool {
 public:
  explicit IoPool(int threads) {
    for (int i = 0; i < std::max(threads, 1); ++i) {
      contexts_.push_back(std::make_unique<net::io_context>(1));
      guards_.emplace_back(contexts_.back()->get_executor());
    }
  }
  // Signals, the stop timer and the acceptor live here.
  net::io_context& first() { return *contexts_.front(); }
  std::vector<net::io_context*> all() const {
    std::vector<net::io_context*> out;
    for (const auto& context : contexts_) out.push_back(context.get());
    return out;
  }
  void Release() {
    for (auto& guard : guards_) guard.reset();
  }
  void Stop() {
    for (auto& context : contexts_) context->stop();
  }
  // Runs every context, the first on the calling thread; returns when all have returned.
  void Run() {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < contexts_.size(); ++i) {
      threads.emplace_back([context = contexts_[i].get()] { context->run(); });
    }
    contexts_.front()->run();
    for (std::thread& thread : threads) thread.join();
  }

 private:
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
};

// Stops accepting, asks every connection to close, and waits for them on the io_contexts.
class GracefulStop {
 public:
  GracefulStop(IoPool& pool, net::signal_set& signals, Listener& listener,
               SessionRegistry& sessions, const JsonLog& log)
      : pool_(pool),
        signals_(signals),
        listener_(listener),
        sessions_(sessions),
        log_(log),
        timer_(pool.first()) {}

  void Arm() {
    signals_.async_wait([this](boost::system::error_code ec, int signal_number) {
      if (!ec) Begin(signal_number);
    });
  }

 private:
  void Begin(int signal_number) {
    log_.Write("stopping", {{"signal", signal_number}, {"open_connections", sessions_.size()}});
    deadline_ = Clock::now() + kDrainDeadline;
    listener_.Stop();
    signals_.async_wait([this](boost::system::error_code ec, int second_signal) {
      if (ec) return;
      log_.Write("stopping_now", {{"signal", second_signal}});
      pool_.Stop();
    });
    Poll();
  }

  void Poll() {
    // Repeated: a connection accepted just before the listener closed is told too.
    sessions_.CloseAll();
    if (sessions_.size() == 0) {
      signals_.cancel();  // nothing left to wait for: run() returns in every thread
      pool_.Release();
      return;
    }
    if (Clock::now() >= deadline_) {
      log_.Write("drain_timeout", {{"open_connections", sessions_.size()}});
      pool_.Stop();
      return;
    }
    timer_.expires_after(kDrainPollInterval);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) Poll();
    });
  }

  IoPool& pool_;
  net::signal_set& signals_;
  Listener& listener_;
  SessionRegistry& sessions_;
  const JsonLog& log_;
  net::steady_timer timer_;
  Clock::time_point deadline_;
};

// --store: a postgres:// or postgresql:// URL picks the hosted PostgreSQL engine; anything
// else is a SQLite file (default: credvault.db in the data directory).
Result<std::unique_ptr<Store>> OpenStore(const ServerConfig& config) {
  if (PostgresStore::IsPostgresUrl(config.store)) {
    Result<std::unique_ptr<PostgresStore>> store = PostgresStore::New(config.store);
    if (!store.ok()) return store.status();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  const std::string path =
      config.store.empty() ? config.data_dir + "/" + SqliteStore::kFileName : config.store;
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::New(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

int Serve(const ServerConfig& config, const JsonLog& log) {
  // libsodium: session tokens, digests and proof hashes need it before any request.
  if (const Status status = InitCrypto(); !status.ok()) {
    log.Write("startup_failed", {{"error", status.ToString()}});
    return 1;
  }
  if (const Status status = EnsureDataDir(config.data_dir); !status.ok()) {
    log.Write("startup_failed", {{"error", status.ToString()}});
    return 1;
  }
  Result<std::unique_ptr<Store>> store = OpenStore(config);
  if (!store.ok()) {
    log.Write("startup_failed", {{"error", store.status().ToString()}});
    return 1;
  }
  // Every handler reaches the store through the timing wrapper: one place measures it.
  ops::Metrics metrics(ops::CurrentBuild((*store)->EngineName()), UnixSeconds());
  ops::TimedStore timed_store(**store, metrics);
  api::ApiContext api;
  api.store = &timed_store;
  // Test jobs reach runners through the hub; the built-in runner is one of them, and its
  // threads are joined (after the io_contexts stopped) before anything it uses goes away.
  relay::RunnerHub runners;
  std::shared_ptr<relay::BuiltinRunner> builtin;
  if (config.builtin_runner) {
    runner::RunnerOptions options;
    options.key_dir = config.data_dir;
    options.max_concurrent_jobs = static_cast<size_t>(config.runner_jobs);
    Result<std::shared_ptr<relay::BuiltinRunner>> made =
        relay::BuiltinRunner::New(std::move(options), api::SystemClock);
    if (!made.ok()) {
      log.Write("startup_failed", {{"error", made.status().ToString()}});
      return 1;
    }
    builtin = std::move(made).value();
    relay::BuiltinRunner::AttachTo(runners, builtin);
  }
  // On PostgreSQL, a job for a runner that another server holds goes through the database.
  std::shared_ptr<relay::PgRelay> pg_relay;
  if (PostgresStore::IsPostgresUrl(config.store)) {
    Result<std::shared_ptr<relay::PgRelay>> started =
        relay::PgRelay::Start(config.store, &runners, api::SystemClock, &log);
    if (!started.ok()) {
      log.Write("startup_failed", {{"error", started.status().ToString()}});
      return 1;
    }
    pg_relay = std::move(started).value();
    runners.SetFallback([weak = std::weak_ptr<relay::PgRelay>(pg_relay)](
                            const RunnerRow& pinned) -> std::shared_ptr<relay::RunnerLink> {
      std::shared_ptr<relay::PgRelay> relay = weak.lock();
      return relay == nullptr ? nullptr : relay->LinkFor(pinned);
    });
  }
  // Active monitoring: scheduled tests of the connections whose workspace granted a runner
  // this server holds (the built-in one or a standalone one connected here) its keys
  // (monitor/scheduler.h); stopped before the runners are let go.
  monitor::SchedulerOptions monitor_options;
  monitor_options.minute_seconds = config.monitor_minute_seconds;
  monitor_options.tick = std::chrono::milliseconds(config.monitor_minute_seconds < 60 ? 250 : 1000);
  monitor_options.max_in_flight = static_cast<size_t>(config.runner_jobs) * 2;
  monitor_options.sole_server = !PostgresStore::IsPostgresUrl(config.store);
  monitor::MonitorScheduler scheduler(timed_store, api::SystemClock, &runners, &metrics, &log,
                                      monitor_options);
  scheduler.Start();
  Router router;
  ops::ObserveRequests(router, metrics);
  if (const Status status = RegisterRoutes(config, api, router, &metrics, &runners,
                                           builtin ? &builtin->identity() : nullptr);
      !status.ok()) {
    log.Write("startup_failed", {{"error", status.ToString()}});
    return 1;
  }
  if (access(config.web_root.c_str(), R_OK | X_OK) != 0) {
    log.Write("warning", {{"message", "web root is not readable"}, {"web_root", config.web_root}});
  }

  RequestIds request_ids;
  SessionRegistry sessions;
  std::atomic<size_t> runner_sockets{0};
  ServerContext context;
  context.router = &router;
  context.log = &log;
  context.request_ids = &request_ids;
  context.sessions = &sessions;
  context.limits.max_body_bytes = config.max_body_bytes;
  context.limits.read_timeout = config.read_timeout;
  // Standalone runners dial in on GET /api/v1/runners/connect (runner_socket.h).
  context.runners = &runners;
  context.runner_sockets = &runner_sockets;
  context.trusted_proxies = &config.trusted_proxies;

  IoPool pool(config.threads);
  Result<std::shared_ptr<Listener>> listener =
      Listener::New(pool.first(), pool.all(), config.listen_host, config.listen_port, context);
  if (!listener.ok()) {
    log.Write("startup_failed", {{"error", listener.status().ToString()}});
    return 1;
  }
  net::signal_set signals(pool.first(), SIGINT, SIGTERM);
  GracefulStop stop(pool, signals, **listener, sessions, log);
  stop.Arm();
  (*listener)->Run();

  const bool ipv6 = config.listen_host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + config.listen_host + "]" : config.listen_host;
  log.Write("listening",
            {{"address", config.listen_host},
             {"port", (*listener)->port()},
             {"url", "http://" + host + ":" + std::to_string((*listener)->port()) + "/"},
             {"web_root", config.web_root},
             {"module_dir", config.module_dir},
             {"data_dir", config.data_dir},
             {"store", std::string((*store)->EngineName())},
             {"threads", config.threads},
             {"builtin_runner", builtin ? builtin->identity().id() : ""},
             {"routes", router.Describe()}});

  pool.Run();
  if (pg_relay) {
    runners.SetFallback(nullptr);
    pg_relay->Stop();
  }
  // Tests still running answer into the io_contexts, which must outlive them: join them now.
  scheduler.Stop();
  if (builtin) {
    runners.Detach(builtin->identity().id(), builtin.get());
    builtin.reset();
  }
  log.Write("stopped", nullptr);
  return 0;
}

}  // namespace
}  // namespace credvault::server

int main(int argc, char** argv) {
  using credvault::server::ConfigDefaults;
  const credvault::server::JsonLog log(STDERR_FILENO);
  const std::vector<std::string> args(argv + 1, argv + argc);
  ConfigDefaults defaults;
  defaults.source_root = CREDVAULT_SOURCE_ROOT;
  defaults.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
  const auto config =
      credvault::server::ParseServerConfig(args, credvault::server::GetEnv, defaults);
  if (!config.ok()) {
    std::fprintf(stderr, "credvault-server: %s\n\n%s", config.status().message().c_str(),
                 credvault::server::ServerUsage().c_str());
    return 2;
  }
  if (config->show_help) {
    std::fputs(credvault::server::ServerUsage().c_str(), stdout);
    return 0;
  }
  return credvault::server::Serve(*config, log);
}
