// ReadCache: the rows an authenticated read fetches every time (the session by its token
// digest, the caller's membership and workspace, a credential as a workspace sees it), kept in
// memory between the read transactions of one store, so that repeating a GET reads no row
// again (on SQLite five SELECTs, BEGIN and COMMIT were ~40% of the server's CPU on `make
// bench`; on PostgreSQL they were seven round trips).
//
// Correct by a store generation that every write advances: rows are kept for one generation
// only, and a read uses the rows of its own generation. The engines keep the generation their
// own way. SQLite (one process per file, SqliteStore's lock): an in-process counter, odd while a
// write runs; a read captures it when it starts and skips the cache if it is odd; when it first
// needs the file, its snapshot starts and SnapshotStarted compares the counter again. PostgreSQL
// (several servers): a row that each write transaction increments; a read reads it inside its
// snapshot, so its generation is its snapshot's, and nothing can change under it.
// SnapshotStarted: generation unchanged, the snapshot shows the same moment as the cached rows
// (rows read from it are cached too); changed with no cached row used yet, the read goes on
// from the snapshot alone; changed after cached rows were used, the statement fails and the
// store runs the read again without the cache. So a read never sees rows from two moments.
//
// Thread-safety: rows live per thread (no lock on the read path): a thread's rows are dropped
// when it next reads at another generation or for another cache. A Scope is used by the thread
// that made it, for one transaction. Bounded: a table that would pass kMaxRows is emptied
// first, and so are the credentials when their ciphertext would pass kMaxCredentialBytes.
#ifndef CREDVAULT_SERVER_STORE_READ_CACHE_H_
#define CREDVAULT_SERVER_STORE_READ_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace credvault::server {

class ReadCache {
 public:
  static constexpr size_t kMaxRows = 4096;                         // per table and thread
  static constexpr size_t kMaxCredentialBytes = size_t{16} << 20;  // per thread

  ReadCache();
  ReadCache(const ReadCache&) = delete;
  ReadCache& operator=(const ReadCache&) = delete;

  // One read transaction's view of this thread's rows at `generation`.
  class Scope {
   public:
    Scope(const ReadCache& cache, uint64_t generation);
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    // A cached row, or null. The pointer is valid until the next Put.
    const SessionRow* FindSession(ByteView token_digest);
    const WorkspaceRow* FindWorkspace(std::string_view workspace_id);
    const MemberRow* FindMember(std::string_view workspace_id, std::string_view account_id);
    const SealedCredential* FindCredential(std::string_view workspace_id,
                                           std::string_view credential_id);

    void PutSession(const SessionRow& row);
    void PutWorkspace(const WorkspaceRow& row);
    void PutMember(const MemberRow& row);
    // `row` as GetCredential(workspace_id, row.id) returned it.
    void PutCredential(std::string_view workspace_id, const SealedCredential& row);

    // Right after the read's snapshot started, with the store's generation then (see above).
    // Not Ok (kUnavailable) only when the read must be run again: aborted() then says so.
    Status SnapshotStarted(uint64_t generation);
    bool aborted() const { return aborted_; }

    // This thread's cached credentials: how many, and their ciphertext bytes.
    static size_t CachedCredentials();
    static size_t CachedCredentialBytes();

   private:
    template <typename Table>
    const typename Table::mapped_type* Find(Table& table, std::string_view key);
    const std::string& PairKey(std::string_view a, std::string_view b);

    const uint64_t generation_;
    bool enabled_ = true;
    bool aborted_ = false;
    size_t hits_ = 0;
    std::string key_;  // scratch for two-part keys
  };

 private:
  const uint64_t id_;  // tells this cache's rows from another's (addresses get reused)
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_READ_CACHE_H_
