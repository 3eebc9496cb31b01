// EnsureDataDir: makes sure the server's data directory exists and only its owner can enter.
//
// The directory will hold the database (ciphertext, password hashes, session hashes), so it
// is created 0700 when missing (parents with the usual umask), and an existing one that
// group or others can access is refused (kPermissionDenied), as sshd refuses a readable
// key, rather than silently re-permissioned. kInvalidArgument if the path is not a directory,
// kInternal if it cannot be created. Touches the file system; no shared state.
#ifndef CREDVAULT_SERVER_DATA_DIR_H_
#define CREDVAULT_SERVER_DATA_DIR_H_

#include <string>

#include "credvault/status.h"

namespace credvault::server {

Status EnsureDataDir(const std::string& path);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_DATA_DIR_H_
