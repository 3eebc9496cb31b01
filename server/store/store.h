// Store: the server's persistent state behind one seam (STYLE.md: LevelDB's Env), so that the
// SQLite engine (embedded default) and the PostgreSQL engine (hosted) pass one conformance
// suite (tests/server/store/store_conformance_test.cc) and handlers never see SQL.
//
// Transactions. Every mutation runs inside Store::Transact(fn): `fn` receives a Tx, and the
// transaction commits only if `fn` returns ok; any error (from a Tx call or from `fn`'s own
// checks) rolls everything back, so nothing is ever half-written. Reads that need a
// consistent view of several rows use Store::Read(fn) with a ReadTx (a snapshot). Transact and
// Read return `fn`'s status unchanged on failure, or the engine's error. The Tx/ReadTx is
// valid only inside `fn`, on the calling thread; `fn` must not call the Store again (a nested
// Transact or Read answers kInternal). Transact's `fn` runs exactly once: an engine never
// retries a write behind the caller's back. Read's `fn` may run a second time (read_cache.h:
// when a write overtook a read that had used cached rows, the first run's next statement
// failed with kUnavailable): a Read fn only computes its answer.
//
// Durability: once Transact has returned ok, the write survives a crash of the process or the
// machine (SQLite: WAL with synchronous=FULL; PostgreSQL: a synchronous commit).
//
// Thread-safety: a Store is safe to share between any number of threads (the server runs its
// io_context on N threads). Writers are serialised; readers run concurrently with them.
//
// Versions (optimistic concurrency, DESIGN §7). Every mutable row has a `version`, 1 when
// inserted (Insert* stores the row's version as given: it must be >= 1, callers pass 1).
// Update*(row, expected_version) succeeds only if the stored version equals
// `expected_version`, stores the row with version expected_version + 1 and returns that new
// version. For sealed rows (SealedCredential, SealedConnection) the version is bound into the
// envelope's associated data, so the row's own `version` must already be expected_version + 1
// (kInvalidArgument otherwise); for every other row the `version` field passed in is ignored.
// For the same reason the store never bumps the version of a credential or connection on its
// own (grants, the rotate flag and state changes leave it as it is).
//
// Errors (ErrorCodes of credvault/status.h):
//   kNotFound         the row (or a row it refers to: workspace, account, environment) is
//                     missing; a row of another workspace is missing too.
//   kConflict         a unique key is taken (id exists, email taken, name taken), or a version
//                     is stale. A stale version carries the current one: build it with
//                     StaleVersion() and read it back with CurrentVersionOf() (the message
//                     convention "... (current_version=N)" lives only in store.cc).
//   kInvalidArgument  bad input: an empty id or key, a text over kMaxTextBytes, a blob over
//                     kMaxBlobBytes, a version below 1, a page limit outside 1..kMaxPageLimit,
//                     a cursor this engine did not make.
//   kUnsupportedVersion  (at open) the database schema is newer than this code.
//   kInternal         the engine failed (I/O error, disk full, corrupt file); the message
//                     names the operation, never a column's contents.
// Ciphertext columns are opaque bytes: no engine ever logs or prints their contents.
#ifndef CREDVAULT_SERVER_STORE_STORE_H_
#define CREDVAULT_SERVER_STORE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "credvault/account.h"
#include "credvault/connection.h"
#include "credvault/connection_state.h"
#include "credvault/credential.h"
#include "credvault/kind.h"
#include "credvault/permissions.h"
#include "credvault/secret.h"
#include "credvault/status.h"
#include "credvault/workspace_keys.h"

namespace credvault::server {

// Limits every engine enforces (kInvalidArgument beyond them).
inline constexpr size_t kMaxBlobBytes = 1 << 20;  // an envelope is at most 1 MiB (crypto.h)
inline constexpr size_t kMaxTextBytes = 1024;     // ids, emails, names, hashes, keys
inline constexpr size_t kDefaultPageLimit = 50;
inline constexpr size_t kMaxPageLimit = 200;

// ---- Rows -------------------------------------------------------------------------------

struct AccountRow {
  AccountRecord record;            // record.account_id is the key; record.email is unique
  std::string auth_hash;           // HashLoginProof(auth key)
  std::string recovery_auth_hash;  // HashLoginProof(recovery auth key)
  uint64_t version = 1;
  int64_t created_at = 0;  // unix seconds
  int64_t updated_at = 0;
};

// A login session. Only digests of the token and CSRF token are stored.
struct SessionRow {
  Bytes token_digest;  // the key
  std::string account_id;
  Bytes csrf_digest;
  int64_t created_at = 0;
  int64_t expires_at = 0;  // the session is dead from this second on
};

struct WorkspaceRow {
  std::string id;
  std::string name;
  uint32_t key_generation = 1;  // the current generation of the workspace keys
  uint64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string created_by;  // account id
};

struct MemberRow {
  std::string workspace_id;
  std::string account_id;
  Role role = Role::kViewer;
  uint64_t version = 1;
  int64_t added_at = 0;
};

// A member with what others need to seal grants to them and pin their signing key.
struct MemberDetail {
  MemberRow member;
  std::string email;
  Bytes box_public_key;
  Bytes sign_public_key;
};

// One workspace an account belongs to, with its membership.
struct Membership {
  WorkspaceRow workspace;
  MemberRow member;
};

// A credential grant with the credential it belongs to.
struct CredentialGrantRow {
  std::string credential_id;
  CredentialGrant grant;
};

struct EnvironmentRow {
  std::string id;
  std::string workspace_id;
  std::string name;  // unique within the workspace
  uint64_t version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct RunnerRow {
  std::string id;  // unique within the workspace
  std::string workspace_id;
  std::string name;
  Bytes box_public_key;
  Bytes sign_public_key;
  int64_t created_at = 0;
};

// Who did what to which object, when. Never secret content.
struct AuditEvent {
  std::string id;  // unique
  std::string workspace_id;
  int64_t at = 0;
  std::string actor_id;
  std::string action;       // e.g. "credential.create"
  std::string object_type;  // e.g. "credential"
  std::string object_id;
};

// ---- Monitoring (active connection tests on a schedule) ---------------------------------

// Schedules are plaintext: the server decides when a test is due, so it must read them.
inline constexpr uint32_t kMaxMonitorIntervalMinutes = 7 * 24 * 60;  // a week
// The history keeps this many results per connection; older ones are dropped on append.
inline constexpr size_t kMaxTestHistoryPerConnection = 100;

struct MonitorSettings {
  uint32_t default_interval_minutes = 0;  // 0 = off
  // Connections with their own interval (0 = off for that one); absent = the default.
  std::map<std::string, uint32_t> connection_intervals;
};

// A connection whose effective interval (its own, else the workspace default) is >= 1.
struct MonitorTarget {
  std::string workspace_id;
  std::string connection_id;
  ConnectionState state = kInitialConnectionState;
  uint32_t interval_minutes = 0;
  int64_t last_tested_at = 0;  // unix seconds; 0 = never tested
};

// One verified test result, relayed or monitored. Outcome codes and times only: the
// runner's message may name hosts and never reaches the server's storage.
struct TestHistoryEntry {
  std::string workspace_id;
  std::string connection_id;
  int64_t at = 0;  // when the result was recorded, unix seconds
  TestOutcome outcome = TestOutcome::kOk;
  int64_t tested_at = 0;
  uint32_t latency_ms = 0;
  uint16_t http_status = 0;
  std::string runner_id;
  std::string source;  // "monitor" or "relay"
  ConnectionState state_before = kInitialConnectionState;
  ConnectionState state_after = kInitialConnectionState;
  // What the runner saw about to expire, unix seconds; 0 = nothing seen.
  int64_t client_cert_not_after = 0;
  int64_t server_cert_not_after = 0;
  int64_t token_expires_at = 0;
};

struct HistoryFilter {
  std::optional<std::string> connection_id;  // none = every connection of the workspace
  bool state_changes_only = false;           // the feed: entries whose state moved
  bool latest_per_connection = false;        // one entry per connection, its newest
  size_t limit = kDefaultPageLimit;          // 1..kMaxPageLimit
};

// ---- Pages and filters ------------------------------------------------------------------

// Lists are ordered by insertion (audit events: newest first) and paginated by an opaque
// cursor. Cursors are stable: paging while others insert never repeats or skips a row that
// existed throughout; rows inserted meanwhile appear on a later page (audit: not at all).
// Lists under a workspace (or account) that does not exist are empty, not kNotFound: callers
// check membership first.
struct PageRequest {
  std::string cursor;  // "" = first page; otherwise a next_cursor this engine returned
  size_t limit = kDefaultPageLimit;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // "" when there is nothing after this page
};

struct CredentialFilter {
  std::optional<ServiceKind> kind;
};

struct ConnectionFilter {
  std::optional<ServiceKind> kind;
  std::optional<ConnectionState> state;
  std::optional<std::string> environment_id;
};

struct ConnectionPage {
  std::vector<SealedConnection> items;
  std::string next_cursor;
  // Connections of the workspace per state, with the kind and environment filters applied
  // but NOT the state filter (so a UI shows every state's count while one is selected).
  // States with no connection are absent.
  std::map<ConnectionState, uint64_t> counts;
};

// ---- Transactions -----------------------------------------------------------------------

// Reads, inside a transaction or a read snapshot.
class ReadTx {
 public:
  virtual ~ReadTx() = default;

  // Accounts and sessions.
  virtual Result<AccountRow> GetAccount(std::string_view account_id) = 0;
  // Emails match ignoring ASCII case.
  virtual Result<AccountRow> GetAccountByEmail(std::string_view email) = 0;
  // kNotFound when missing or expired (expires_at <= now).
  virtual Result<SessionRow> GetSession(ByteView token_digest, int64_t now) = 0;
  // 0 when the counter was never incremented.
  virtual Result<uint64_t> GetCounter(std::string_view key, int64_t window_start) = 0;
  virtual Result<Bytes> GetServerSecret(std::string_view name) = 0;

  // Workspaces and members.
  virtual Result<WorkspaceRow> GetWorkspace(std::string_view workspace_id) = 0;
  virtual Result<Page<Membership>> ListWorkspacesOf(std::string_view account_id,
                                                    const PageRequest& page) = 0;
  virtual Result<MemberRow> GetMember(std::string_view workspace_id,
                                      std::string_view account_id) = 0;
  virtual Result<Page<MemberDetail>> ListMembers(std::string_view workspace_id,
                                                 const PageRequest& page) = 0;
  // Every member, unpaginated (to build the core's Workspace for CheckAddMember & co.).
  virtual Result<std::vector<MemberRow>> ListAllMembers(std::string_view workspace_id) = 0;

  // Key grants of `recipient_id` in the workspace, all generations, oldest first.
  virtual Result<std::vector<KeyGrant>> ListKeyGrants(std::string_view workspace_id,
                                                      std::string_view recipient_id) = 0;

  // Credentials: one is visible in a workspace when it has a grant for it. Get returns every
  // grant (callers show a workspace only its own); kNotFound when not granted to it.
  virtual Result<SealedCredential> GetCredential(std::string_view workspace_id,
                                                 std::string_view credential_id) = 0;
  virtual Result<Page<SealedCredential>> ListCredentials(std::string_view workspace_id,
                                                         const CredentialFilter& filter,
                                                         const PageRequest& page) = 0;
  // Every grant for the workspace (for key rotation), unpaginated.
  virtual Result<std::vector<CredentialGrantRow>> ListCredentialGrantsIn(
      std::string_view workspace_id) = 0;

  // Connections.
  virtual Result<SealedConnection> GetConnection(std::string_view workspace_id,
                                                 std::string_view connection_id) = 0;
  virtual Result<ConnectionPage> ListConnections(std::string_view workspace_id,
                                                 const ConnectionFilter& filter,
                                                 const PageRequest& page) = 0;
  // Every connection, in any workspace and any state (deleted ones too: the core's
  // FindCredentialUses decides which count), that names the credential.
  virtual Result<std::vector<SealedConnection>> ListConnectionsUsingCredential(
      std::string_view credential_id) = 0;
  // Every connection of the workspace, unpaginated (for key rotation).
  virtual Result<std::vector<SealedConnection>> ListAllConnections(
      std::string_view workspace_id) = 0;

  // Environments, runners, audit.
  virtual Result<EnvironmentRow> GetEnvironment(std::string_view workspace_id,
                                                std::string_view environment_id) = 0;
  virtual Result<Page<EnvironmentRow>> ListEnvironments(std::string_view workspace_id,
                                                        const PageRequest& page) = 0;
  virtual Result<RunnerRow> GetRunner(std::string_view workspace_id,
                                      std::string_view runner_id) = 0;
  virtual Result<Page<RunnerRow>> ListRunners(std::string_view workspace_id,
                                              const PageRequest& page) = 0;
  // Newest first.
  virtual Result<Page<AuditEvent>> ListAudit(std::string_view workspace_id,
                                             const PageRequest& page) = 0;

  // Monitoring. Settings of a workspace (kNotFound when it is missing).
  virtual Result<MonitorSettings> GetMonitorSettings(std::string_view workspace_id) = 0;
  // Every monitored connection of every workspace, in any state (the scheduler decides).
  virtual Result<std::vector<MonitorTarget>> ListMonitorTargets() = 0;
  // Newest first. kInvalidArgument for a limit outside 1..kMaxPageLimit.
  virtual Result<std::vector<TestHistoryEntry>> ListTestHistory(std::string_view workspace_id,
                                                                const HistoryFilter& filter) = 0;
  // Connections per workspace and state, every workspace (for /metrics).
  virtual Result<std::map<std::string, std::map<ConnectionState, uint64_t>>>
  CountConnectionsByState() = 0;
};

// Reads and writes, inside Store::Transact.
class Tx : public ReadTx {
 public:
  // Accounts. kConflict when the id exists or the email is taken (ignoring ASCII case).
  virtual Status InsertAccount(const AccountRow& row) = 0;
  virtual Result<uint64_t> UpdateAccount(const AccountRow& row, uint64_t expected_version) = 0;
  // Also ends the account's sessions and memberships (and their key grants).
  virtual Status DeleteAccount(std::string_view account_id) = 0;

  // Sessions. kNotFound when the account is missing.
  virtual Status InsertSession(const SessionRow& row) = 0;
  virtual Status DeleteSession(ByteView token_digest) = 0;  // kNotFound when absent
  // Ends every session of the account except `keep` (empty = none kept). Returns how many.
  virtual Result<uint64_t> DeleteSessionsOf(std::string_view account_id, ByteView keep) = 0;
  virtual Result<uint64_t> DeleteExpiredSessions(int64_t now) = 0;

  // Rate-limit counters: one per (key, window_start). Returns the count after adding `by`.
  virtual Result<uint64_t> IncrementCounter(std::string_view key, int64_t window_start,
                                            uint64_t by = 1) = 0;
  // Drops counters of windows that started before `window_start`. Returns how many.
  virtual Result<uint64_t> DeleteCountersBefore(int64_t window_start) = 0;

  // Server secrets (small key/value). kConflict when the name exists.
  virtual Status InsertServerSecret(std::string_view name, ByteView value) = 0;

  // Workspaces. Delete removes everything of the workspace: members, key grants, grants of
  // credentials to it (and credentials left with no grant at all), connections,
  // environments, runners and audit events.
  virtual Status InsertWorkspace(const WorkspaceRow& row) = 0;
  virtual Result<uint64_t> UpdateWorkspace(const WorkspaceRow& row, uint64_t expected_version) = 0;
  virtual Status DeleteWorkspace(std::string_view workspace_id) = 0;

  // Members. kNotFound when the workspace or account is missing; kConflict when a member.
  virtual Status InsertMember(const MemberRow& row) = 0;
  virtual Result<uint64_t> UpdateMember(const MemberRow& row, uint64_t expected_version) = 0;
  // Also deletes the member's key grants in the workspace (every generation).
  virtual Status DeleteMember(std::string_view workspace_id, std::string_view account_id) = 0;

  // Key grants, keyed by (workspace, recipient, generation): Put inserts or replaces (a role
  // gaining the secrets key gets a new grant of the same generation). kNotFound when the
  // workspace is missing.
  virtual Status PutKeyGrant(const KeyGrant& grant) = 0;
  // Returns how many were deleted (0 is not an error).
  virtual Result<uint64_t> DeleteKeyGrants(std::string_view workspace_id,
                                           std::string_view recipient_id) = 0;

  // Credentials. Insert stores the credential and its grants (kNotFound when a grant's
  // workspace is missing). Update writes kind, method, secret, timestamps and the rotate
  // flag, and puts every grant in row.grants (grants not listed stay as they are).
  // Delete removes the credential everywhere with its grants (it does not check uses:
  // callers run ListConnectionsUsingCredential in the same transaction).
  virtual Status InsertCredential(const SealedCredential& row) = 0;
  virtual Result<uint64_t> UpdateCredential(const SealedCredential& row,
                                            uint64_t expected_version) = 0;
  virtual Status DeleteCredential(std::string_view credential_id) = 0;
  // Inserts or replaces the credential's grant for grant.workspace_id. kNotFound when the
  // credential or workspace is missing.
  virtual Status PutCredentialGrant(std::string_view credential_id,
                                    const CredentialGrant& grant) = 0;
  virtual Status DeleteCredentialGrant(std::string_view credential_id,
                                       std::string_view workspace_id) = 0;
  virtual Status SetRotateRecommended(std::string_view credential_id, bool value) = 0;

  // Connections. kNotFound when the workspace or one of the environments is missing (an
  // environment of another workspace is missing too).
  virtual Status InsertConnection(const SealedConnection& row) = 0;
  virtual Result<uint64_t> UpdateConnection(const SealedConnection& row,
                                            uint64_t expected_version) = 0;
  // A state change the server decides (a transition, a test result) without re-sealing: the
  // version stays (it is bound into sealed_details), so the write is a compare-and-set on
  // both version and state: kConflict (with the current version) when either moved.
  // `last_test`, when given, replaces the stored one. Sets updated_at = now.
  virtual Status SetConnectionState(std::string_view workspace_id, std::string_view connection_id,
                                    uint64_t expected_version, ConnectionState expected_state,
                                    ConnectionState new_state,
                                    const std::optional<LastTest>& last_test, int64_t now) = 0;
  virtual Status DeleteConnection(std::string_view workspace_id,
                                  std::string_view connection_id) = 0;

  // Environments. kConflict when the name is taken in the workspace. Delete also removes
  // the environment from the connections that listed it (environment ids are plaintext,
  // not sealed, so their versions stay).
  virtual Status InsertEnvironment(const EnvironmentRow& row) = 0;
  virtual Result<uint64_t> UpdateEnvironment(const EnvironmentRow& row,
                                             uint64_t expected_version) = 0;
  virtual Status DeleteEnvironment(std::string_view workspace_id,
                                   std::string_view environment_id) = 0;

  // Runners.
  virtual Status InsertRunner(const RunnerRow& row) = 0;
  virtual Status DeleteRunner(std::string_view workspace_id, std::string_view runner_id) = 0;

  // Audit. kConflict when the id exists; kNotFound when the workspace is missing.
  virtual Status AppendAudit(const AuditEvent& event) = 0;

  // Monitoring. kNotFound when the workspace (or connection) is missing; kInvalidArgument
  // for an interval over kMaxMonitorIntervalMinutes. `interval_minutes` nullopt: the
  // connection follows the workspace default. Neither touches a version (plaintext
  // settings, not sealed).
  virtual Status SetMonitorDefault(std::string_view workspace_id, uint32_t interval_minutes) = 0;
  virtual Status SetConnectionMonitor(std::string_view workspace_id,
                                      std::string_view connection_id,
                                      std::optional<uint32_t> interval_minutes) = 0;
  // Appends and keeps the newest kMaxTestHistoryPerConnection of the connection. kNotFound
  // when the connection is missing; deleting the connection deletes its history.
  virtual Status AppendTestHistory(const TestHistoryEntry& entry) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs `fn` in one write transaction; commits only if it returns ok. See the file comment.
  virtual Status Transact(const std::function<Status(Tx&)>& fn) = 0;
  // Runs `fn` on a consistent read snapshot.
  virtual Status Read(const std::function<Status(ReadTx&)>& fn) = 0;
  // Ok when the engine can serve (for /readyz).
  virtual Status Ping() = 0;
  // "sqlite", "postgresql": for logs and metrics labels.
  virtual std::string_view EngineName() const = 0;
};

// Typed variants: the value `fn` returns, or its error (nothing written on error).
template <typename T>
Result<T> TransactResult(Store& store, const std::function<Result<T>(Tx&)>& fn) {
  std::optional<T> out;
  Status status = store.Transact([&](Tx& tx) -> Status {
    Result<T> r = fn(tx);
    if (!r.ok()) return r.status();
    out.emplace(std::move(r).value());
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*out);
}
template <typename T>
Result<T> ReadResult(Store& store, const std::function<Result<T>(ReadTx&)>& fn) {
  std::optional<T> out;
  Status status = store.Read([&](ReadTx& tx) -> Status {
    Result<T> r = fn(tx);
    if (!r.ok()) return r.status();
    out.emplace(std::move(r).value());
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return std::move(*out);
}

// kConflict for a stale version of `what` ("credential", ...), carrying `current_version`.
Status StaleVersion(std::string_view what, uint64_t current_version);
// The current version a StaleVersion status carries; nullopt for any other status (a taken
// id or email is a kConflict without one).
std::optional<uint64_t> CurrentVersionOf(const Status& status);

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_STORE_H_
