#include "ops/openapi.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "ops/build_info.h"
#include "store/store.h"

namespace credvault::server::ops {
namespace {

using nlohmann::json;

constexpr std::string_view kWorkspacePrefix = "/api/v1/workspaces/{ws}";
constexpr std::string_view kSchemaPrefix = "#/components/schemas/";

struct ParameterDoc {
  std::string_view name;
  std::string_view description;
  std::string_view schema;  // a components/schemas name, or "" for a plain string
};

constexpr ParameterDoc kPathParameters[] = {
    {"ws", "The workspace id", "ObjectId"},
    {"id", "The object id", "ObjectId"},
    {"account_id", "The member's account id", "ObjectId"},
    {"grant_ws", "The workspace whose grant is revoked", "ObjectId"},
};

constexpr ParameterDoc kQueryParameters[] = {
    {"cursor", "The next_cursor of the previous page", ""},
    {"limit", "Items per page", ""},
    {"kind", "Only this kind", "ServiceKind"},
    {"state", "Only this state", "ConnectionState"},
    {"environment", "Only connections in this environment", "ObjectId"},
    {"email", "The email to look up", "Email"},
    {"version", "Only if the stored version is this one", "Version"},
};

struct ErrorDoc {
  int status;
  std::string_view description;
};

constexpr ErrorDoc kErrors[] = {
    {400, "Bad input: malformed JSON, wrong or unknown fields, an ill-formed envelope or id"},
    {401, "No session, or the session expired or ended"},
    {403, "The role may not do this (or a missing CSRF token)"},
    {404, "No such object, or a workspace the caller is not a member of"},
    {409,
     "A conflict: a taken id or name, a stale version (with current_version), a refused "
     "state transition, a credential still in use, or a test job the runner saw before"},
    {410, "The test job expired before the runner opened it"},
    {413, "The body is over the limit"},
    {429, "Too many failed attempts; retry after Retry-After seconds"},
    {503, "Not ready: the store does not answer, or the runner is not connected or is busy"},
};

json Ref(std::string_view schema) {
  return {{"$ref", std::string(kSchemaPrefix) + std::string(schema)}};
}

const ParameterDoc* Find(std::span<const ParameterDoc> table, std::string_view name) {
  for (const ParameterDoc& doc : table) {
    if (doc.name == name) return &doc;
  }
  return nullptr;
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    if (space != 0) words.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return words;
}

std::vector<std::string_view> PathParameterNames(std::string_view path) {
  std::vector<std::string_view> names;
  size_t open = path.find('{');
  while (open != std::string_view::npos) {
    const size_t close = path.find('}', open);
    if (close == std::string_view::npos) break;
    names.push_back(path.substr(open + 1, close - open - 1));
    open = path.find('{', close);
  }
  return names;
}

json ParameterSchema(const ParameterDoc* doc, std::string_view name) {
  if (name == "limit") {
    return {{"type", "integer"},
            {"minimum", 1},
            {"maximum", kMaxPageLimit},
            {"default", kDefaultPageLimit}};
  }
  if (doc == nullptr || doc->schema.empty()) return {{"type", "string"}};
  return Ref(doc->schema);
}

json Parameters(const EndpointDoc& endpoint) {
  json parameters = json::array();
  for (const std::string_view name : PathParameterNames(endpoint.path)) {
    const ParameterDoc* doc = Find(kPathParameters, name);
    parameters.push_back({{"name", name},
                          {"in", "path"},
                          {"required", true},
                          {"description", doc ? doc->description : name},
                          {"schema", ParameterSchema(doc, name)}});
  }
  for (const std::string_view name : Words(endpoint.query)) {
    const ParameterDoc* doc = Find(kQueryParameters, name);
    json parameter = {{"name", name},
                      {"in", "query"},
                      {"description", doc ? doc->description : name},
                      {"schema", ParameterSchema(doc, name)}};
    if (name == "email") parameter["required"] = true;
    parameters.push_back(std::move(parameter));
  }
  // Browsers authenticate by cookie; a change must then prove it came from our page.
  if (endpoint.access == Access::kSession && endpoint.method != "GET") {
    parameters.push_back({{"name", "X-CSRF-Token"},
                          {"in", "header"},
                          {"description",
                           "The login's csrf_token; required when the session "
                           "cookie authenticates the request"},
                          {"schema", {{"type", "string"}}}});
  }
  return parameters;
}

std::vector<int> ErrorStatuses(const EndpointDoc& endpoint) {
  std::vector<int> statuses = {400};
  if (!endpoint.request.empty()) statuses.push_back(413);
  if (endpoint.access == Access::kSession) statuses.push_back(401);
  if (endpoint.path.starts_with(kWorkspacePrefix)) {
    statuses.push_back(403);
    statuses.push_back(404);
  }
  for (const std::string_view word : Words(endpoint.errors)) {
    int status = 0;
    std::from_chars(word.data(), word.data() + word.size(), status);
    statuses.push_back(status);
  }
  std::sort(statuses.begin(), statuses.end());
  statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
  return statuses;
}

json SuccessResponse(const EndpointDoc& endpoint) {
  json response = {{"description", endpoint.status == 201   ? "Created"
                                   : endpoint.status == 204 ? "Done; no body"
                                                            : "OK"}};
  if (endpoint.response == "text") {
    response["content"] = {{"text/plain", {{"schema", {{"type", "string"}}}}}};
  } else if (!endpoint.response.empty()) {
    response["content"] = {{"application/json", {{"schema", Ref(endpoint.response)}}}};
  }
  if (endpoint.operation_id == "login") {
    response["headers"] = {{"Set-Cookie",
                            {{"description",
                              "cv_session=<token>; HttpOnly; Secure; "
                              "SameSite=Strict; Path=/"},
                             {"schema", {{"type", "string"}}}}}};
  }
  return response;
}

json Operation(const EndpointDoc& endpoint) {
  json operation = {{"operationId", endpoint.operation_id},
                    {"summary", endpoint.summary},
                    {"tags", {endpoint.tag}}};
  if (endpoint.access == Access::kPublic) operation["security"] = json::array();
  json parameters = Parameters(endpoint);
  if (!parameters.empty()) operation["parameters"] = std::move(parameters);
  if (!endpoint.request.empty()) {
    operation["requestBody"] = {
        {"required", true},
        {"content", {{"application/json", {{"schema", Ref(endpoint.request)}}}}}};
  }
  json responses = json::object();
  responses[std::to_string(endpoint.status)] = SuccessResponse(endpoint);
  for (const int status : ErrorStatuses(endpoint)) {
    responses[std::to_string(status)] = {
        {"$ref", "#/components/responses/Error" + std::to_string(status)}};
  }
  operation["responses"] = std::move(responses);
  return operation;
}

json ErrorResponses() {
  json responses = json::object();
  for (const ErrorDoc& error : kErrors) {
    json response = {{"description", error.description},
                     {"content", {{"application/json", {{"schema", Ref("Error")}}}}}};
    if (error.status == 429) {
      response["headers"] = {
          {"Retry-After", {{"description", "Seconds to wait"}, {"schema", {{"type", "integer"}}}}}};
    }
    responses["Error" + std::to_string(error.status)] = std::move(response);
  }
  return responses;
}

json Tags() {
  constexpr std::pair<std::string_view, std::string_view> kTags[] = {
      {"operations", "Health, readiness, metrics and this document"},
      {"accounts", "Registration, zero-knowledge login, sessions, password change, recovery"},
      {"workspaces", "Workspaces and the caller's key grants"},
      {"members", "Membership, roles, and removal with key rotation"},
      {"audit", "Who did what to which object, when"},
      {"credentials", "Sealed credentials and their grants to workspaces"},
      {"connections", "Sealed connections and their state machine"},
      {"environments", "Named groups of connections"},
      {"runners", "Connectivity-test runners admitted to a workspace"},
      {"monitoring", "Active monitoring: schedules, test history and the state-change feed"},
  };
  json tags = json::array();
  for (const auto& [name, description] : kTags) {
    tags.push_back({{"name", name}, {"description", description}});
  }
  return tags;
}

}  // namespace

std::vector<std::string> DocumentedRoutes() {
  std::vector<std::string> routes;
  for (const EndpointDoc& endpoint : DocumentedEndpoints()) {
    routes.push_back(std::string(endpoint.method) + " " + std::string(endpoint.path));
  }
  std::sort(routes.begin(), routes.end());
  return routes;
}

json OpenApiDocument() {
  json paths = json::object();
  for (const EndpointDoc& endpoint : DocumentedEndpoints()) {
    std::string method(endpoint.method);
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    paths[std::string(endpoint.path)][method] = Operation(endpoint);
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "credvault"},
            {"version", kServerVersion},
            {"summary", "A zero-knowledge credential store for infrastructure connections"},
            {"description",
             "The server stores only ciphertext made by clients (the browser, the JS package, "
             "the CLI) and enforces who may fetch or change what. Errors are "
             "{\"error\": {\"code\", \"message\"}}. Lists take ?cursor=&limit= and return "
             "{\"items\", \"next_cursor\"}."}}},
          {"servers", json::array({json::object({{"url", "/"}, {"description", "This server"}})})},
          {"tags", Tags()},
          {"security", json::array({json::object({{"bearerAuth", json::array()}}),
                                    json::object({{"cookieAuth", json::array()}})})},
          {"paths", std::move(paths)},
          {"components",
           {{"securitySchemes",
             {{"bearerAuth",
               {{"type", "http"},
                {"scheme", "bearer"},
                {"description", "The token from POST /api/v1/auth/login"}}},
              {"cookieAuth",
               {{"type", "apiKey"},
                {"in", "cookie"},
                {"name", "cv_session"},
                {"description",
                 "The browser's session cookie; non-GET requests also send "
                 "X-CSRF-Token"}}}}},
            {"responses", ErrorResponses()},
            {"schemas", OpenApiSchemas()}}}};
}

const std::string& OpenApiText() {
  static const std::string* const text =
      new std::string(OpenApiDocument().dump(-1, ' ', false, json::error_handler_t::replace));
  return *text;
}

}  // namespace credvault::server::ops
