// ReadCache: the rows an authenticated read fetches every time (the session by its token
// digest, the caller's membership and workspace, a credential as a workspace sees it), kept in
// memory between the read transactions of one SqliteStore, so that repeating a GET answers
// without opening an SQLite transaction (five SELECTs, BEGIN and COMMIT were ~40% of the
// server's CPU on `make bench`).
//
// Correct by a generation counter, seqlock style: odd while one of the store's write
// transactions runs, advanced by two per write, so every write invalidates every cached row. A
// read captures the generation when it starts and uses the cache only when it is even, and
// only rows cached at that same generation. When it first needs SQLite, its snapshot starts
// and SnapshotStarted compares the generation again: unchanged, the snapshot shows the same
// moment as the cached rows (rows read from it are cached too); changed, with no cached row
// used yet, the read goes on from the snapshot alone; changed after cached rows were used,
// the statement fails and SqliteStore::Read runs the read again without the cache. So a read
// never sees rows from two moments. The cache sees only this process's writes, which is why
// SqliteStore holds an exclusive lock on its file.
//
// Thread-safety: Generation, BeginWrite and EndWrite from any thread (writes are serialised by
// the store). Rows live per thread (no lock on the read path): a thread's rows are dropped when
// it next reads at another generation or for another cache. A Scope is used by the thread that
// made it, for one transaction. Bounded: a table that would pass kMaxRows is emptied first.
#ifndef CREDVAULT_SERVER_STORE_READ_CACHE_H_
#define CREDVAULT_SERVER_STORE_READ_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace credvault::server {

class ReadCache {
 public:
  static constexpr size_t kMaxRows = 4096;  // per table and thread

  ReadCache();
  ReadCache(const ReadCache&) = delete;
  ReadCache& operator=(const ReadCache&) = delete;

  uint64_t Generation() const { return generation_.load(); }
  // True while a write transaction runs (the generation is odd): a read then skips the cache.
  static bool Writing(uint64_t generation) { return (generation & 1) != 0; }
  // Around every write transaction, whatever its outcome.
  void BeginWrite() { generation_.fetch_add(1); }
  void EndWrite() { generation_.fetch_add(1); }

  // One read transaction's view of this thread's rows at `generation` (even).
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

    // Right after the read's SQLite snapshot started (see above). Not Ok (kUnavailable) only
    // when the read must be run again: aborted() then tells the store so.
    Status SnapshotStarted();
    bool aborted() const { return aborted_; }

   private:
    template <typename Table>
    const typename Table::mapped_type* Find(Table& table, std::string_view key);
    const std::string& PairKey(std::string_view a, std::string_view b);

    const ReadCache& cache_;
    const uint64_t generation_;
    bool enabled_ = true;
    bool aborted_ = false;
    size_t hits_ = 0;
    std::string key_;  // scratch for two-part keys
  };

 private:
  const uint64_t id_;  // tells this cache's rows from another's (addresses get reused)
  std::atomic<uint64_t> generation_{0};
};

}  // namespace credvault::server

#endif  // CREDVAULT_SERVER_STORE_READ_CACHE_H_
