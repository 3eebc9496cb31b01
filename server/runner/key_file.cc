#include "runner/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

#include "credvault/crypto.h"

namespace credvault::runner {
namespace {

constexpr std::string_view kMagic = "credvault-runner-key v1";

Status IoError(std::string_view what, const std::filesystem::path& path) {
  return Status(ErrorCode::kInternal,
                std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Result<SecretBytes> ReadSecretFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return IoError("cannot open", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return IoError("cannot stat", path);
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return Status(ErrorCode::kPermissionDenied,
                  path.string() + " is readable by group or others: chmod 600 it");
  }
  if (st.st_size <= 0 || st.st_size > 64 * 1024) {
    ::close(fd);
    return Status(ErrorCode::kMalformed, path.string() + " is not a runner key file");
  }
  SecretBytes content(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::read(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      return IoError("cannot read", path);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return content;
}

Status WriteSecretFile(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Status(ErrorCode::kPermissionDenied,
                  "cannot create " + tmp.string() + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError("cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return IoError("cannot sync", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IoError("cannot rename to", path);
  return Status::Ok();
}

Result<std::unique_ptr<Identity>> Load(const std::filesystem::path& path,
                                       const std::string& runner_id) {
  CV_ASSIGN_OR_RETURN(SecretBytes content, ReadSecretFile(path));
  std::string_view text = content.chars();
  const size_t first = text.find('\n');
  const size_t second = first == std::string_view::npos ? first : text.find('\n', first + 1);
  if (second == std::string_view::npos || text.substr(0, first) != kMagic) {
    return Status(ErrorCode::kMalformed, path.string() + " is not a runner key file");
  }
  const std::string id(text.substr(first + 1, second - first - 1));
  if (id.empty()) return Status(ErrorCode::kMalformed, path.string() + " has no runner id");
  if (!runner_id.empty() && runner_id != id) {
    return Status(ErrorCode::kConflict,
                  path.string() + " holds the keys of runner " + id + ", not " + runner_id);
  }
  std::string_view encoded = text.substr(second + 1);
  if (!encoded.empty() && encoded.back() == '\n') encoded.remove_suffix(1);
  Bytes keys;
  if (!Base64Decode(encoded, &keys)) {
    return Status(ErrorCode::kMalformed, path.string() + " has unreadable keys");
  }
  Result<std::unique_ptr<Identity>> identity = Identity::Deserialize(id, keys);
  Wipe(keys);
  return identity;
}

}  // namespace

Result<std::unique_ptr<Identity>> LoadOrCreateRunnerIdentity(const std::filesystem::path& dir,
                                                             const std::string& runner_id) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status(ErrorCode::kPermissionDenied,
                  "cannot create " + dir.string() + ": " + ec.message());
  }
  const std::filesystem::path path = dir / kRunnerKeyFileName;
  if (std::filesystem::exists(path, ec)) return Load(path, runner_id);

  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  // A new runner gets an object id: the id a workspace admits it under (RunnerRow).
  const std::string id = runner_id.empty() ? NewObjectId() : runner_id;
  std::unique_ptr<Identity> identity = Identity::Generate(id);
  SecretBytes keys = identity->InsecureSerialize();
  std::string encoded = Base64Encode(keys.view());
  std::string content = std::string(kMagic) + "\n" + id + "\n" + encoded + "\n";
  Status written = WriteSecretFile(path, content);
  Wipe(encoded);
  Wipe(content);
  if (!written.ok()) return written;
  return identity;
}

}  // namespace credvault::runner
