// SqliteTx: the SQLite engine's Tx, bound to one connection inside one open transaction
// (SqliteStore opens and ends the transaction; SqliteTx only runs statements).
//
// Not thread-safe: it lives on the stack of the thread that runs the transaction. Errors as in
// store.h. Split over sqlite_tx_{accounts,workspaces,credentials,connections,monitoring}.cc.
#ifndef CREDVAULT_SERVER_STORE_SQLITE_TX_H_
#define CREDVAULT_SERVER_STORE_SQLITE_TX_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sqlite_db.h"
#include "store/store.h"
#include "store/store_checks.h"

namespace credvault::server::sqlite {

class SqliteTx final : public Tx {
 public:
  explicit SqliteTx(Connection& db) : db_(db) {}

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
  // Runs `sql` (a statement whose ?1..?n are the text `keys`) and returns rows changed.
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
  // Every connection that `sql` (kConnectionColumns + a WHERE on ?1 = `key`) selects, complete.
  Result<std::vector<SealedConnection>> ListConnectionsWhere(const std::string& sql,
                                                            const char* what,
                                                            std::string_view key);

  Connection& db_;
};

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

}  // namespace credvault::server::sqlite

#endif  // CREDVAULT_SERVER_STORE_SQLITE_TX_H_
