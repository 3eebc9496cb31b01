// Session: one HTTP/1.1 connection, in the shape of Beast's advanced server example.
//
// Reads a request (with a timeout per read, a body and a header limit), hands it to the
// Router, and writes responses in order; up to HttpLimits::pipeline_limit responses may wait
// before it stops reading. Every step checks its error_code; connection errors go to one
// fail() that logs them; refusals found while reading (413, 431, 400) are answered through
// Router::Reject and close the connection. One JSON log line per request. The session keeps
// itself alive with shared_from_this and runs on its socket's io_context, which one thread
// runs (Listener), so its handlers never run concurrently; it registers in
// ServerContext::sessions so a graceful stop can close it. Nothing here throws.
//
// Only session.cc includes Beast: this header exposes just the entry point.
#ifndef CREDVAULT_SERVER_SESSION_H_
#define CREDVAULT_SERVER_SESSION_H_

#include <boost/asio/ip/tcp.hpp>

#include "server_context.h"

namespace credvault::server {

// Takes ownership of an accepted socket (bound to an io_context that one thread runs) and
// starts serving it.
void StartSession(boost::asio::ip::tcp::socket socket, const ServerContext& context);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_SESSION_H_
