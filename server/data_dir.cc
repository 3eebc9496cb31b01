#include "data_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace credvault::server {

Status EnsureDataDir(const std::string& path) {
  if (path.empty()) return Status(ErrorCode::kInvalidArgument, "data dir must not be empty");
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) {
      return Status(ErrorCode::kInternal, "data dir " + path + ": " + std::strerror(errno));
    }
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code error;
    if (!parent.empty()) std::filesystem::create_directories(parent, error);
    if (error) return Status(ErrorCode::kInternal, "data dir parent: " + error.message());
    // mkdir applies the umask, which can only remove bits: 0700 stays 0700 or less.
    if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status(ErrorCode::kInternal, "data dir " + path + ": " + std::strerror(errno));
    }
    if (stat(path.c_str(), &info) != 0) {
      return Status(ErrorCode::kInternal, "data dir " + path + ": " + std::strerror(errno));
    }
  }
  if (!S_ISDIR(info.st_mode)) {
    return Status(ErrorCode::kInvalidArgument, "data dir " + path + " is not a directory");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status(ErrorCode::kPermissionDenied,
                  "data dir " + path + " is accessible by group or others; chmod 700 it");
  }
  return Status::Ok();
}

}  // namespace credvault::server
