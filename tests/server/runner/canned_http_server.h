// A tiny HTTP/1.1 server on 127.0.0.1 for runner cases Prometheus cannot produce: a redirect
// to another host, an oversized body, a server that never answers. It reads each request's
// head and writes one canned response (or nothing), then closes. Stops (and joins its thread)
// in the destructor; bounded: accept polls every 50 ms. Native only.
#ifndef CREDVAULT_TESTS_SERVER_RUNNER_CANNED_HTTP_SERVER_H_
#define CREDVAULT_TESTS_SERVER_RUNNER_CANNED_HTTP_SERVER_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace credvault::testing {

class CannedHttpServer {
 public:
  // `response` empty: accept, read the request, and never answer (until stopped).
  explicit CannedHttpServer(std::string response) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  CannedHttpServer(const CannedHttpServer&) = delete;
  CannedHttpServer& operator=(const CannedHttpServer&) = delete;
  ~CannedHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }

  int port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      std::string head;
      char buffer[1024];
      while (head.find("\r\n\r\n") == std::string::npos && !stop_) {
        pollfd c{client, POLLIN, 0};
        if (::poll(&c, 1, 50) <= 0) continue;
        const ssize_t n = ::read(client, buffer, sizeof(buffer));
        if (n <= 0) break;
        head.append(buffer, static_cast<size_t>(n));
      }
      if (response_.empty()) {
        while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      } else {
        size_t done = 0;
        while (done < response_.size()) {
          const ssize_t n =
              ::send(client, response_.data() + done, response_.size() - done, MSG_NOSIGNAL);
          if (n <= 0) break;
          done += static_cast<size_t>(n);
        }
      }
      ::close(client);
    }
  }

  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace credvault::testing

#endif  // CREDVAULT_TESTS_SERVER_RUNNER_CANNED_HTTP_SERVER_H_
