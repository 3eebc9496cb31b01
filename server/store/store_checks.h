// Input checks and cursors shared by every Store engine, so that each refuses exactly the
// same input with the same code (the conformance suite asserts it).
//
// All functions are pure and thread-safe. They return kInvalidArgument naming the field,
// never quoting its value (it may be a digest or ciphertext).
#ifndef CREDVAULT_SERVER_STORE_STORE_CHECKS_H_
#define CREDVAULT_SERVER_STORE_STORE_CHECKS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "credvault/secret.h"
#include "credvault/status.h"
#include "store/store.h"

namespace credvault::server::store_checks {

// Non-empty and at most kMaxTextBytes.
Status Key(std::string_view field, std::string_view value);
Status Key(std::string_view field, ByteView value);
// At most kMaxTextBytes; may be empty.
Status Text(std::string_view field, std::string_view value);
// At most kMaxBlobBytes; may be empty.
Status Blob(std::string_view field, ByteView value);
// >= 1.
Status Version(std::string_view field, uint64_t version);
// limit in 1..kMaxPageLimit.
Status Page(const PageRequest& page);

// Cursors of engines that page by an increasing row sequence: the decimal sequence of the last
// row returned (the first page has the empty cursor, which callers handle).
std::string EncodeSeqCursor(int64_t seq);
// kInvalidArgument for anything EncodeSeqCursor could not have made.
Result<int64_t> DecodeSeqCursor(std::string_view cursor);

}  // namespace credvault::server::store_checks

#endif  // CREDVAULT_SERVER_STORE_STORE_CHECKS_H_
