// SqlTx: the store's Tx written once in SQL for both engines, bound to one connection inside one
// open transaction (SqliteStore / PostgresStore open and end the transaction, with what is truly
// engine-specific: pooling, BEGIN flavours, locks, retries; SqlTx only runs statements).
//
// SqlTx is a template over an Engine (SqlEngine below: sqlite::Engine, pg::Engine) rather than
// an abstract connection class, so that the SQLite hot path keeps its borrowed, cached
// statements with no indirection, and so that a statement built from the engine's few dialect
// fragments is composed once per engine (a function-local static is per instantiation). SQL uses
// $N parameters; the SQLite engine rewrites them to ?N when it first prepares a statement. The
// rest keeps to what both dialects read alike: CAST($N AS TEXT) IS NULL (PostgreSQL must know a
// parameter's type even in a NULL test), TRUE/FALSE, a table-qualified column in ON CONFLICT DO
// UPDATE (unqualified, PostgreSQL finds it ambiguous with EXCLUDED). Each
// sql_tx_{common,accounts,workspaces,environments,credentials,connections,monitoring}.cc defines
// its members and instantiates them for both engines.
//
// Not thread-safe: it lives on the stack of the thread that runs the transaction. Errors as in
// store.h; each engine maps its own codes (unique / foreign key violations) in its Statement.
#ifndef CREDVAULT_SERVER_STORE_SQL_TX_H_
#define CREDVAULT_SERVER_STORE_SQL_TX_H_

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/pg_db.h"
#include "store/read_cache.h"
#include "store/sqlite_db.h"
#include "store/store.h"
#include "store/store_checks.h"

namespace credvault::server::sql {

// What SqlTx needs of an engine: a connection whose Prepare returns a statement with 1-based
// Bind*, Step/Run and 0-based column getters, the rows changed by the last write, and the
// dialect fragments for what the two SQL dialects say differently.
template <typename E>
concept SqlEngine = requires(typename E::Connection& db, typename E::Statement& s, int i) {
  { db.Prepare("", std::string_view()) } -> std::same_as<Result<typename E::Statement>>;
  { db.Changes() } -> std::same_as<int64_t>;
  { s.BindText(i, std::string_view()) } -> std::same_as<typename E::Statement&>;
  { s.BindBlob(i, ByteView()) } -> std::same_as<typename E::Statement&>;
  { s.BindInt(i, int64_t{0}) } -> std::same_as<typename E::Statement&>;
  { s.BindNull(i) } -> std::same_as<typename E::Statement&>;
  { s.Step() } -> std::same_as<Result<bool>>;
  { s.Run() } -> std::same_as<Status>;
  { s.IsNull(i) } -> std::same_as<bool>;
  { s.Int(i) } -> std::same_as<int64_t>;
  { s.Text(i) } -> std::same_as<std::string>;
  { s.Blob(i) } -> std::same_as<Bytes>;
  // A WHERE condition: accounts.email equals $1 ignoring ASCII case, through the engine's
  // unique index on emails.
  { E::kEmailMatches } -> std::convertible_to<const char*>;
  // The column that orders credential_grants rows as they were inserted.
  { E::kGrantOrder } -> std::convertible_to<const char*>;
};

template <SqlEngine Engine>
class SqlTx final : public Tx {
 public:
  using Connection = typename Engine::Connection;
  using Statement = typename Engine::Statement;

  // With a ReadCache scope (the SQLite engine's reads), GetSession, GetWorkspace, GetMember and
  // GetCredential answer from it when they can and fill it when they read a row.
  explicit SqlTx(Connection& db, ReadCache::Scope* cache = nullptr) : db_(db), cache_(cache) {}

  // ReadTx.
  Result<AccountRow> GetAccount(std::string_view account_id) override;
  Result<AccountRow> GetAccountByEmail(std::string_view email) override;
  Result<SessionRow> GetSession(ByteView token_digest, int64_t now) override;
  Result<uint64_t> GetCounter(std::string_view key, int64_t window_start) override;
  Result<Bytes> GetServerSecret(std::string_view name) override;
  Result<WorkspaceRow> GetWorkspace(std::string_view workspace_id) override;
  Result<Page<Membership>> ListWorkspacesOf(std::string_view account_id,
                                            const PageRequest& page) override;
  Result<MemberRow> GetMember(std::string_view workspace_id, std::string_view account_id) override;
  Result<Page<MemberDetail>> ListMembers(std::string_view workspace_id,
                                         const PageRequest& page) override;
  Result<std::vector<MemberRow>> ListAllMembers(std::string_view workspace_id) override;
  Result<std::vector<KeyGrant>> ListKeyGrants(std::string_view workspace_id,
                                              std::string_view recipient_id) override;
  Result<SealedCredential> GetCredential(std::string_view workspace_id,
                                         std::string_view credential_id) override;
  Result<Page<SealedCredential>> ListCredentials(std::string_view workspace_id,
                                                 const CredentialFilter& filter,
                                                 const PageRequest& page) override;
  Result<std::vector<CredentialGrantRow>> ListCredentialGrantsIn(
      std::string_view workspace_id) override;
  Result<SealedConnection> GetConnection(std::string_view workspace_id,
                                         std::string_view connection_id) override;
  Result<ConnectionPage> ListConnections(std::string_view workspace_id,
                                         const ConnectionFilter& filter,
                                         const PageRequest& page) override;
  Result<std::vector<SealedConnection>> ListConnectionsUsingCredential(
      std::string_view credential_id) override;
  Result<std::vector<SealedConnection>> ListAllConnections(std::string_view workspace_id) override;
  Result<EnvironmentRow> GetEnvironment(std::string_view workspace_id,
                                        std::string_view environment_id) override;
  Result<Page<EnvironmentRow>> ListEnvironments(std::string_view workspace_id,
                                                const PageRequest& page) override;
  Result<RunnerRow> GetRunner(std::string_view workspace_id, std::string_view runner_id) override;
  Result<Page<RunnerRow>> ListRunners(std::string_view workspace_id,
                                      const PageRequest& page) override;
  Result<Page<AuditEvent>> ListAudit(std::string_view workspace_id,
                                     const PageRequest& page) override;
  Result<MonitorSettings> GetMonitorSettings(std::string_view workspace_id) override;
  Result<std::vector<MonitorTarget>> ListMonitorTargets() override;
  Result<std::vector<TestHistoryEntry>> ListTestHistory(std::string_view workspace_id,
                                                        const HistoryFilter& filter) override;
  Result<std::map<std::string, std::map<ConnectionState, uint64_t>>> CountConnectionsByState()
      override;

  // Tx.
  Status InsertAccount(const AccountRow& row) override;
  Result<uint64_t> UpdateAccount(const AccountRow& row, uint64_t expected_version) override;
  Status DeleteAccount(std::string_view account_id) override;
  Status InsertSession(const SessionRow& row) override;
  Status DeleteSession(ByteView token_digest) override;
  Result<uint64_t> DeleteSessionsOf(std::string_view account_id, ByteView keep) override;
  Result<uint64_t> DeleteExpiredSessions(int64_t now) override;
  Result<uint64_t> IncrementCounter(std::string_view key, int64_t window_start,
                                    uint64_t by) override;
  Result<uint64_t> DeleteCountersBefore(int64_t window_start) override;
  Status InsertServerSecret(std::string_view name, ByteView value) override;
  Status InsertWorkspace(const WorkspaceRow& row) override;
  Result<uint64_t> UpdateWorkspace(const WorkspaceRow& row, uint64_t expected_version) override;
  Status DeleteWorkspace(std::string_view workspace_id) override;
  Status InsertMember(const MemberRow& row) override;
  Result<uint64_t> UpdateMember(const MemberRow& row, uint64_t expected_version) override;
  Status DeleteMember(std::string_view workspace_id, std::string_view account_id) override;
  Status PutKeyGrant(const KeyGrant& grant) override;
  Result<uint64_t> DeleteKeyGrants(std::string_view workspace_id,
                                   std::string_view recipient_id) override;
  Status InsertCredential(const SealedCredential& row) override;
  Result<uint64_t> UpdateCredential(const SealedCredential& row,
                                    uint64_t expected_version) override;
  Status DeleteCredential(std::string_view credential_id) override;
  Status PutCredentialGrant(std::string_view credential_id, const CredentialGrant& grant) override;
  Status DeleteCredentialGrant(std::string_view credential_id,
                               std::string_view workspace_id) override;
  Status SetRotateRecommended(std::string_view credential_id, bool value) override;
  Status InsertConnection(const SealedConnection& row) override;
  Result<uint64_t> UpdateConnection(const SealedConnection& row,
                                    uint64_t expected_version) override;
  Status SetConnectionState(std::string_view workspace_id, std::string_view connection_id,
                            uint64_t expected_version, ConnectionState expected_state,
                            ConnectionState new_state, const std::optional<LastTest>& last_test,
                            int64_t now) override;
  Status DeleteConnection(std::string_view workspace_id, std::string_view connection_id) override;
  Status InsertEnvironment(const EnvironmentRow& row) override;
  Result<uint64_t> UpdateEnvironment(const EnvironmentRow& row, uint64_t expected_version) override;
  Status DeleteEnvironment(std::string_view workspace_id, std::string_view environment_id) override;
  Status InsertRunner(const RunnerRow& row) override;
  Status DeleteRunner(std::string_view workspace_id, std::string_view runner_id) override;
  Status AppendAudit(const AuditEvent& event) override;
  Status SetMonitorDefault(std::string_view workspace_id, uint32_t interval_minutes) override;
  Status SetConnectionMonitor(std::string_view workspace_id, std::string_view connection_id,
                              std::optional<uint32_t> interval_minutes) override;
  Status AppendTestHistory(const TestHistoryEntry& entry) override;

 private:
  // Runs `sql` (a statement whose $1..$n are the text `keys`) and returns rows changed.
  Result<int64_t> Execute(const char* sql, std::string_view what,
                          std::initializer_list<std::string_view> keys);
  // kNotFound unless `sql` (bound to `keys`) yields a row.
  Status Exists(const char* sql, std::string_view what,
                std::initializer_list<std::string_view> keys);
  // The stored version via `sql` (one column, keys bound as text): kNotFound when no row,
  // StaleVersion when it differs from `expected`. Returns expected + 1.
  Result<uint64_t> NextVersion(const char* sql, std::string_view what,
                               std::initializer_list<std::string_view> keys, uint64_t expected);
  Result<std::vector<CredentialGrant>> LoadCredentialGrants(std::string_view credential_id);
  Status WriteCredentialGrants(std::string_view credential_id,
                               const std::vector<CredentialGrant>& grants);
  Result<std::vector<std::string>> LoadEnvironmentIds(std::string_view connection_id);
  Status WriteEnvironmentIds(const SealedConnection& row);
  // Fills the environment ids of each connection.
  Status CompleteConnections(std::vector<SealedConnection>& connections);
  // Every connection that `sql` (kConnectionColumns + a WHERE on $1 = `key`) selects, complete.
  Result<std::vector<SealedConnection>> ListConnectionsWhere(const std::string& sql,
                                                             const char* what,
                                                             std::string_view key);

  Connection& db_;
  ReadCache::Scope* const cache_;
};

// Each sql_tx_*.cc ends with this: it instantiates, for both engines, the members defined there
// (an explicit instantiation covers the members defined in its file; the class-level parts it
// repeats across files are weak symbols in GCC and Clang, which the linker merges).
#define CV_SQL_TX_INSTANTIATE()         \
  template class SqlTx<sqlite::Engine>; \
  template class SqlTx<pg::Engine>

extern template class SqlTx<sqlite::Engine>;
extern template class SqlTx<pg::Engine>;

// Codecs for the core's enums as stored names; a name the core does not know is a corrupt row.
Result<Role> RoleFromColumn(const std::string& name);
Result<ServiceKind> KindFromColumn(const std::string& name);
Result<AuthMethod> MethodFromColumn(const std::string& name);
Result<ConnectionState> StateFromColumn(const std::string& name);
Result<TestOutcome> OutcomeFromColumn(const std::string& name);

// Splits a page: the first `limit` rows stay; next_cursor names the last kept row's sequence
// when more were fetched. `seqs` runs parallel to `items`.
template <typename T>
Page<T> MakePage(std::vector<T> items, const std::vector<int64_t>& seqs, size_t limit) {
  Page<T> page;
  if (items.size() > limit) {
    items.resize(limit);
    page.next_cursor = store_checks::EncodeSeqCursor(seqs[limit - 1]);
  }
  page.items = std::move(items);
  return page;
}
// Where a seq-ordered page starts: 0 (or INT64_MAX descending) for the first page.
Result<int64_t> PageStart(const PageRequest& page, bool descending);

}  // namespace credvault::server::sql

#endif  // CREDVAULT_SERVER_STORE_SQL_TX_H_
