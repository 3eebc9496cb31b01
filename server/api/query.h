// The query string of an API request, and cursor pagination (?cursor=&limit=).
//
// Lists answer {"items": [...], "next_cursor": "..." | null}. A cursor is opaque to the
// client and to this layer: the store makes it and checks it (kInvalidArgument for one it
// did not make). limit defaults to 50 and is at most 200 (the store's limits). Errors are
// kValidation naming the parameter. Pure functions; thread-safe.
#ifndef CREDVAULT_SERVER_API_QUERY_H_
#define CREDVAULT_SERVER_API_QUERY_H_

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "credvault/status.h"
#include "http_message.h"
#include "store/store.h"

namespace credvault::server::api {

using QueryParams = std::map<std::string, std::string, std::less<>>;

// Percent-decoded parameters ('+' is a space). kValidation for a bad escape, a repeated
// name, or a name outside `allowed`.
Result<QueryParams> ParseQuery(const HttpRequest& request,
                               std::initializer_list<std::string_view> allowed);

// Reads "cursor" and "limit" from parsed parameters.
Result<PageRequest> ReadPage(const QueryParams& params);

// {"items": items, "next_cursor": next_cursor, or null when it is empty}.
nlohmann::json PageJson(nlohmann::json items, const std::string& next_cursor);

}  // namespace credvault::server::api

#endif  // CREDVAULT_SERVER_API_QUERY_H_
