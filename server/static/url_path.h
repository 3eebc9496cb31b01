// DecodeStaticPath: turns the URL tail of a static-file request into a safe relative path.
//
// It is the whole defence against path traversal, so it refuses rather than repairs: a
// segment "." or "..", a backslash, a NUL or other control byte, an encoded '/', a bad
// percent escape or an empty segment are kInvalidArgument (400); a segment starting with '.'
// (".git", ".env") is kNotFound (404), so hidden files neither serve nor show that they exist.
// Decoding happens exactly once, so "%252e%252e" is a file literally named "%2e%2e".
// Pure function, thread-safe.
#ifndef CREDVAULT_SERVER_STATIC_URL_PATH_H_
#define CREDVAULT_SERVER_STATIC_URL_PATH_H_

#include <string>
#include <string_view>

#include "credvault/status.h"

namespace credvault::server {

// `raw` is the still percent-encoded remainder after the mount point, without query string,
// e.g. "app.js" or "img/logo.png" or "" (the mount's index). The result joins the decoded
// segments with '/'; a trailing '/' (a directory) is kept.
Result<std::string> DecodeStaticPath(std::string_view raw);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STATIC_URL_PATH_H_
