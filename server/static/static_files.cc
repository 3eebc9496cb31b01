#include "static/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include "static/mime_types.h"
#include "static/url_path.h"

namespace credvault::server {
namespace {

constexpr std::string_view kIndexFile = "index.html";

Status NoSuchFile() { return Status(ErrorCode::kNotFound, "no such file"); }

// realpath(3) without a fixed-size buffer; nullopt if the path does not resolve.
std::optional<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(realpath(path.c_str(), nullptr), &std::free);
  if (resolved == nullptr) return std::nullopt;
  return std::string(resolved.get());
}

// Closes a file descriptor on every path out of ServePath.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// A strong validator from what changes when a file is rewritten or replaced: size,
// modification time (nanoseconds) and inode. Not a content hash, so a 304 costs one fstat.
std::string EntityTag(const struct stat& info) {
  char text[80];
  const auto mtime_ns = static_cast<unsigned long long>(info.st_mtim.tv_sec) * 1000000000ULL +
                        static_cast<unsigned long long>(info.st_mtim.tv_nsec);
  std::snprintf(text, sizeof text, "\"%llx-%llx-%llx\"",
                static_cast<unsigned long long>(info.st_size), mtime_ns,
                static_cast<unsigned long long>(info.st_ino));
  return text;
}

// If-None-Match (RFC 9110 13.1.2): "*" or a comma-separated list of tags, compared weakly
// (a W/ prefix is ignored). Anything unparsable simply does not match: the full file is sent.
bool MatchesEntityTag(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<StaticFiles>> StaticFiles::New(Options options) {
  if (options.root.empty()) {
    return Status(ErrorCode::kInvalidArgument, "static root must not be empty");
  }
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(options.root, error);
  if (error) return Status(ErrorCode::kInvalidArgument, "static root: " + error.message());
  options.root = absolute.lexically_normal().string();
  while (options.root.size() > 1 && options.root.back() == '/') options.root.pop_back();
  return std::unique_ptr<StaticFiles>(new StaticFiles(std::move(options)));
}

Result<HttpResponse> StaticFiles::Serve(const HttpRequest& request) const {
  const auto tail = request.params.find("*");
  return ServePath(tail == request.params.end() ? std::string_view() : tail->second,
                   request.Header("if-none-match"));
}

Result<HttpResponse> StaticFiles::ServePath(std::string_view raw_tail,
                                            std::string_view if_none_match) const {
  CV_ASSIGN_OR_RETURN(std::string relative, DecodeStaticPath(raw_tail));
  if (relative.empty() || relative.back() == '/') relative += kIndexFile;
  CV_ASSIGN_OR_RETURN(std::string path, ResolveInsideRoot(relative));
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat info {};
  if (fd.get() < 0 || fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) return NoSuchFile();

  HttpResponse response;
  const std::string etag = EntityTag(info);
  response.SetHeader("Cache-Control", options_.cache_control);
  response.SetHeader("ETag", etag);
  if (MatchesEntityTag(if_none_match, etag)) {
    response.status = 304;  // the browser's copy is current: no body, no type
    return response;
  }
  CV_ASSIGN_OR_RETURN(response.body, ReadRegularFile(fd.get(), info, path));
  response.content_type = std::string(MimeTypeFor(path));
  return response;
}

Result<std::string> StaticFiles::ResolveInsideRoot(const std::string& relative) const {
  const std::optional<std::string> root = RealPath(options_.root);
  if (!root.has_value()) return NoSuchFile();
  const std::optional<std::string> path = RealPath(*root + "/" + relative);
  if (!path.has_value()) return NoSuchFile();
  const std::string prefix = *root == "/" ? *root : *root + "/";
  // Decoding already refused "..": this catches a symlink that points out of the root.
  if (path->compare(0, prefix.size(), prefix) != 0) return NoSuchFile();
  return *path;
}

Result<std::string> StaticFiles::ReadRegularFile(int fd, const struct stat& info,
                                                 const std::string& path) const {
  const auto size = static_cast<size_t>(info.st_size);
  if (size > options_.max_file_bytes) {
    return Status(ErrorCode::kInternal, "static file over the size limit: " + path);
  }
  std::string body(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t n = read(fd, body.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(ErrorCode::kInternal, "cannot read static file: " + path);
    done += static_cast<size_t>(n);
  }
  return body;
}

}  // namespace credvault::server
