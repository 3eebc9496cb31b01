// Listener: accepts TCP connections and starts a Session on its own strand for each.
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

#include "credvault/status.h"
#include "server_context.h"

namespace credvault::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  static Result<std::shared_ptr<Listener>> New(boost::asio::io_context& io_context,
                                               const std::string& host, uint16_t port,
                                               const ServerContext& context);

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  void Run();
  void Stop();
  // The bound port (the kernel's choice when 0 was asked for).
  uint16_t port() const { return port_; }

 private:
  Listener(boost::asio::io_context& io_context, const ServerContext& context);

  Status Open(const boost::asio::ip::tcp::endpoint& endpoint);
  void DoAccept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;  // on the acceptor's strand
  ServerContext context_;
  uint16_t port_ = 0;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_LISTENER_H_
