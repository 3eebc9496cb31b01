#include "session.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "runner_socket.h"

namespace credvault::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kServerName = "credvault";
// Log lines stay small even for a hostile target.
constexpr size_t kMaxLoggedPathBytes = 512;
constexpr size_t kMaxLoggedMethodBytes = 32;
// After refusing a request whose body we did not read, keep draining it for a moment before
// closing: closing with unread input makes the kernel send RST, which can destroy our
// response before the client reads it.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kMaxLingerBytes = 16 << 20;

std::string Truncate(std::string_view text, size_t max) { return std::string(text.substr(0, max)); }

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

HttpRequest ToHttpRequest(http::request<http::string_body>&& message) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = LowerAscii(c);
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_target).category();
}

// What the request log records about one exchange: never a header value or a body.
struct LogRecord {
  std::string request_id;
  std::string method;
  std::string path;
  int status = 0;
  std::string error;
  std::string client;  // set only when a trusted proxy named a client other than the peer
  Clock::time_point started;
};

// One response slot per request, in request order. An asynchronous handler fills its slot
// later; writing stops at the first slot that is not ready, so pipelined responses keep
// their order.
struct Outgoing {
  uint64_t sequence = 0;
  bool ready = false;
  http::response<http::string_body> message;
  LogRecord log;
  bool close_after = false;
};

// What HandleRequest needs to turn a handler's response into the message it sends.
struct ReplyShape {
  unsigned version = 11;
  bool keep_alive = false;
  bool head = false;
};

// Hands a response from DispatchAsync to the session: inline when the handler answered
// before DispatchAsync returned (every synchronous route: no extra hop), through the
// session's io_context (its one thread) when it answered later from another thread.
struct PendingReply {
  std::mutex mutex;
  bool returned = false;                // guarded by mutex
  std::optional<HttpResponse> early;    // guarded by mutex
};

class Session : public Closable, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const ServerContext& context)
      : stream_(std::move(socket)), context_(context) {}
  ~Session() override { context_.sessions->Remove(this); }

  void Run() {
    context_.sessions->Add(shared_from_this());
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = remote.address().to_string();
    // Each response is one gather write: nothing gains from Nagle, and a large static file's
    // last segment must not wait for the client's delayed ACK.
    stream_.socket().set_option(tcp::no_delay(true), ec);
    // Onto our io_context's thread before touching the stream.
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
  }

  void Close() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->OnCloseRequested(); });
  }

 private:
  void DoRead() {
    if (read_closed_) return MaybeClose();
    parser_.emplace();
    parser_->body_limit(context_.limits.max_body_bytes);
    parser_->header_limit(context_.limits.max_header_bytes);
    stream_.expires_after(context_.limits.read_timeout);
    reading_ = true;
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t /*bytes*/) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    reading_ = false;
    const bool idle = !parser_->got_some();
    if (ec == http::error::end_of_stream || (draining_ && ec == net::error::operation_aborted)) {
      read_closed_ = true;
      return MaybeClose();
    }
    if (ec == http::error::body_limit) return RejectAndClose(Rejection::kBodyTooLarge);
    if (ec == http::error::header_limit) return RejectAndClose(Rejection::kHeaderTooLarge);
    if (ec && IsHttpParseError(ec)) return RejectAndClose(Rejection::kBadRequest);
    if (ec == beast::error::timeout && idle) return;  // an idle keep-alive connection expired
    if (ec) return Fail(ec, "read");

    // A standalone runner dialling in: the socket leaves HTTP for good (runner_socket.h).
    // Only on a connection with no response owed, so nothing written is lost.
    if (queue_.empty() && IsRunnerConnectRequest(parser_->get(), context_)) {
      read_closed_ = true;
      closed_ = true;
      return StartRunnerSocket(stream_.release_socket(), parser_->release(), remote_, context_);
    }
    HandleRequest(parser_->release());
    if (!read_closed_ && queue_.size() < context_.limits.pipeline_limit) DoRead();
  }

  void HandleRequest(http::request<http::string_body>&& message) {
    LogRecord log = NewLogRecord();
    log.method = Truncate(message.method_string(), kMaxLoggedMethodBytes);
    const std::string_view target = message.target();
    log.path = Truncate(target.substr(0, target.find('?')), kMaxLoggedPathBytes);
    const bool keep_alive = message.keep_alive() && !draining_;
    const bool head = message.method() == http::verb::head;
    const unsigned version = message.version();

    HttpRequest request = ToHttpRequest(std::move(message));
    request.remote_address = ClientAddress(request);
    if (request.remote_address != remote_) log.client = request.remote_address;
    if (!keep_alive) read_closed_ = true;
    const ReplyShape shape{version, keep_alive, head};
    const uint64_t sequence = Reserve(std::move(log), !keep_alive);
    auto pending = std::make_shared<PendingReply>();
    context_.router->DispatchAsync(
        std::move(request),
        [self = shared_from_this(), pending, sequence, shape](HttpResponse response) {
          {
            std::lock_guard lock(pending->mutex);
            if (!pending->returned) {
              pending->early = std::move(response);
              return;
            }
          }
          net::post(self->stream_.get_executor(),
                    [self, sequence, shape, response = std::move(response)]() mutable {
                      self->Fill(sequence, std::move(response), shape);
                    });
        });
    std::optional<HttpResponse> early;
    {
      std::lock_guard lock(pending->mutex);
      pending->returned = true;
      early = std::move(pending->early);
    }
    if (early) Fill(sequence, std::move(*early), shape);
  }

  uint64_t Reserve(LogRecord log, bool close_after) {
    Outgoing slot;
    slot.sequence = next_sequence_++;
    slot.log = std::move(log);
    slot.close_after = close_after;
    queue_.push_back(std::move(slot));
    return queue_.back().sequence;
  }

  void Fill(uint64_t sequence, HttpResponse response, const ReplyShape& shape) {
    for (Outgoing& slot : queue_) {
      if (slot.sequence != sequence) continue;
      slot.message = ToMessage(std::move(response), slot.log, shape);
      slot.ready = true;
      break;
    }
    DoWrite();
  }

  void RejectAndClose(Rejection rejection) {
    LogRecord log = NewLogRecord();
    // The parser fills the request line before it checks the body size, so a 413 can say
    // what was refused; after a header or syntax error these are simply empty.
    const auto& header = parser_->get();
    log.method = Truncate(header.method_string(), kMaxLoggedMethodBytes);
    const std::string_view target = header.target();
    log.path = Truncate(target.substr(0, target.find('?')), kMaxLoggedPathBytes);
    read_closed_ = true;
    linger_ = true;
    const uint64_t sequence = Reserve(std::move(log), true);
    Fill(sequence, context_.router->Reject(rejection), ReplyShape{});
  }

  static http::response<http::string_body> ToMessage(HttpResponse response, LogRecord& log,
                                                     const ReplyShape& shape) {
    http::response<http::string_body> message{static_cast<http::status>(response.status),
                                              shape.version};
    message.set(http::field::server, kServerName);
    if (!response.content_type.empty()) {
      message.set(http::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.set("X-Request-Id", log.request_id);
    message.keep_alive(shape.keep_alive);
    if (response.status == 204 || response.status == 304) {
      // No body and no Content-Length (RFC 9110 8.6): a 304's length would describe the
      // cached file, and a wrong one may be stored over it.
    } else if (shape.head) {
      message.content_length(response.body.size());
    } else {
      message.body() = std::move(response.body);
      message.prepare_payload();
    }
    log.status = response.status;
    log.error = std::move(response.log_error);
    return message;
  }

  void DoWrite() {
    if (writing_ || queue_.empty() || !queue_.front().ready) return;
    writing_ = true;
    stream_.expires_after(context_.limits.write_timeout);
    http::async_write(stream_, queue_.front().message,
                      [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                        self->OnWrite(ec, bytes);
                      });
  }

  void OnWrite(beast::error_code ec, size_t bytes) {
    writing_ = false;
    if (ec) return Fail(ec, "write");
    LogRequest(queue_.front().log, bytes);
    const bool close_after = queue_.front().close_after;
    queue_.pop_front();
    if (close_after) {
      read_closed_ = true;
      queue_.clear();
      return DoClose();
    }
    if (!reading_ && !read_closed_ && queue_.size() < context_.limits.pipeline_limit) DoRead();
    StopReadingIfDrainingAndIdle();
    DoWrite();
    MaybeClose();
  }

  void OnCloseRequested() {
    draining_ = true;
    StopReadingIfDrainingAndIdle();
    MaybeClose();
  }

  // During a graceful stop, a read that has no request in progress is cancelled; a request
  // already arriving is served first. Cancelling only when no write is pending keeps
  // socket-wide cancel() from touching a write.
  void StopReadingIfDrainingAndIdle() {
    if (!draining_ || !reading_ || writing_) return;
    if (parser_->got_some() || buffer_.size() != 0) return;
    beast::error_code ec;
    stream_.socket().cancel(ec);
  }

  void MaybeClose() {
    if (read_closed_ && !reading_ && !writing_ && queue_.empty()) DoClose();
  }

  void DoClose() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (linger_ && !ec) Linger();
    // Otherwise the socket closes when the last handler releases this session.
  }

  void Linger() {
    stream_.expires_after(kLingerTimeout);
    stream_.async_read_some(net::buffer(linger_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t bytes) {
                              if (ec) return;  // EOF, timeout or reset: we are done
                              self->lingered_bytes_ += bytes;
                              if (self->lingered_bytes_ < kMaxLingerBytes) self->Linger();
                            });
  }

  // The peer, or the client a trusted proxy names in X-Forwarded-For. Every such header
  // counts (joined in order), or a client could hide its entry in a second one.
  std::string ClientAddress(const HttpRequest& request) const {
    if (context_.trusted_proxies == nullptr || context_.trusted_proxies->addresses.empty()) {
      return remote_;
    }
    std::string forwarded_for;
    for (const auto& [name, value] : request.headers) {
      if (name != "x-forwarded-for") continue;
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for += value;
    }
    return auth::ResolveClientAddress(remote_, forwarded_for, *context_.trusted_proxies);
  }

  LogRecord NewLogRecord() {
    LogRecord log;
    log.request_id = context_.request_ids->Next();
    log.started = Clock::now();
    return log;
  }

  void LogRequest(const LogRecord& log, size_t bytes) const {
    const double millis =
        std::chrono::duration<double, std::milli>(Clock::now() - log.started).count();
    // Written field by field (no JSON document): this runs once per request.
    LogFields fields;
    fields.Add("request_id", log.request_id)
        .Add("method", log.method)
        .Add("path", log.path)
        .Add("status", log.status)
        .Add("duration_ms", std::round(millis * 1000.0) / 1000.0)
        .Add("bytes_out", static_cast<uint64_t>(bytes))
        .Add("remote", remote_);
    if (!log.client.empty()) fields.Add("client", log.client);
    if (!log.error.empty()) fields.Add("error", log.error);
    context_.log->Write("request", fields);
  }

  // The one place connection-level failures are reported.
  void Fail(beast::error_code ec, std::string_view what) const {
    if (ec == net::error::operation_aborted) return;  // we cancelled it ourselves
    context_.log->Write("connection_error",
                        {{"what", what}, {"error", ec.message()}, {"remote", remote_}});
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<Outgoing> queue_;  // responses in request order; front() is being written
  uint64_t next_sequence_ = 0;
  ServerContext context_;
  std::string remote_;
  std::array<char, 4096> linger_buffer_{};
  size_t lingered_bytes_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool read_closed_ = false;  // no more requests will be read on this connection
  bool draining_ = false;     // the server is stopping: answer what is in flight, then close
  bool linger_ = false;
  bool closed_ = false;
};

}  // namespace

void StartSession(tcp::socket socket, const ServerContext& context) {
  std::make_shared<Session>(std::move(socket), context)->Run();
}

}  // namespace credvault::server
