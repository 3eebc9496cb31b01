// credvault-runner: the standalone connectivity-test runner (DESIGN §5, issue 5). It dials
// out to a server over a WebSocket (ws:// or wss://), proves it holds its signing key
// (relay/runner_protocol.h), runs the sealed jobs the server relays on a small pool of
// threads with runner::Runner::RunJob, and sends the signed results back. So a hosted
// server can test clusters in a private network it cannot reach itself: only the runner
// needs to reach them, and it needs no inbound port.
//
// One io_context thread does all socket work; jobs run on JobThreads. The connection
// reconnects with backoff (remote_runner/runner_config.h ReconnectDelay) when it drops. On
// SIGINT/SIGTERM it takes no new job, lets the running ones answer (up to kDrainDeadline),
// closes the socket and exits; a second signal exits at once. Logs are JSON lines on
// stderr: the runner id and key fingerprint at start (compare them with what the web app
// shows before admitting the runner), connects, disconnects, and one line per job (its
// request id, whether it was signed or refused, its duration) — never a job or a result.
//
// Monitoring jobs ("monitor" frames) come from the scheduler of the server this runner is
// connected to, for workspaces that granted it their keys: the runner opens its grant, the
// connection and the credential itself (runner/monitor_job.h), probes exactly as for a test
// job, wipes, and signs a result bound to the job id and the connection. With
// --trust-granter it accepts only grants signed by the admins pinned there (PinGranters) and
// refuses the rest with untrusted_signer; without it, it trusts the granters' keys the server
// sends. A refusal is logged as a "monitor" line with its error code only.
#include <openssl/ssl.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "credvault/crypto.h"
#include "credvault/identity.h"
#include "json_log.h"
#include "relay/job_threads.h"
#include "relay/runner_protocol.h"
#include "remote_runner/runner_config.h"
#include "runner/key_file.h"
#include "runner/runner.h"

namespace credvault::server::remote_runner {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::chrono::seconds kConnectTimeout{10};
constexpr std::chrono::seconds kIdleTimeout{30};
constexpr std::chrono::seconds kDrainDeadline{10};
// Jobs that may wait for a thread beside those running (as the built-in runner).
constexpr size_t kQueuedJobsPerThread = 4;

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> GetEnv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// What every connection shares with the process; all outlive the connections.
struct Shared {
  net::io_context& io_context;
  const RunnerConfig& config;
  runner::Runner& runner;
  relay::JobThreads& pool;
  const JsonLog& log;
  ssl::context* tls = nullptr;  // set for wss://
};

class Link {
 public:
  virtual ~Link() = default;
  virtual void Start() = 0;
  // Take no new job; close once the running ones answered (or after kDrainDeadline).
  virtual void Stop() = 0;
};

// Runs once per connection with whether it got as far as "ready", and why it ended.
using Ended = std::function<void(bool was_ready, std::string why)>;

// One connection attempt and its life: resolve, connect, (TLS,) WebSocket handshake,
// hello, then jobs until the socket closes. `Ws` is a plain or TLS WebSocket stream.
template <typename Ws>
class Connection : public Link, public std::enable_shared_from_this<Connection<Ws>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Ws, websocket::stream<beast::tcp_stream>>;

  template <typename... StreamArgs>
  Connection(Shared& shared, Ended ended, StreamArgs&&... args)
      : shared_(shared),
        ended_(std::move(ended)),
        resolver_(shared.io_context),
        ws_(std::forward<StreamArgs>(args)...),
        drain_timer_(shared.io_context) {}

  void Start() override {
    resolver_.async_resolve(
        shared_.config.server.host, shared_.config.server.port,
        [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type found) {
          self->OnResolve(ec, std::move(found));
        });
  }

  void Stop() override {
    stopping_ = true;
    if (state_ != State::kReady || in_flight_ == 0) return CloseNow();
    drain_timer_.expires_after(kDrainDeadline);
    drain_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->CloseNow();
    });
  }

 private:
  enum class State { kConnecting, kChallenge, kHello, kReady };

  void OnResolve(beast::error_code ec, tcp::resolver::results_type found) {
    if (ec) return End("resolve: " + ec.message());
    if (stopping_) return End("stopping");
    beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
    beast::get_lowest_layer(ws_).async_connect(
        found, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          self->OnConnect(ec);
        });
  }

  void OnConnect(beast::error_code ec) {
    if (ec) return End("connect: " + ec.message());
    // Jobs and results are small request/answer frames: send each at once.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kTls) {
      const std::string& host = shared_.config.server.host;
      // SNI, and the certificate must name the host we dialled.
      if (!SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), host.c_str())) {
        return End("tls: cannot set the server name");
      }
      ws_.next_layer().set_verify_callback(ssl::host_name_verification(host));
      beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
      ws_.next_layer().async_handshake(ssl::stream_base::client,
                                       [self = this->shared_from_this()](beast::error_code ec) {
                                         if (ec) return self->End("tls: " + ec.message());
                                         self->Handshake();
                                       });
    } else {
      Handshake();
    }
  }

  void Handshake() {
    // Beast's WebSocket timeouts replace the TCP stream's: handshake, idle, keep-alive pings.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = kConnectTimeout;
    timeouts.idle_timeout = kIdleTimeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(http::field::user_agent, "credvault-runner");
    }));
    ws_.read_message_max(relay::kMaxRunnerFrameBytes);
    ws_.async_handshake(shared_.config.server.HostHeader(), shared_.config.server.target,
                        [self = this->shared_from_this()](beast::error_code ec) {
                          if (ec) return self->End("handshake: " + ec.message());
                          self->state_ = State::kChallenge;
                          self->DoRead();
                        });
  }

  void DoRead() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      self->OnRead(ec);
    });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      const websocket::close_reason& reason = ws_.reason();
      std::string why = ec.message();
      if (ec == websocket::error::closed && reason.code != websocket::close_code::none) {
        why = "closed by the server (" + std::to_string(reason.code) + " " +
              std::string(reason.reason.c_str()) + ")";
      }
      return End(why);
    }
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    Result<relay::RunnerFrame> frame = relay::ParseServerFrame(text);
    if (!frame.ok()) return Violation(frame.status().ToString());
    switch (state_) {
      case State::kChallenge:
        if (frame->type != relay::FrameType::kChallenge) return Violation("expected a challenge");
        Send(relay::EncodeHello(
            relay::MakeRunnerHello(shared_.runner.identity(), frame->challenge)));
        state_ = State::kHello;
        break;
      case State::kHello:
        if (frame->type != relay::FrameType::kReady) return Violation("expected ready");
        state_ = State::kReady;
        shared_.log.Write("connected", {{"runner_id", shared_.runner.identity().id()},
                                        {"server", shared_.config.server.HostHeader()}});
        if (stopping_) return Stop();
        break;
      case State::kReady:
        if (frame->type == relay::FrameType::kMonitor) {
          OnMonitor(frame->request_id, std::move(frame->monitor));
          break;
        }
        if (frame->type != relay::FrameType::kJob) return Violation("expected a job");
        OnJob(frame->request_id, std::move(frame->job));
        break;
      case State::kConnecting:
        return Violation("a frame before the handshake");
    }
    DoRead();
  }

  void OnJob(uint64_t request_id, Bytes job) {
    runner::Runner* runner = &shared_.runner;
    Queue(request_id, "job",
          [runner, job = std::move(job)] { return runner->RunJob(job, UnixNow()); });
  }

  void OnMonitor(uint64_t request_id, runner::MonitorJob job) {
    // Refused before it is queued: a grant by an admin this runner does not trust is never
    // opened.
    if (const Status pinned = runner::PinGranters(shared_.config.trusted_granters, job);
        !pinned.ok()) {
      return Answer(request_id, "monitor", pinned, 0.0);
    }
    runner::Runner* runner = &shared_.runner;
    Queue(request_id, "monitor",
          [runner, job = std::move(job)] { return runner->RunMonitorJob(job, UnixNow()); });
  }

  // Runs `work` on the pool and answers `request_id` with what it returns.
  template <typename Work>
  void Queue(uint64_t request_id, const char* kind, Work work) {
    if (stopping_) {
      return Send(relay::EncodeError(request_id,
                                     Status(ErrorCode::kUnavailable, "the runner is stopping")));
    }
    ++in_flight_;
    std::weak_ptr<Connection> weak = this->shared_from_this();
    // The runner and the io_context outlive the pool (Run declares them first); the
    // connection may not, so it is held weakly.
    net::io_context* io_context = &shared_.io_context;
    const bool queued =
        shared_.pool.Post([weak, io_context, request_id, kind, work = std::move(work)] {
          const SteadyClock::time_point started = SteadyClock::now();
          Result<SignedTestResult> result = work();
          const double millis =
              std::chrono::duration<double, std::milli>(SteadyClock::now() - started).count();
          net::post(*io_context, [weak, request_id, kind, millis, result = std::move(result)] {
            if (std::shared_ptr<Connection> self = weak.lock()) {
              self->OnJobDone(request_id, kind, result, millis);
            }
          });
        });
    if (!queued) {
      --in_flight_;
      // The runner's own word for "all slots taken"; the server answers the client 503.
      Send(relay::EncodeError(request_id,
                              Status(ErrorCode::kConflict, "the runner is busy; try again")));
    }
  }

  void OnJobDone(uint64_t request_id, const char* kind, const Result<SignedTestResult>& result,
                 double millis) {
    --in_flight_;
    Answer(request_id, kind, result, millis);
    if (stopping_ && in_flight_ == 0) CloseNow();
  }

  // Logs the job (`kind`: "job" or "monitor") with its code only, and answers the server.
  void Answer(uint64_t request_id, const char* kind, const Result<SignedTestResult>& result,
              double millis) {
    LogFields fields;
    fields.Add("request_id", request_id)
        .Add("status", result.ok() ? std::string_view("signed") : result.status().code_name())
        .Add("duration_ms", std::round(millis * 1000.0) / 1000.0);
    shared_.log.Write(kind, fields);
    if (!closing_) {
      Send(result.ok() ? relay::EncodeResult(request_id, *result)
                       : relay::EncodeError(request_id, result.status()));
    }
  }

  void Send(std::string frame) {
    if (closing_) return;
    outbox_.push_back(std::move(frame));
    if (outbox_.size() == 1) DoWrite();
  }

  void DoWrite() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = this->shared_from_this()](beast::error_code ec, size_t) {
                      self->outbox_.pop_front();
                      if (ec) return self->outbox_.clear();  // the read fails too
                      // A close waits for the last result to be written.
                      if (self->closing_ && self->outbox_.empty()) return self->SendClose();
                      if (!self->outbox_.empty()) self->DoWrite();
                    });
  }

  void Violation(const std::string& why) {
    shared_.log.Write("protocol_error", {{"error", why}});
    if (!closing_) {
      closing_ = true;
      close_code_ = websocket::close_code::policy_error;
      if (outbox_.empty()) SendClose();
    }
  }

  void CloseNow() {
    if (closing_) return;
    closing_ = true;
    drain_timer_.cancel();
    if (state_ == State::kConnecting) {
      // No WebSocket yet: drop the TCP connection (its handler then ends this link).
      resolver_.cancel();
      beast::get_lowest_layer(ws_).cancel();
      return;
    }
    if (outbox_.empty()) SendClose();
  }

  void SendClose() {
    ws_.async_close(close_code_, [self = this->shared_from_this()](beast::error_code) {});
  }

  void End(std::string why) {
    if (ended_called_) return;
    ended_called_ = true;
    drain_timer_.cancel();
    ended_(state_ == State::kReady, std::move(why));
  }

  Shared& shared_;
  Ended ended_;
  tcp::resolver resolver_;
  Ws ws_;
  net::steady_timer drain_timer_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;  // front() is being written
  State state_ = State::kConnecting;
  size_t in_flight_ = 0;
  websocket::close_code close_code_ = websocket::close_code::normal;
  bool stopping_ = false;
  bool closing_ = false;
  bool ended_called_ = false;
};

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// Keeps one connection up: reconnects with backoff, stops on a signal.
class Agent {
 public:
  explicit Agent(Shared& shared)
      : shared_(shared),
        signals_(shared.io_context, SIGINT, SIGTERM),
        retry_timer_(shared.io_context),
        random_(std::random_device{}()) {}

  void Start() {
    signals_.async_wait([this](beast::error_code ec, int signal_number) {
      if (!ec) OnSignal(signal_number);
    });
    Connect();
  }

 private:
  void Connect() {
    Ended ended = [this](bool was_ready, std::string why) { OnEnded(was_ready, std::move(why)); };
    if (shared_.config.server.tls) {
      link_ = std::make_shared<Connection<TlsWs>>(shared_, std::move(ended), shared_.io_context,
                                                  *shared_.tls);
    } else {
      link_ = std::make_shared<Connection<PlainWs>>(shared_, std::move(ended), shared_.io_context);
    }
    link_->Start();
  }

  void OnEnded(bool was_ready, std::string why) {
    // The connection ends inside its own handler: keep it alive until that returns.
    net::post(shared_.io_context, [old = std::move(link_)] {});
    if (stopping_) {
      shared_.log.Write("stopped", {{"reason", why}});
      signals_.cancel();  // nothing left: run() returns
      return;
    }
    if (was_ready) attempt_ = 0;
    const std::chrono::milliseconds delay =
        ReconnectDelay(attempt_++, std::uniform_real_distribution<double>(0.0, 1.0)(random_));
    shared_.log.Write("disconnected", {{"error", why}, {"retry_in_ms", delay.count()}});
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([this](beast::error_code ec) {
      if (!ec && !stopping_) Connect();
    });
  }

  void OnSignal(int signal_number) {
    stopping_ = true;
    shared_.log.Write("stopping", {{"signal", signal_number}});
    retry_timer_.cancel();
    signals_.async_wait([this](beast::error_code ec, int) {
      if (!ec) shared_.io_context.stop();  // a second signal: at once
    });
    if (link_ != nullptr) {
      link_->Stop();
    } else {
      signals_.cancel();
    }
  }

  Shared& shared_;
  net::signal_set signals_;
  net::steady_timer retry_timer_;
  std::mt19937 random_;
  std::shared_ptr<Link> link_;
  int attempt_ = 0;
  bool stopping_ = false;
};

int PrintKeys(const RunnerConfig& config) {
  Result<std::unique_ptr<Identity>> identity =
      runner::LoadOrCreateRunnerIdentity(config.key_dir, "");
  if (!identity.ok()) {
    std::fprintf(stderr, "credvault-runner: %s\n", identity.status().ToString().c_str());
    return 1;
  }
  const Identity& id = **identity;
  const nlohmann::json keys = {{"id", id.id()},
                               {"box_public_key", Base64UrlEncode(id.box_public_key())},
                               {"sign_public_key", Base64UrlEncode(id.sign_public_key())},
                               {"fingerprint", KeyFingerprint(id.sign_public_key())}};
  std::printf("%s\n", keys.dump().c_str());
  return 0;
}

int Run(const RunnerConfig& config, const JsonLog& log) {
  runner::RunnerOptions options;
  options.key_dir = config.key_dir;
  options.max_concurrent_jobs = static_cast<size_t>(config.jobs);
  Result<std::unique_ptr<runner::Runner>> made = runner::Runner::New(std::move(options));
  if (!made.ok()) {
    log.Write("startup_failed", {{"error", made.status().ToString()}});
    return 1;
  }
  runner::Runner& runner = **made;

  ssl::context tls(ssl::context::tls_client);
  if (config.server.tls) {
    beast::error_code ec;
    tls.set_verify_mode(ssl::verify_peer, ec);
    if (!ec) {
      if (config.server_ca.empty()) {
        tls.set_default_verify_paths(ec);
      } else {
        tls.load_verify_file(config.server_ca, ec);
      }
    }
    if (ec) {
      log.Write("startup_failed", {{"error", "server CA: " + ec.message()}});
      return 1;
    }
  }

  net::io_context io_context(1);
  // Declared after the io_context: joined (running jobs finish) before it goes away.
  relay::JobThreads pool(static_cast<size_t>(config.jobs),
                         static_cast<size_t>(config.jobs) * kQueuedJobsPerThread);
  Shared shared{io_context, config, runner, pool, log, config.server.tls ? &tls : nullptr};
  log.Write("runner_started", {{"runner_id", runner.identity().id()},
                               {"fingerprint", KeyFingerprint(runner.identity().sign_public_key())},
                               {"server", std::string(config.server.tls ? "wss://" : "ws://") +
                                              config.server.HostHeader() + config.server.target},
                               {"jobs", config.jobs},
                               {"trusted_granters", config.trusted_granters.size()}});
  Agent agent(shared);
  agent.Start();
  io_context.run();
  return 0;
}

}  // namespace
}  // namespace credvault::server::remote_runner

int main(int argc, char** argv) {
  namespace rr = credvault::server::remote_runner;
  const credvault::server::JsonLog log(STDERR_FILENO);
  const std::vector<std::string> args(argv + 1, argv + argc);
  const auto config = rr::ParseRunnerConfig(args, rr::GetEnv);
  if (!config.ok()) {
    std::fprintf(stderr, "credvault-runner: %s\n\n%s", config.status().message().c_str(),
                 rr::RunnerUsage().c_str());
    return 2;
  }
  if (config->show_help) {
    std::fputs(rr::RunnerUsage().c_str(), stdout);
    return 0;
  }
  if (const credvault::Status status = credvault::InitCrypto(); !status.ok()) {
    std::fprintf(stderr, "credvault-runner: %s\n", status.ToString().c_str());
    return 1;
  }
  // A server that vanishes mid-write must not kill the runner.
  std::signal(SIGPIPE, SIG_IGN);
  if (config->print_keys) return rr::PrintKeys(*config);
  return rr::Run(*config, log);
}
