// Runner sockets: the server's end of the WebSocket a standalone runner dials in on
// (GET /api/v1/runners/connect with Upgrade: websocket; protocol in relay/runner_protocol.h).
//
// The session hands over the TCP socket and the parsed upgrade request. The server sends a
// fresh 32-byte challenge; a runner that signs it with its key (within
// RunnerSocketLimits::hello_timeout) is attached to the RunnerHub under its id and signing
// key, so only workspaces that pinned exactly that key reach it. Test jobs (from the relay)
// and monitoring jobs (from the scheduler, monitor/scheduler.h) go down as frames and
// end exactly once: with the runner's answer, kUnavailable after job_timeout (a late answer
// is dropped), or kUnavailable when the socket closes. A test job's refusal reaches the client
// as RelayStatusOfRunnerError says; a monitoring job's keeps the runner's code (it is only
// logged). A malformed or unexpected frame, or
// a bad hello, closes the socket with the policy-violation close code. Beast keeps the
// socket alive with pings. Sockets beyond max_sockets are closed with "try again later".
// Each socket registers in ServerContext::sessions, so a graceful stop closes it.
//
// Logs runner_connected / runner_disconnected / runner_refused lines with the runner id,
// its key fingerprint and the peer address; never a job or a result. Only this file and
// session.cc include Beast's WebSocket headers. Nothing here throws.
#ifndef CREDVAULT_SERVER_RUNNER_SOCKET_H_
#define CREDVAULT_SERVER_RUNNER_SOCKET_H_

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "server_context.h"

namespace credvault::server {

using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Whether `request` is a WebSocket upgrade to the runner connect path that this server
// takes (context.runners is set).
bool IsRunnerConnectRequest(const UpgradeRequest& request, const ServerContext& context);

// Takes the socket (bound to its strand) and the upgrade request, and runs the runner
// socket until it closes. `remote`: the peer address, for the logs.
void StartRunnerSocket(boost::asio::ip::tcp::socket socket, UpgradeRequest request,
                       std::string remote, const ServerContext& context);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_RUNNER_SOCKET_H_
