// MimeTypeFor: the Content-Type of a static file, from its name.
//
// Browsers refuse a module script or a streamed WebAssembly compile with the wrong type
// (and we send nosniff), so .mjs and .wasm must be exact. Unknown names are
// application/octet-stream. Pure function, thread-safe.
#ifndef CREDVAULT_SERVER_STATIC_MIME_TYPES_H_
#define CREDVAULT_SERVER_STATIC_MIME_TYPES_H_

#include <string_view>

namespace credvault::server {

std::string_view MimeTypeFor(std::string_view file_name);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STATIC_MIME_TYPES_H_
