#include "static/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

// Closes a file descriptor on every path out of ReadRegularFile.
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
  return ServePath(tail == request.params.end() ? std::string_view() : tail->second);
}

Result<HttpResponse> StaticFiles::ServePath(std::string_view raw_tail) const {
  CV_ASSIGN_OR_RETURN(std::string relative, DecodeStaticPath(raw_tail));
  if (relative.empty() || relative.back() == '/') relative += kIndexFile;
  CV_ASSIGN_OR_RETURN(std::string path, ResolveInsideRoot(relative));
  CV_ASSIGN_OR_RETURN(std::string body, ReadRegularFile(path));

  HttpResponse response;
  response.content_type = std::string(MimeTypeFor(path));
  response.body = std::move(body);
  response.SetHeader("Cache-Control", options_.cache_control);
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

Result<std::string> StaticFiles::ReadRegularFile(const std::string& path) const {
  FileDescriptor fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return NoSuchFile();
  struct stat info {};
  if (fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) return NoSuchFile();
  const auto size = static_cast<size_t>(info.st_size);
  if (size > options_.max_file_bytes) {
    return Status(ErrorCode::kInternal, "static file over the size limit: " + path);
  }
  std::string body(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t n = read(fd.get(), body.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status(ErrorCode::kInternal, "cannot read static file: " + path);
    done += static_cast<size_t>(n);
  }
  return body;
}

}  // namespace credvault::server
