// Listener: accepts TCP connections and starts a Session for each, handing connections to the
// session io_contexts in turn (one per thread, see main.cc), so each connection's I/O stays
// on one thread. That thread is what keeps a connection's handlers from running concurrently
// (a strand per connection would only add a lock and reference counting to every handler), so
// each session io_context must be run by exactly one thread.
//
// Created with New (which opens, binds and listens, returning kInvalidArgument for a bad
// address and kInternal for a bind failure, e.g. the port is taken), then Run() accepts
// until Stop(). Owned through shared_ptr: pending accepts keep it alive. Stop() may be
// called from any thread. Accept errors (e.g. out of file descriptors) are logged and
// accepting resumes after a short pause rather than spinning.
#ifndef CREDVAULT_SERVER_LISTENER_H_
#define CREDVAULT_SERVER_LISTENER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "credvault/status.h"
#include "server_context.h"

namespace credvault::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // The acceptor runs on `io_context`; sessions go round robin to `session_contexts`
  // (non-empty; all must outlive the listener; each run by exactly one thread).
  static Result<std::shared_ptr<Listener>> New(
      boost::asio::io_context& io_context, std::vector<boost::asio::io_context*> session_contexts,
      const std::string& host, uint16_t port, const ServerContext& context);

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void Run();
  void Stop();
  // The bound port (the kernel's choice when 0 was asked for).
  uint16_t port() const { return port_; }

 private:
  Listener(boost::asio::io_context& io_context,
           std::vector<boost::asio::io_context*> session_contexts, const ServerContext& context);

  Status Open(const boost::asio::ip::tcp::endpoint& endpoint);
  void DoAccept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  std::vector<boost::asio::io_context*> session_contexts_;
  size_t next_context_ = 0;  // on the acceptor's strand
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // on the acceptor's strand
  ServerContext context_;
  uint16_t port_ = 0;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_LISTENER_H_
