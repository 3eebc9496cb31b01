// OpenApi: the OpenAPI 3.1 document of the server's HTTP API, served at /api/openapi.json.
//
// Built from one table of endpoints (openapi_endpoints.cc: method, route pattern exactly as
// registered with the Router, summary, access, request and response schemas, query
// parameters, extra error statuses) and the schemas of the records (openapi_schemas.cc);
// the enumerations (kinds, states, roles, outcomes, auth methods, actions) come from the
// core's own tables, so they cannot disagree with it. tests/server/ops/openapi_test.cc
// checks that the table's routes equal the Router's (Router::Describe), so a route added
// without documentation fails the build's tests.
//
// Static file mounts (patterns ending in "/*") are not API endpoints and are not documented.
// Pure functions of compiled-in tables; thread-safe; no errors (a schema text that fails to
// parse is a programming error the tests catch: the document then lacks it).
#ifndef CREDVAULT_SERVER_OPS_OPENAPI_H_
#define CREDVAULT_SERVER_OPS_OPENAPI_H_

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace credvault::server::ops {

enum class Access {
  kPublic,   // no session
  kSession,  // a Bearer token, or the session cookie (+ X-CSRF-Token on non-GET)
};

struct EndpointDoc {
  std::string_view method;
  std::string_view path;  // the Router pattern, verbatim ("{ws}" is an OpenAPI template too)
  std::string_view operation_id;
  std::string_view tag;
  std::string_view summary;
  Access access;
  int status;                 // the success status
  std::string_view request;   // a schema name in openapi_schemas.cc, or "" for no body
  std::string_view response;  // a schema name, "text" for text/plain, or "" for no body
  std::string_view query;     // query parameter names, space-separated
  std::string_view errors;    // error statuses beyond the implied ones, space-separated
};

// The table, in documentation order.
std::span<const EndpointDoc> DocumentedEndpoints();

// "GET /healthz", ... in the form of Router::Describe(), sorted.
std::vector<std::string> DocumentedRoutes();

// The record schemas (components/schemas), including the core's enumerations.
nlohmann::json OpenApiSchemas();

// The whole document.
nlohmann::json OpenApiDocument();

// OpenApiDocument() serialised once; the body of GET /api/openapi.json.
const std::string& OpenApiText();

}  // namespace credvault::server::ops

#endif  // CREDVAULT_SERVER_OPS_OPENAPI_H_
