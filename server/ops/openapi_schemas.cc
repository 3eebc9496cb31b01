// The record schemas of the OpenAPI document (components/schemas). The JSON field names
// mirror the core's JSON mapping (shared/src/json/) and the handlers' response bodies; the
// enumerations are generated from the core's own name tables so they cannot drift.
#include <string>

#include "credvault/connection_state.h"
#include "credvault/credential.h"
#include "credvault/kind.h"
#include "credvault/permissions.h"
#include "ops/openapi.h"

namespace credvault::server::ops {
namespace {

using nlohmann::json;

// Hand-written schemas. Request bodies are closed (the server refuses unknown fields);
// responses are open, so adding a field to an answer is not a breaking change.
constexpr std::string_view kSchemas = R"json({
  "ObjectId": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$",
    "description": "16 random bytes, base64url: made by the client (NewObjectId)"},
  "Envelope": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$",
    "description": "A credvault envelope (DESIGN.md section 4), base64url without padding"},
  "Base64Url": {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"},
  "LoginProof": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$",
    "description": "32 bytes derived from the master key, base64url"},
  "UnixSeconds": {"type": "integer", "format": "int64"},
  "Version": {"type": "integer", "minimum": 1,
    "description": "Optimistic concurrency: a stale version answers 409 with current_version"},
  "Generation": {"type": "integer", "minimum": 1, "maximum": 4294967295},
  "Email": {"type": "string", "format": "email", "maxLength": 254},
  "Error": {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "object", "required": ["code", "message"], "properties": {
      "code": {"type": "string", "description": "Stable, from the core's ErrorCode names"},
      "message": {"type": "string"},
      "current_version": {"type": "integer", "description": "On a stale version (409)"},
      "connections": {"type": "array", "description": "On deleting a credential in use",
        "items": {"$ref": "#/components/schemas/ConnectionRef"}},
      "hidden_connections": {"type": "integer",
        "description": "Uses in workspaces the caller does not belong to"}}}}},
  "ConnectionRef": {"type": "object", "required": ["id", "kind", "workspace_id"],
    "properties": {"id": {"$ref": "#/components/schemas/ObjectId"},
      "kind": {"$ref": "#/components/schemas/ServiceKind"},
      "workspace_id": {"$ref": "#/components/schemas/ObjectId"}}},
  "Health": {"type": "object", "required": ["status"],
    "properties": {"status": {"type": "string", "const": "ok"}}},
  "Readiness": {"type": "object", "required": ["status", "store"], "properties": {
    "status": {"type": "string", "enum": ["ready", "not_ready"]},
    "store": {"type": "string", "description": "The store engine, e.g. sqlite"},
    "error": {"$ref": "#/components/schemas/Error/properties/error"}}},
  "OpenApiDocument": {"type": "object", "description": "An OpenAPI 3.1 document"},
  "Kdf": {"type": "object", "required": ["ops_limit", "mem_limit_bytes"], "properties": {
    "ops_limit": {"type": "integer", "minimum": 1},
    "mem_limit_bytes": {"type": "integer", "minimum": 1}}},
  "AccountRecord": {"type": "object", "additionalProperties": false,
    "required": ["account_id", "email", "kdf", "salt", "keys_version", "box_public_key",
      "sign_public_key", "wrapped_private_keys", "recovery_wrapped_private_keys"],
    "properties": {
      "account_id": {"$ref": "#/components/schemas/ObjectId"},
      "email": {"$ref": "#/components/schemas/Email"},
      "kdf": {"$ref": "#/components/schemas/Kdf"},
      "salt": {"$ref": "#/components/schemas/Base64Url"},
      "keys_version": {"type": "integer", "minimum": 0},
      "box_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "sign_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "wrapped_private_keys": {"$ref": "#/components/schemas/Envelope"},
      "recovery_wrapped_private_keys": {"$ref": "#/components/schemas/Envelope"}}},
  "RegisterRequest": {"type": "object", "additionalProperties": false,
    "required": ["record", "auth_key", "recovery_auth_key"], "properties": {
      "record": {"$ref": "#/components/schemas/AccountRecord"},
      "auth_key": {"$ref": "#/components/schemas/LoginProof"},
      "recovery_auth_key": {"$ref": "#/components/schemas/LoginProof"}}},
  "AccountEnvelope": {"type": "object", "required": ["account"], "properties": {
    "account": {"$ref": "#/components/schemas/AccountRecord"}}},
  "AccountWithEmail": {"type": "object", "required": ["account", "email"], "properties": {
    "account": {"$ref": "#/components/schemas/AccountRecord"},
    "email": {"$ref": "#/components/schemas/Email"}}},
  "ChangePasswordRequest": {"type": "object", "additionalProperties": false,
    "required": ["auth_key", "record", "new_auth_key"], "properties": {
      "auth_key": {"$ref": "#/components/schemas/LoginProof"},
      "record": {"$ref": "#/components/schemas/AccountRecord"},
      "new_auth_key": {"$ref": "#/components/schemas/LoginProof"}}},
  "PublicKeys": {"type": "object",
    "required": ["account_id", "box_public_key", "sign_public_key"], "properties": {
      "account_id": {"$ref": "#/components/schemas/ObjectId"},
      "box_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "sign_public_key": {"$ref": "#/components/schemas/Base64Url"}}},
  "PreloginRequest": {"type": "object", "additionalProperties": false, "required": ["email"],
    "properties": {"email": {"$ref": "#/components/schemas/Email"}}},
  "PreloginResponse": {"type": "object", "required": ["kdf", "salt"], "properties": {
    "kdf": {"$ref": "#/components/schemas/Kdf"},
    "salt": {"$ref": "#/components/schemas/Base64Url"}}},
  "LoginRequest": {"type": "object", "additionalProperties": false,
    "required": ["email", "auth_key"], "properties": {
      "email": {"$ref": "#/components/schemas/Email"},
      "auth_key": {"$ref": "#/components/schemas/LoginProof"}}},
  "LoginResponse": {"type": "object",
    "required": ["token", "csrf_token", "expires_at", "account"], "properties": {
      "token": {"type": "string", "description": "Send as Authorization: Bearer"},
      "csrf_token": {"type": "string",
        "description": "Send as X-CSRF-Token on non-GET requests authenticated by the cookie"},
      "expires_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "account": {"$ref": "#/components/schemas/AccountRecord"}}},
  "RecoverRequest": {"type": "object", "additionalProperties": false,
    "required": ["email", "recovery_auth_key"], "properties": {
      "email": {"$ref": "#/components/schemas/Email"},
      "recovery_auth_key": {"$ref": "#/components/schemas/LoginProof"}}},
  "RecoverCompleteRequest": {"type": "object", "additionalProperties": false,
    "required": ["email", "recovery_auth_key", "record", "auth_key"], "properties": {
      "email": {"$ref": "#/components/schemas/Email"},
      "recovery_auth_key": {"$ref": "#/components/schemas/LoginProof"},
      "record": {"$ref": "#/components/schemas/AccountRecord"},
      "auth_key": {"$ref": "#/components/schemas/LoginProof"}}},
  "KeyGrant": {"type": "object", "additionalProperties": false,
    "required": ["workspace_id", "recipient_id", "granter_id", "generation",
      "includes_secrets", "sealed", "signature"], "properties": {
      "workspace_id": {"$ref": "#/components/schemas/ObjectId"},
      "recipient_id": {"$ref": "#/components/schemas/ObjectId"},
      "granter_id": {"$ref": "#/components/schemas/ObjectId"},
      "generation": {"$ref": "#/components/schemas/Generation"},
      "includes_secrets": {"type": "boolean"},
      "sealed": {"$ref": "#/components/schemas/Base64Url"},
      "signature": {"$ref": "#/components/schemas/Base64Url"}}},
  "KeyGrantList": {"type": "object", "required": ["items"], "properties": {
    "items": {"type": "array", "items": {"$ref": "#/components/schemas/KeyGrant"}}}},
  "Workspace": {"type": "object", "required": ["id", "name", "key_generation", "version",
    "created_at", "updated_at", "created_by", "role", "permissions"], "properties": {
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "name": {"type": "string"},
      "key_generation": {"$ref": "#/components/schemas/Generation"},
      "version": {"$ref": "#/components/schemas/Version"},
      "created_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "updated_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "created_by": {"$ref": "#/components/schemas/ObjectId"},
      "role": {"$ref": "#/components/schemas/Role"},
      "permissions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}}}},
  "WorkspaceEnvelope": {"type": "object", "required": ["workspace"], "properties": {
    "workspace": {"$ref": "#/components/schemas/Workspace"}}},
  "WorkspaceCreate": {"type": "object", "additionalProperties": false,
    "required": ["id", "name", "grant"], "properties": {
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "name": {"type": "string", "minLength": 1},
      "grant": {"$ref": "#/components/schemas/KeyGrant"}}},
  "WorkspacePatch": {"type": "object", "additionalProperties": false,
    "required": ["name", "version"], "properties": {
      "name": {"type": "string", "minLength": 1},
      "version": {"$ref": "#/components/schemas/Version"}}},
  "Member": {"type": "object", "required": ["account_id", "role", "version", "added_at"],
    "properties": {
      "account_id": {"$ref": "#/components/schemas/ObjectId"},
      "role": {"$ref": "#/components/schemas/Role"},
      "version": {"$ref": "#/components/schemas/Version"},
      "added_at": {"$ref": "#/components/schemas/UnixSeconds"}}},
  "MemberDetail": {"allOf": [{"$ref": "#/components/schemas/Member"}, {"type": "object",
    "required": ["email", "box_public_key", "sign_public_key"], "properties": {
      "email": {"$ref": "#/components/schemas/Email"},
      "box_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "sign_public_key": {"$ref": "#/components/schemas/Base64Url"}}}]},
  "MemberEnvelope": {"type": "object", "required": ["member"], "properties": {
    "member": {"$ref": "#/components/schemas/Member"}}},
  "MemberAdd": {"type": "object", "additionalProperties": false,
    "required": ["account_id", "role", "grant"], "properties": {
      "account_id": {"$ref": "#/components/schemas/ObjectId"},
      "role": {"$ref": "#/components/schemas/Role"},
      "grant": {"$ref": "#/components/schemas/KeyGrant"}}},
  "MemberPatch": {"type": "object", "additionalProperties": false,
    "required": ["role", "version"], "properties": {
      "role": {"$ref": "#/components/schemas/Role"},
      "version": {"$ref": "#/components/schemas/Version"},
      "grant": {"$ref": "#/components/schemas/KeyGrant"}}},
  "CredentialKeyUpdate": {"type": "object", "additionalProperties": false,
    "required": ["credential_id", "wrapped_data_key", "sealed_name"], "properties": {
      "credential_id": {"$ref": "#/components/schemas/ObjectId"},
      "wrapped_data_key": {"$ref": "#/components/schemas/Envelope"},
      "sealed_name": {"$ref": "#/components/schemas/Envelope"}}},
  "MemberRemoval": {"type": "object", "additionalProperties": false,
    "description": "The key rotation the client computed, applied with the removal",
    "required": ["new_generation", "grants", "credential_keys", "connections"],
    "properties": {
      "new_generation": {"$ref": "#/components/schemas/Generation"},
      "grants": {"type": "array", "items": {"$ref": "#/components/schemas/KeyGrant"}},
      "credential_keys": {"type": "array",
        "items": {"$ref": "#/components/schemas/CredentialKeyUpdate"}},
      "connections": {"type": "array",
        "items": {"$ref": "#/components/schemas/SealedConnection"}}}},
  "RotationResult": {"type": "object", "required": ["removed_account_id", "key_generation",
    "grants", "credential_keys", "connections", "rotate_recommended"], "properties": {
      "removed_account_id": {"$ref": "#/components/schemas/ObjectId"},
      "key_generation": {"$ref": "#/components/schemas/Generation"},
      "grants": {"type": "integer", "description": "Key grants written"},
      "credential_keys": {"type": "integer", "description": "Data keys re-wrapped"},
      "connections": {"type": "integer", "description": "Connections re-sealed"},
      "rotate_recommended": {"type": "array",
        "items": {"$ref": "#/components/schemas/ObjectId"},
        "description": "Credentials the removed member could open"}}},
  "RunnerGrantRequest": {"type": "object", "additionalProperties": false, "required": ["grant"],
    "description":
      "The workspace keys (with secrets) sealed to the runner and signed by the caller",
    "properties": {"grant": {"$ref": "#/components/schemas/KeyGrant"}}},
  "RunnerGrantResult": {"type": "object", "required": ["runner_id", "generation"],
    "properties": {
      "runner_id": {"$ref": "#/components/schemas/ObjectId"},
      "generation": {"$ref": "#/components/schemas/Generation"}}},
  "RunnerRevokeResult": {"type": "object", "required": ["runner_id", "removed",
    "key_generation", "grants", "credential_keys", "connections", "rotate_recommended"],
    "properties": {
      "runner_id": {"$ref": "#/components/schemas/ObjectId"},
      "removed": {"type": "boolean", "description": "the runner was removed too"},
      "key_generation": {"$ref": "#/components/schemas/Generation"},
      "grants": {"type": "integer", "description": "Key grants written"},
      "credential_keys": {"type": "integer", "description": "Data keys re-wrapped"},
      "connections": {"type": "integer", "description": "Connections re-sealed"},
      "rotate_recommended": {"type": "array",
        "items": {"$ref": "#/components/schemas/ObjectId"},
        "description": "Credentials the runner could open"}}},
  "MonitorDefault": {"type": "object", "additionalProperties": false,
    "required": ["default_interval_minutes"], "properties": {
      "default_interval_minutes": {"type": "integer", "minimum": 0, "maximum": 10080,
        "description": "0 = off"}}},
  "ConnectionMonitor": {"type": "object", "additionalProperties": false,
    "required": ["interval_minutes"], "properties": {
      "interval_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 10080,
        "description": "0 = off, null = the workspace default"}}},
  "ConnectionMonitorResult": {"type": "object",
    "required": ["connection_id", "interval_minutes", "effective_interval_minutes"],
    "properties": {
      "connection_id": {"$ref": "#/components/schemas/ObjectId"},
      "interval_minutes": {"type": ["integer", "null"]},
      "effective_interval_minutes": {"type": "integer"}}},
  "TestHistoryEntry": {"type": "object", "required": ["connection_id", "at", "tested_at",
    "outcome", "latency_ms", "runner_id", "source", "state_before", "state_after"],
    "description": "One verified test result: outcome codes, times and expiry dates only",
    "properties": {
      "connection_id": {"$ref": "#/components/schemas/ObjectId"},
      "at": {"$ref": "#/components/schemas/UnixSeconds"},
      "tested_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "outcome": {"type": "string"},
      "latency_ms": {"type": "integer"},
      "http_status": {"type": ["integer", "null"]},
      "runner_id": {"type": "string"},
      "source": {"type": "string", "enum": ["relay", "monitor"]},
      "state_before": {"type": "string"},
      "state_after": {"type": "string"},
      "client_cert_not_after": {"type": ["integer", "null"]},
      "server_cert_not_after": {"type": ["integer", "null"]},
      "token_expires_at": {"type": ["integer", "null"]}}},
  "TestHistoryList": {"type": "object", "required": ["items"], "properties": {
      "items": {"type": "array", "items": {"$ref": "#/components/schemas/TestHistoryEntry"}}}},
  "MonitorSettings": {"type": "object",
    "required": ["default_interval_minutes", "connections", "latest"], "properties": {
      "default_interval_minutes": {"type": "integer"},
      "connections": {"type": "array", "items": {"type": "object",
        "required": ["connection_id", "interval_minutes"], "properties": {
          "connection_id": {"$ref": "#/components/schemas/ObjectId"},
          "interval_minutes": {"type": "integer"}}}},
      "latest": {"type": "array", "items": {"$ref": "#/components/schemas/TestHistoryEntry"},
        "description": "The newest result of each connection (expiry warnings)"}}},
  "AuditEvent": {"type": "object",
    "required": ["id", "at", "actor_id", "action", "object_type", "object_id"],
    "properties": {
      "id": {"type": "string"},
      "at": {"$ref": "#/components/schemas/UnixSeconds"},
      "actor_id": {"$ref": "#/components/schemas/ObjectId"},
      "action": {"type": "string", "examples": ["credential.create"]},
      "object_type": {"type": "string", "examples": ["credential"]},
      "object_id": {"type": "string"}}},
  "CredentialGrant": {"type": "object", "additionalProperties": false,
    "required": ["workspace_id", "key_generation", "wrapped_data_key", "sealed_name"],
    "properties": {
      "workspace_id": {"$ref": "#/components/schemas/ObjectId"},
      "key_generation": {"$ref": "#/components/schemas/Generation"},
      "wrapped_data_key": {"$ref": "#/components/schemas/Envelope"},
      "sealed_name": {"$ref": "#/components/schemas/Envelope"}}},
  "SealedCredential": {"type": "object", "additionalProperties": false,
    "required": ["schema_version", "id", "owner_id", "workspace_id", "kind", "auth_method",
      "version", "created_at", "updated_at", "sealed_secret", "grants"], "properties": {
      "schema_version": {"type": "integer", "const": 1},
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "owner_id": {"$ref": "#/components/schemas/ObjectId"},
      "workspace_id": {"$ref": "#/components/schemas/ObjectId",
        "description": "The workspace that manages the credential"},
      "kind": {"$ref": "#/components/schemas/ServiceKind"},
      "auth_method": {"$ref": "#/components/schemas/AuthMethod"},
      "version": {"$ref": "#/components/schemas/Version"},
      "created_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "updated_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "sealed_secret": {"$ref": "#/components/schemas/Envelope"},
      "grants": {"type": "array", "items": {"$ref": "#/components/schemas/CredentialGrant"}},
      "rotate_recommended": {"type": "boolean"}}},
  "LastTest": {"type": "object", "additionalProperties": false,
    "required": ["outcome", "tested_at"], "properties": {
      "outcome": {"$ref": "#/components/schemas/TestOutcome"},
      "tested_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "latency_ms": {"type": "integer", "minimum": 0},
      "http_status": {"type": "integer", "minimum": 0, "maximum": 999},
      "runner_id": {"type": "string"}}},
  "SealedConnection": {"type": "object", "additionalProperties": false,
    "required": ["schema_version", "id", "workspace_id", "kind", "state", "environment_ids",
      "version", "created_at", "updated_at", "sealed_details"], "properties": {
      "schema_version": {"type": "integer", "const": 1},
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "workspace_id": {"$ref": "#/components/schemas/ObjectId"},
      "kind": {"$ref": "#/components/schemas/ServiceKind"},
      "state": {"$ref": "#/components/schemas/ConnectionState"},
      "credential_id": {"type": "string"},
      "managed": {"type": "boolean"},
      "insecure_skip_verify": {"type": "boolean"},
      "environment_ids": {"type": "array", "items": {"$ref": "#/components/schemas/ObjectId"}},
      "version": {"$ref": "#/components/schemas/Version"},
      "created_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "updated_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "sealed_details": {"$ref": "#/components/schemas/Envelope",
        "description": "Name, endpoint and TLS settings, sealed with the metadata key"},
      "last_test": {"$ref": "#/components/schemas/LastTest"}}},
  "ConnectionTransition": {"type": "object", "additionalProperties": false,
    "required": ["version"], "properties": {
      "version": {"$ref": "#/components/schemas/Version"},
      "to": {"$ref": "#/components/schemas/ConnectionState"},
      "test": {"$ref": "#/components/schemas/LastTest"}},
    "oneOf": [{"required": ["to"]}, {"required": ["test"]}]},
  "Environment": {"type": "object",
    "required": ["id", "workspace_id", "name", "version", "created_at", "updated_at"],
    "properties": {
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "workspace_id": {"$ref": "#/components/schemas/ObjectId"},
      "name": {"type": "string"},
      "version": {"$ref": "#/components/schemas/Version"},
      "created_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "updated_at": {"$ref": "#/components/schemas/UnixSeconds"}}},
  "EnvironmentCreate": {"type": "object", "additionalProperties": false,
    "required": ["id", "name"], "properties": {
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "name": {"type": "string", "minLength": 1}}},
  "EnvironmentPatch": {"type": "object", "additionalProperties": false,
    "required": ["name", "version"], "properties": {
      "name": {"type": "string", "minLength": 1},
      "version": {"$ref": "#/components/schemas/Version"}}},
  "Runner": {"type": "object", "required": ["id", "workspace_id", "name", "box_public_key",
    "sign_public_key", "created_at"], "properties": {
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "workspace_id": {"$ref": "#/components/schemas/ObjectId"},
      "name": {"type": "string"},
      "box_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "sign_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "created_at": {"$ref": "#/components/schemas/UnixSeconds"},
      "connected": {"type": "boolean",
        "description": "the runner is connected to this server now"},
      "granted": {"type": "boolean",
        "description": "the runner holds the workspace keys for active monitoring"}}},
  "BuiltinRunner": {"type": "object", "required": ["id", "name", "box_public_key",
    "sign_public_key", "fingerprint"], "properties": {
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "name": {"type": "string"},
      "box_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "sign_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "fingerprint": {"type": "string"}}},
  "ConnectionTestRequest": {"type": "object", "additionalProperties": false,
    "required": ["runner_id", "job"], "properties": {
      "runner_id": {"$ref": "#/components/schemas/ObjectId"},
      "job": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$",
        "description": "the test job sealed to the runner; the server cannot open it"}}},
  "SignedTestResult": {"type": "object", "required": ["payload", "signature"], "properties": {
      "payload": {"type": "string", "description": "canonical JSON text the runner signed"},
      "signature": {"$ref": "#/components/schemas/Base64Url"}}},
  "ConnectionTestAnswer": {"type": "object", "required": ["result", "connection"],
    "properties": {
      "result": {"$ref": "#/components/schemas/SignedTestResult"},
      "connection": {"$ref": "#/components/schemas/SealedConnection"}}},
  "RunnerCreate": {"type": "object", "additionalProperties": false,
    "required": ["id", "name", "box_public_key", "sign_public_key"], "properties": {
      "id": {"$ref": "#/components/schemas/ObjectId"},
      "name": {"type": "string", "minLength": 1},
      "box_public_key": {"$ref": "#/components/schemas/Base64Url"},
      "sign_public_key": {"$ref": "#/components/schemas/Base64Url"}}}
})json";

// A page of `item`: {"items": [...], "next_cursor": "..." | null}.
json PageOf(std::string_view item) {
  return {
      {"type", "object"},
      {"required", {"items", "next_cursor"}},
      {"properties",
       {{"items",
         {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/" + std::string(item)}}}}},
        {"next_cursor",
         {{"type", {"string", "null"}},
          {"description", "Pass as ?cursor= for the next page; null on the last"}}}}}};
}

template <typename E, typename NameFn>
json EnumOf(std::span<const E> values, NameFn name) {
  json names = json::array();
  for (const E value : values) names.push_back(std::string(name(value)));
  return {{"type", "string"}, {"enum", std::move(names)}};
}

// Enums without a list of all values: every value the name table knows.
template <typename E, typename NameFn>
json EnumByScan(NameFn name, int limit) {
  json names = json::array();
  for (int i = 0; i < limit; ++i) {
    const std::string_view text = name(static_cast<E>(i));
    if (text != "unknown") names.push_back(std::string(text));
  }
  return {{"type", "string"}, {"enum", std::move(names)}};
}

}  // namespace

json OpenApiSchemas() {
  json schemas = json::parse(kSchemas.begin(), kSchemas.end(), nullptr, /*allow_exceptions=*/false);
  if (schemas.is_discarded()) schemas = json::object();
  schemas["ServiceKind"] = EnumOf<ServiceKind>(kAllServiceKinds, ServiceKindName);
  schemas["ConnectionState"] = EnumOf<ConnectionState>(kAllConnectionStates, ConnectionStateName);
  schemas["Role"] = EnumOf<Role>(kAllRoles, RoleName);
  schemas["TestOutcome"] = EnumOf<TestOutcome>(kAllTestOutcomes, TestOutcomeName);
  schemas["AuthMethod"] = EnumByScan<AuthMethod>(AuthMethodName, 64);
  schemas["Action"] = EnumByScan<Action>(ActionName, static_cast<int>(kActionCount));
  schemas["WorkspacePage"] = PageOf("Workspace");
  schemas["MemberPage"] = PageOf("MemberDetail");
  schemas["AuditPage"] = PageOf("AuditEvent");
  schemas["CredentialPage"] = PageOf("SealedCredential");
  schemas["EnvironmentPage"] = PageOf("Environment");
  schemas["RunnerPage"] = PageOf("Runner");
  json connections = PageOf("SealedConnection");
  json counts = {{"type", "object"},
                 {"description",
                  "Connections per state (kind and environment filters "
                  "applied, not the state filter)"},
                 {"properties", json::object()}};
  for (const ConnectionState state : kAllConnectionStates) {
    counts["properties"][std::string(ConnectionStateName(state))] = {{"type", "integer"}};
  }
  connections["required"].push_back("counts");
  connections["properties"]["counts"] = std::move(counts);
  schemas["ConnectionPage"] = std::move(connections);
  return schemas;
}

}  // namespace credvault::server::ops
