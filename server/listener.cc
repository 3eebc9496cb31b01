#include "listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <utility>

#include "session.h"

namespace credvault::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
}  // namespace

Listener::Listener(net::io_context& io_context, std::vector<net::io_context*> session_contexts,
                   const ServerContext& context)
    : session_contexts_(std::move(session_contexts)),
      acceptor_(net::make_strand(io_context)),
      retry_timer_(acceptor_.get_executor()),
      context_(context) {}

Result<std::shared_ptr<Listener>> Listener::New(net::io_context& io_context,
                                                std::vector<net::io_context*> session_contexts,
                                                const std::string& host, uint16_t port,
                                                const ServerContext& context) {
  if (session_contexts.empty()) {
    return Status(ErrorCode::kInvalidArgument, "the listener needs an io_context for sessions");
  }
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(host, ec);
  if (ec) {
    return Status(ErrorCode::kInvalidArgument, "listen address must be an IP address: " + host);
  }
  std::shared_ptr<Listener> listener(
      new Listener(io_context, std::move(session_contexts), context));
  CV_RETURN_IF_ERROR(listener->Open(tcp::endpoint(address, port)));
  return listener;
}

Status Listener::Open(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  const auto failed = [&](std::string_view step) {
    return Status(ErrorCode::kInternal, std::string(step) + " " + endpoint.address().to_string() +
                                            ":" + std::to_string(endpoint.port()) + ": " +
                                            ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return failed("set_option");
  acceptor_.bind(endpoint, ec);
  if (ec) return failed("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen");
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  if (ec) return failed("local_endpoint");
  port_ = bound.port();
  return Status::Ok();
}

void Listener::Run() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->DoAccept(); });
}

void Listener::Stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
  });
}

void Listener::DoAccept() {
  // Each connection goes to the next session io_context. One thread runs each (New's
  // contract), so its handlers never run concurrently without a strand: answers from runner
  // and relay threads are posted to that context.
  net::io_context& target = *session_contexts_[next_context_++ % session_contexts_.size()];
  acceptor_.async_accept(
      target, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void Listener::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) return;  // stopped
  if (!ec) {
    StartSession(std::move(socket), context_);
    return DoAccept();
  }
  context_.log->Write("accept_error", {{"error", ec.message()}});
  retry_timer_.expires_after(kAcceptRetryDelay);
  retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
    if (!wait_ec && self->acceptor_.is_open()) self->DoAccept();
  });
}

}  // namespace credvault::server
