// StaticFiles: serves one directory tree, read-only (web/ at "/", the ES module at "/module/").
//
// The URL tail is decoded by DecodeStaticPath (which refuses traversal), then the file is
// resolved with realpath and must still lie inside the root, so a symlink cannot lead out
// either. Only regular files are served; "" and "dir/" serve that directory's index.html.
// The root is resolved on every request: it may appear after start (the WASM build writes
// the module directory later). Errors: kInvalidArgument for a refused path, kNotFound for a
// missing, hidden or outside file, kInternal for an unreadable or oversized one.
// Immutable after New(); Serve is thread-safe.
#ifndef CREDVAULT_SERVER_STATIC_STATIC_FILES_H_
#define CREDVAULT_SERVER_STATIC_STATIC_FILES_H_

#include <sys/stat.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "credvault/status.h"
#include "http_message.h"

namespace credvault::server {

class StaticFiles {
 public:
  struct Options {
    std::string root;                        // directory to serve; made absolute by New
    std::string cache_control = "no-cache";  // revalidated (ETag): file names are not versioned
    size_t max_file_bytes = 64 << 20;
  };

  static Result<std::unique_ptr<StaticFiles>> New(Options options);

  StaticFiles(const StaticFiles&) = delete;
  StaticFiles& operator=(const StaticFiles&) = delete;

  // Serves request.params["*"], the raw tail after the mount point.
  Result<HttpResponse> Serve(const HttpRequest& request) const;
  // Serves one raw (percent-encoded) tail. Every file carries a strong ETag; when
  // `if_none_match` (the request's If-None-Match) names it, the answer is 304 with no body.
  Result<HttpResponse> ServePath(std::string_view raw_tail,
                                 std::string_view if_none_match = {}) const;

  const std::string& root() const { return options_.root; }

 private:
  explicit StaticFiles(Options options) : options_(std::move(options)) {}

  Result<std::string> ResolveInsideRoot(const std::string& relative) const;
  Result<std::string> ReadRegularFile(int fd, const struct stat& info,
                                      const std::string& path) const;

  Options options_;
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STATIC_STATIC_FILES_H_
