// The runner's identity on disk: one file, mode 0600, in a directory of mode 0700, created on
// first start and loaded afterwards, so the runner keeps the keys a workspace pinned.
//
// Format (text): "credvault-runner-key v1\n" <runner id> "\n" <base64 of the private keys>
// "\n". Written to a temporary file in the same directory, fsynced, then renamed, so a crash
// leaves either no key or a whole one. Errors: kPermissionDenied (the file is readable by
// group or others, or cannot be created), kMalformed (not a key file), kConflict (the file
// holds another runner id than the one asked for), kInternal (I/O). Not thread-safe for one
// directory; call it once at start-up.
#ifndef CREDVAULT_SERVER_RUNNER_KEY_FILE_H_
#define CREDVAULT_SERVER_RUNNER_KEY_FILE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "credvault/identity.h"
#include "credvault/status.h"

namespace credvault::runner {

inline constexpr const char* kRunnerKeyFileName = "runner.key";

// `runner_id` empty: keep the file's id, or make a random one ("runner-" + 16 hex digits).
Result<std::unique_ptr<Identity>> LoadOrCreateRunnerIdentity(const std::filesystem::path& dir,
                                                             const std::string& runner_id);

}  // namespace credvault::runner

#endif  // CREDVAULT_SERVER_RUNNER_KEY_FILE_H_
