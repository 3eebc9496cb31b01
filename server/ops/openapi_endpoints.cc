// The table of every endpoint the server registers (see openapi.h). When you add a route in
// routes.cc, add its row here: tests/server/ops/openapi_test.cc fails until you do.
//
// Implied error statuses, so the rows list only the others: every endpoint may answer 400
// for a bad query or body and 413 for an oversized body; a session endpoint 401; an
// endpoint under /api/v1/workspaces/{ws} 403 and 404 (a non-member sees 404).
#include "ops/openapi.h"

namespace credvault::server::ops {
namespace {

using A = Access;

constexpr std::string_view kPage = "cursor limit";
constexpr std::string_view kWs = "/api/v1/workspaces/{ws}";

// clang-format off
constexpr EndpointDoc kEndpoints[] = {
  // Operations.
  {"GET", "/healthz", "getHealth", "operations",
   "Liveness: 200 while the process answers at all", A::kPublic, 200, "", "Health", "", ""},
  {"GET", "/readyz", "getReadiness", "operations",
   "Readiness: 200 when the store answers a query, 503 when it does not",
   A::kPublic, 200, "", "Readiness", "", "503"},
  {"GET", "/metrics", "getMetrics", "operations",
   "Prometheus metrics (text exposition format 0.0.4)", A::kPublic, 200, "", "text", "", ""},
  {"GET", "/api/openapi.json", "getOpenApi", "operations",
   "This document", A::kPublic, 200, "", "OpenApiDocument", "", ""},

  // Accounts and sessions.
  {"POST", "/api/v1/accounts", "registerAccount", "accounts",
   "Register: the account record made by the client, and its two login proofs",
   A::kPublic, 201, "RegisterRequest", "AccountEnvelope", "", "409"},
  {"GET", "/api/v1/account", "getAccount", "accounts",
   "The caller's account record", A::kSession, 200, "", "AccountWithEmail", "", ""},
  {"PUT", "/api/v1/account/password", "changePassword", "accounts",
   "Change the password: a new wrap of the private keys and a new proof; other sessions end",
   A::kSession, 200, "ChangePasswordRequest", "AccountEnvelope", "", "403 409 429"},
  {"GET", "/api/v1/accounts/lookup", "lookupAccount", "accounts",
   "The public keys of the account with this email, to invite it", A::kSession, 200, "",
   "PublicKeys", "email", "404"},
  {"POST", "/api/v1/auth/prelogin", "prelogin", "accounts",
   "KDF parameters and salt for an email (stable fake ones for an unknown email)",
   A::kPublic, 200, "PreloginRequest", "PreloginResponse", "", ""},
  {"POST", "/api/v1/auth/login", "login", "accounts",
   "Log in with the login proof; sets the cv_session cookie", A::kPublic, 200,
   "LoginRequest", "LoginResponse", "", "401 429"},
  {"POST", "/api/v1/auth/logout", "logout", "accounts",
   "End this session", A::kSession, 204, "", "", "", ""},
  {"POST", "/api/v1/auth/recover", "recover", "accounts",
   "The account record, for the client to unwrap with the recovery code", A::kPublic, 200,
   "RecoverRequest", "AccountEnvelope", "", "401 429"},
  {"POST", "/api/v1/auth/recover/complete", "completeRecovery", "accounts",
   "Set a new password wrap after recovery; every session ends", A::kPublic, 200,
   "RecoverCompleteRequest", "AccountEnvelope", "", "401 409 429"},

  // Workspaces.
  {"GET", "/api/v1/workspaces", "listWorkspaces", "workspaces",
   "The workspaces the caller belongs to, with its role and permissions", A::kSession, 200,
   "", "WorkspacePage", kPage, ""},
  {"POST", "/api/v1/workspaces", "createWorkspace", "workspaces",
   "Create a workspace; the caller becomes its owner with a generation-1 key grant",
   A::kSession, 201, "WorkspaceCreate", "WorkspaceEnvelope", "", "409"},
  {"GET", kWs, "getWorkspace", "workspaces",
   "One workspace", A::kSession, 200, "", "WorkspaceEnvelope", "", ""},
  {"PATCH", kWs, "renameWorkspace", "workspaces",
   "Rename a workspace", A::kSession, 200, "WorkspacePatch", "WorkspaceEnvelope", "", "409"},
  {"DELETE", kWs, "deleteWorkspace", "workspaces",
   "Delete a workspace and everything in it", A::kSession, 204, "", "", "", ""},
  {"GET", "/api/v1/workspaces/{ws}/keys", "listMyKeyGrants", "workspaces",
   "The caller's key grants in the workspace, every generation", A::kSession, 200, "",
   "KeyGrantList", "", ""},

  // Members.
  {"GET", "/api/v1/workspaces/{ws}/members", "listMembers", "members",
   "Members with their roles and public keys (for pinning)", A::kSession, 200, "",
   "MemberPage", kPage, ""},
  {"POST", "/api/v1/workspaces/{ws}/members", "addMember", "members",
   "Invite an account with a signed key grant made by the inviter", A::kSession, 201,
   "MemberAdd", "MemberEnvelope", "", "409"},
  {"PATCH", "/api/v1/workspaces/{ws}/members/{account_id}", "changeMemberRole", "members",
   "Change a member's role (a role gaining the secrets key needs a new grant)",
   A::kSession, 200, "MemberPatch", "MemberEnvelope", "", "409"},
  {"DELETE", "/api/v1/workspaces/{ws}/members/{account_id}", "removeMember", "members",
   "Remove a member and rotate the workspace keys in one transaction", A::kSession, 200,
   "MemberRemoval", "RotationResult", "", "409"},

  // Audit.
  {"GET", "/api/v1/workspaces/{ws}/audit", "listAudit", "audit",
   "Who did what to which object, newest first", A::kSession, 200, "", "AuditPage", kPage, ""},

  // Credentials.
  {"GET", "/api/v1/workspaces/{ws}/credentials", "listCredentials", "credentials",
   "Sealed credentials granted to the workspace", A::kSession, 200, "", "CredentialPage",
   "cursor limit kind", ""},
  {"POST", "/api/v1/workspaces/{ws}/credentials", "createCredential", "credentials",
   "Store a sealed credential", A::kSession, 201, "SealedCredential", "SealedCredential", "",
   "409"},
  {"GET", "/api/v1/workspaces/{ws}/credentials/{id}", "getCredential", "credentials",
   "One sealed credential", A::kSession, 200, "", "SealedCredential", "", ""},
  {"PUT", "/api/v1/workspaces/{ws}/credentials/{id}", "updateCredential", "credentials",
   "Replace a sealed credential (version + 1, every grant re-wrapped)", A::kSession, 200,
   "SealedCredential", "SealedCredential", "", "409"},
  {"DELETE", "/api/v1/workspaces/{ws}/credentials/{id}", "deleteCredential", "credentials",
   "Delete a credential; 409 listing the connections while it is in use", A::kSession, 204,
   "", "", "", "409"},
  {"POST", "/api/v1/workspaces/{ws}/credentials/{id}/grants", "shareCredential",
   "credentials", "Share the credential with another workspace", A::kSession, 201,
   "CredentialGrant", "SealedCredential", "", "409"},
  {"DELETE", "/api/v1/workspaces/{ws}/credentials/{id}/grants/{grant_ws}", "revokeCredential",
   "credentials", "Revoke the credential's grant to a workspace", A::kSession, 204, "", "", "",
   "409"},

  // Connections.
  {"GET", "/api/v1/workspaces/{ws}/connections", "listConnections", "connections",
   "Sealed connections, filtered, with counts per state", A::kSession, 200, "",
   "ConnectionPage", "cursor limit kind state environment", ""},
  {"POST", "/api/v1/workspaces/{ws}/connections", "createConnection", "connections",
   "Store a sealed connection", A::kSession, 201, "SealedConnection", "SealedConnection", "",
   "409"},
  {"GET", "/api/v1/workspaces/{ws}/connections/{id}", "getConnection", "connections",
   "One sealed connection", A::kSession, 200, "", "SealedConnection", "", ""},
  {"PUT", "/api/v1/workspaces/{ws}/connections/{id}", "updateConnection", "connections",
   "Replace a sealed connection (version + 1)", A::kSession, 200, "SealedConnection",
   "SealedConnection", "", "409"},
  {"DELETE", "/api/v1/workspaces/{ws}/connections/{id}", "deleteConnection", "connections",
   "Move a connection to the deleted state (conditional with ?version=)", A::kSession, 204,
   "", "", "version", "409"},
  {"POST", "/api/v1/workspaces/{ws}/connections/{id}/transitions", "transitionConnection",
   "connections", "Move a connection to a state, or record a test result, as the core's "
   "state machine allows", A::kSession, 200, "ConnectionTransition", "SealedConnection", "",
   "409"},
  {"POST", "/api/v1/workspaces/{ws}/connections/{id}/tests", "testConnection", "connections",
   "Relay a sealed test job to an admitted runner, verify its signed result, record it as the "
   "last test and apply the state it leads to", A::kSession, 200, "ConnectionTestRequest",
   "ConnectionTestAnswer", "", "409 410 503"},

  // Environments.
  {"GET", "/api/v1/workspaces/{ws}/environments", "listEnvironments", "environments",
   "Environments of the workspace", A::kSession, 200, "", "EnvironmentPage", kPage, ""},
  {"POST", "/api/v1/workspaces/{ws}/environments", "createEnvironment", "environments",
   "Create an environment", A::kSession, 201, "EnvironmentCreate", "Environment", "", "409"},
  {"GET", "/api/v1/workspaces/{ws}/environments/{id}", "getEnvironment", "environments",
   "One environment", A::kSession, 200, "", "Environment", "", ""},
  {"PATCH", "/api/v1/workspaces/{ws}/environments/{id}", "renameEnvironment", "environments",
   "Rename an environment", A::kSession, 200, "EnvironmentPatch", "Environment", "", "409"},
  {"DELETE", "/api/v1/workspaces/{ws}/environments/{id}", "deleteEnvironment", "environments",
   "Delete an environment (connections lose it)", A::kSession, 204, "", "", "", ""},

  // Runners.
  {"GET", "/api/v1/runners/builtin", "getBuiltinRunner", "runners",
   "The built-in runner's id and public keys, to admit it to a workspace", A::kSession, 200, "",
   "BuiltinRunner", "", ""},
  {"GET", "/api/v1/runners/connect", "connectRunner", "runners",
   "WebSocket a standalone runner dials in on (with Upgrade: websocket the answer is 101 and "
   "relay/runner_protocol.h follows); a plain GET answers 204 with the protocol name",
   A::kPublic, 204, "", "", "", "503"},
  {"GET", "/api/v1/workspaces/{ws}/runners", "listRunners", "runners",
   "Runners admitted to the workspace", A::kSession, 200, "", "RunnerPage", kPage, ""},
  {"POST", "/api/v1/workspaces/{ws}/runners", "registerRunner", "runners",
   "Register a runner's public keys", A::kSession, 201, "RunnerCreate", "Runner", "", "409"},
  {"GET", "/api/v1/workspaces/{ws}/runners/{id}", "getRunner", "runners",
   "One runner", A::kSession, 200, "", "Runner", "", ""},
  {"DELETE", "/api/v1/workspaces/{ws}/runners/{id}", "removeRunner", "runners",
   "Remove a runner; one holding the workspace keys needs the key rotation body "
   "(MemberRemoval) and answers 200 with a RunnerRevokeResult", A::kSession, 204, "", "", "",
   "409"},
  {"POST", "/api/v1/workspaces/{ws}/runners/{id}/grant", "grantRunner", "runners",
   "Grant the runner the workspace keys (sealed to it, signed by the caller) for active "
   "monitoring", A::kSession, 201, "RunnerGrantRequest", "RunnerGrantResult", "", ""},
  {"DELETE", "/api/v1/workspaces/{ws}/runners/{id}/grant", "revokeRunner", "runners",
   "Revoke the runner's key grant with the key rotation the client computed",
   A::kSession, 200, "MemberRemoval", "RunnerRevokeResult", "", "409"},

  // Active monitoring.
  {"GET", "/api/v1/workspaces/{ws}/monitor", "getMonitorSettings", "monitoring",
   "Monitoring schedules and each connection's newest result", A::kSession, 200, "",
   "MonitorSettings", "", ""},
  {"PUT", "/api/v1/workspaces/{ws}/monitor", "setMonitorDefault", "monitoring",
   "The workspace's default monitoring interval in minutes (0 = off)", A::kSession, 200,
   "MonitorDefault", "MonitorDefault", "", ""},
  {"PUT", "/api/v1/workspaces/{ws}/connections/{id}/monitor", "setConnectionMonitor",
   "monitoring", "A connection's monitoring interval (0 = off, null = the workspace default)",
   A::kSession, 200, "ConnectionMonitor", "ConnectionMonitorResult", "", ""},
  {"GET", "/api/v1/workspaces/{ws}/connections/{id}/history", "getConnectionHistory",
   "monitoring", "The connection's recorded test results, newest first (the last 100)",
   A::kSession, 200, "", "TestHistoryList", "limit", ""},
  {"GET", "/api/v1/workspaces/{ws}/feed", "getFeed", "monitoring",
   "State changes recorded from test results in the workspace, newest first", A::kSession,
   200, "", "TestHistoryList", "limit", ""},
};
// clang-format on

}  // namespace

std::span<const EndpointDoc> DocumentedEndpoints() { return kEndpoints; }

}  // namespace credvault::server::ops
