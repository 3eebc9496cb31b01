#include "runner_socket.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <utility>

#include "credvault/identity.h"
#include "credvault/secret.h"
#include "relay/pending_jobs.h"
#include "relay/runner_hub.h"
#include "relay/runner_protocol.h"

namespace credvault::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// How often pending jobs are checked against their deadline.
constexpr std::chrono::seconds kSweepInterval{1};
constexpr std::chrono::seconds kHandshakeTimeout{10};

Status Unavailable(std::string message) {
  return Status(ErrorCode::kUnavailable, std::move(message));
}

class RunnerSocket;

// What the hub holds for a connected runner: Submit hops onto the socket's io_context thread.
// Holds the socket weakly, so a link still held by a handler never keeps a closed socket alive.
class RemoteRunnerLink : public relay::RunnerLink {
 public:
  explicit RemoteRunnerLink(std::weak_ptr<RunnerSocket> socket) : socket_(std::move(socket)) {}
  void Submit(Bytes sealed_job, relay::RelayDone done) override;
  void SubmitMonitor(runner::MonitorJob job, relay::RelayDone done) override;

 private:
  std::weak_ptr<RunnerSocket> socket_;
};

class RunnerSocket : public Closable, public std::enable_shared_from_this<RunnerSocket> {
 public:
  RunnerSocket(tcp::socket&& socket, UpgradeRequest request, std::string remote,
               const ServerContext& context)
      : ws_(std::move(socket)),
        timer_(ws_.get_executor()),
        request_(std::move(request)),
        remote_(std::move(remote)),
        context_(context),
        pending_(context.runner_limits.max_pending_jobs) {}

  ~RunnerSocket() override {
    context_.sessions->Remove(this);
    if (counted_) context_.runner_sockets->fetch_sub(1);
  }

  void Run() {
    context_.sessions->Add(shared_from_this());
    const size_t open = context_.runner_sockets->fetch_add(1) + 1;
    counted_ = true;
    over_limit_ = open > context_.runner_limits.max_sockets;
    net::dispatch(ws_.get_executor(), [self = shared_from_this()] { self->Accept(); });
  }

  void Close() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->CloseWith(websocket::close_code::going_away, "server stopping");
    });
  }

  template <typename Handler>
  void PostToStrand(Handler&& handler) {
    net::post(ws_.get_executor(), std::forward<Handler>(handler));
  }

  // On the socket's io_context thread (posted by RemoteRunnerLink::Submit).
  void SubmitOnSocketThread(const Bytes& sealed_job, relay::RelayDone done) {
    if (!attached_ || closing_) return done(Unavailable("the runner disconnected"));
    if (pending_.full()) return done(Unavailable("the runner is busy with other tests; try again"));
    // A client is answered with what the relay may say for a runner's refusal.
    relay::RelayDone relayed = [done = std::move(done)](Result<SignedTestResult> result) {
      if (result.ok()) return done(std::move(result));
      done(relay::RelayStatusOfRunnerError(result.status()));
    };
    const uint64_t id =
        pending_.Add(std::move(relayed), SteadyClock::now() + context_.runner_limits.job_timeout);
    Send(relay::EncodeJob(id, sealed_job));
  }

  // On the socket's io_context thread (posted by RemoteRunnerLink::SubmitMonitor). The
  // runner's refusal reaches the scheduler's log with its own code (untrusted_signer, not_found,
  // ...).
  void SubmitMonitorOnSocketThread(const runner::MonitorJob& job, relay::RelayDone done) {
    if (!attached_ || closing_) return done(Unavailable("the runner disconnected"));
    if (pending_.full()) return done(Unavailable("the runner is busy with other tests; try again"));
    const uint64_t id =
        pending_.Add(std::move(done), SteadyClock::now() + context_.runner_limits.job_timeout);
    Result<std::string> frame = relay::EncodeMonitor(id, job);
    if (!frame.ok()) return pending_.Take(id)(frame.status());
    Send(std::move(frame).value());
  }

 private:
  void Accept() {
    // Beast's WebSocket timeouts replace the TCP stream's: handshake, idle, keep-alive pings.
    beast::get_lowest_layer(ws_).expires_never();
    // Jobs and results are small request/answer frames: send each at once.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true), ignored);
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = kHandshakeTimeout;
    timeouts.idle_timeout = context_.runner_limits.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, "credvault");
    }));
    ws_.read_message_max(relay::kMaxRunnerFrameBytes);
    ws_.async_accept(request_,
                     [self = shared_from_this()](beast::error_code ec) { self->OnAccept(ec); });
  }

  void OnAccept(beast::error_code ec) {
    if (ec) return;  // not a valid upgrade or the peer left: nothing was attached
    if (over_limit_) {
      Log("runner_refused", "too_many_runner_sockets");
      return CloseWith(websocket::close_code::try_again_later, "too many runner sockets");
    }
    challenge_ = RandomBytes(relay::kHelloChallengeBytes);
    Send(relay::EncodeChallenge(challenge_));
    timer_.expires_after(context_.runner_limits.hello_timeout);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->attached_) return;
      self->Log("runner_refused", "hello_timeout");
      self->CloseWith(websocket::close_code::policy_error, "hello timeout");
    });
    DoRead();
  }

  void DoRead() {
    ws_.async_read(buffer_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnClosed();
    const std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (closing_) return DoRead();  // read until the peer's close frame arrives
    Result<relay::RunnerFrame> frame = relay::ParseRunnerFrame(text);
    if (!frame.ok()) return Violation(std::string(frame.status().code_name()));
    if (!attached_) {
      if (frame->type != relay::FrameType::kHello) return Violation("expected_hello");
      if (!OnHello(frame->hello)) return;
    } else if (frame->type == relay::FrameType::kHello) {
      return Violation("second_hello");
    } else {
      OnAnswer(std::move(frame).value());
    }
    DoRead();
  }

  bool OnHello(const relay::RunnerHello& hello) {
    const Status verified = relay::VerifyRunnerHello(hello, challenge_);
    runner_id_ = hello.runner_id;
    fingerprint_ = KeyFingerprint(hello.sign_public_key);
    if (!verified.ok()) {
      Violation("hello_" + std::string(verified.code_name()));
      return false;
    }
    attached_ = true;
    timer_.cancel();
    link_ = std::make_shared<RemoteRunnerLink>(weak_from_this());
    context_.runners->Attach(runner_id_, hello.sign_public_key, link_);
    Log("runner_connected", "");
    Send(relay::EncodeReady());
    Sweep();
    return true;
  }

  void OnAnswer(relay::RunnerFrame frame) {
    relay::RelayDone done = pending_.Take(frame.request_id);
    if (!done) return;  // answered too late (already failed) or never asked: dropped
    if (frame.type == relay::FrameType::kResult) return done(std::move(frame.result));
    done(frame.error);
  }

  void Sweep() {
    for (relay::RelayDone& done : pending_.TakeExpired(SteadyClock::now())) {
      done(Unavailable("the runner did not answer in time"));
    }
    timer_.expires_after(kSweepInterval);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && !self->closing_) self->Sweep();
    });
  }

  void Send(std::string frame) {
    outbox_.push_back(std::move(frame));
    if (outbox_.size() == 1) DoWrite();
  }

  void DoWrite() {
    ws_.text(true);
    ws_.async_write(
        net::buffer(outbox_.front()),
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    outbox_.pop_front();
    if (ec) {
      outbox_.clear();
      return;  // the read fails too and ends the socket
    }
    if (!outbox_.empty()) DoWrite();
  }

  void Violation(std::string reason) {
    Log("runner_refused", reason);
    CloseWith(websocket::close_code::policy_error, "protocol violation");
  }

  void CloseWith(websocket::close_code code, const char* reason) {
    if (closing_) return;
    closing_ = true;
    timer_.cancel();
    FailPending("the runner disconnected");
    Detach();
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](beast::error_code) {});
  }

  // The read loop ended: the peer closed, the idle timeout passed, or we closed.
  void OnClosed() {
    closing_ = true;
    timer_.cancel();
    FailPending("the runner disconnected");
    Detach();
  }

  void FailPending(const char* why) {
    for (relay::RelayDone& done : pending_.TakeAll()) done(Unavailable(why));
  }

  void Detach() {
    if (!attached_) return;
    attached_ = false;
    context_.runners->Detach(runner_id_, link_.get());
    Log("runner_disconnected", "");
  }

  void Log(std::string_view event, std::string_view reason) const {
    LogFields fields;
    if (!runner_id_.empty()) fields.Add("runner_id", runner_id_.substr(0, 64));
    if (!fingerprint_.empty()) fields.Add("fingerprint", fingerprint_);
    if (!reason.empty()) fields.Add("reason", reason);
    fields.Add("remote", remote_);
    context_.log->Write(event, fields);
  }

  websocket::stream<beast::tcp_stream> ws_;
  net::steady_timer timer_;  // the hello deadline, then the pending-job sweep
  UpgradeRequest request_;
  std::string remote_;
  ServerContext context_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;  // front() is being written
  relay::PendingJobs pending_;
  Bytes challenge_;
  std::string runner_id_;
  std::string fingerprint_;
  std::shared_ptr<RemoteRunnerLink> link_;
  bool counted_ = false;
  bool over_limit_ = false;
  bool attached_ = false;
  bool closing_ = false;
};

void RemoteRunnerLink::Submit(Bytes sealed_job, relay::RelayDone done) {
  std::shared_ptr<RunnerSocket> socket = socket_.lock();
  if (socket == nullptr) return done(Unavailable("the runner disconnected"));
  // Handlers call this from any thread; the socket's state lives on its io_context thread.
  RunnerSocket* raw = socket.get();
  raw->PostToStrand(
      [socket = std::move(socket), job = std::move(sealed_job), done = std::move(done)]() mutable {
        socket->SubmitOnSocketThread(job, std::move(done));
      });
}

void RemoteRunnerLink::SubmitMonitor(runner::MonitorJob job, relay::RelayDone done) {
  std::shared_ptr<RunnerSocket> socket = socket_.lock();
  if (socket == nullptr) return done(Unavailable("the runner disconnected"));
  RunnerSocket* raw = socket.get();
  raw->PostToStrand(
      [socket = std::move(socket), job = std::move(job), done = std::move(done)]() mutable {
        socket->SubmitMonitorOnSocketThread(job, std::move(done));
      });
}

}  // namespace

bool IsRunnerConnectRequest(const UpgradeRequest& request, const ServerContext& context) {
  if (context.runners == nullptr || context.runner_sockets == nullptr) return false;
  if (request.method() != http::verb::get || !websocket::is_upgrade(request)) return false;
  const std::string_view target = request.target();
  return target.substr(0, target.find('?')) == relay::kRunnerConnectPath;
}

void StartRunnerSocket(tcp::socket socket, UpgradeRequest request, std::string remote,
                       const ServerContext& context) {
  std::make_shared<RunnerSocket>(std::move(socket), std::move(request), std::move(remote), context)
      ->Run();
}

}  // namespace credvault::server
