#include "store/read_cache.h"

#include <atomic>
#include <functional>
#include <unordered_map>

namespace credvault::server {
namespace {

// Looked up by a string_view without copying it (transparent hash and equality).
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
template <typename Row>
using Table = std::unordered_map<std::string, Row, TextHash, std::equal_to<>>;

// This thread's rows: for one cache at one generation.
struct ThreadRows {
  uint64_t cache_id = 0;
  uint64_t generation = 0;
  Table<SessionRow> sessions;
  Table<WorkspaceRow> workspaces;
  Table<MemberRow> members;
  Table<SealedCredential> credentials;
  size_t credential_bytes = 0;  // ciphertext held in `credentials`
};
thread_local ThreadRows t_rows;

std::atomic<uint64_t> g_next_cache_id{1};

// What a cached credential holds in ciphertext, the bulk of its size.
size_t CiphertextBytes(const SealedCredential& row) {
  size_t bytes = row.sealed_secret.size();
  for (const CredentialGrant& grant : row.grants) {
    bytes += grant.wrapped_data_key.size() + grant.sealed_name.size();
  }
  return bytes;
}

std::string_view AsText(ByteView bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

template <typename Row>
void Put(Table<Row>& table, std::string_view key, const Row& row) {
  auto it = table.find(key);
  if (it != table.end()) {
    it->second = row;
    return;
  }
  if (table.size() >= ReadCache::kMaxRows) table.clear();
  table.emplace(std::string(key), row);
}

}  // namespace

ReadCache::ReadCache() : id_(g_next_cache_id.fetch_add(1)) {}

ReadCache::Scope::Scope(const ReadCache& cache, uint64_t generation) : generation_(generation) {
  if (t_rows.cache_id != cache.id_ || t_rows.generation != generation) {
    t_rows.sessions.clear();
    t_rows.workspaces.clear();
    t_rows.members.clear();
    t_rows.credentials.clear();
    t_rows.credential_bytes = 0;
    t_rows.cache_id = cache.id_;
    t_rows.generation = generation;
  }
}

Status ReadCache::Scope::SnapshotStarted(uint64_t generation) {
  if (generation == generation_) return Status::Ok();
  enabled_ = false;  // the snapshot is newer than the cached rows: no mixing from here on
  if (hits_ == 0) return Status::Ok();
  aborted_ = true;
  return Status(ErrorCode::kUnavailable, "the store changed during this read");
}

template <typename Table>
const typename Table::mapped_type* ReadCache::Scope::Find(Table& table, std::string_view key) {
  if (!enabled_) return nullptr;
  auto it = table.find(key);
  if (it == table.end()) return nullptr;
  ++hits_;
  return &it->second;
}

const std::string& ReadCache::Scope::PairKey(std::string_view a, std::string_view b) {
  // The first part's length first: no two pairs make the same key, whatever bytes they hold.
  key_.assign(std::to_string(a.size()));
  key_.push_back(':');
  key_.append(a);
  key_.append(b);
  return key_;
}

const SessionRow* ReadCache::Scope::FindSession(ByteView token_digest) {
  return Find(t_rows.sessions, AsText(token_digest));
}

const WorkspaceRow* ReadCache::Scope::FindWorkspace(std::string_view workspace_id) {
  return Find(t_rows.workspaces, workspace_id);
}

const MemberRow* ReadCache::Scope::FindMember(std::string_view workspace_id,
                                              std::string_view account_id) {
  return Find(t_rows.members, PairKey(workspace_id, account_id));
}

const SealedCredential* ReadCache::Scope::FindCredential(std::string_view workspace_id,
                                                         std::string_view credential_id) {
  return Find(t_rows.credentials, PairKey(workspace_id, credential_id));
}

void ReadCache::Scope::PutSession(const SessionRow& row) {
  if (!enabled_) return;
  Put(t_rows.sessions, AsText(row.token_digest), row);
}

void ReadCache::Scope::PutWorkspace(const WorkspaceRow& row) {
  if (!enabled_) return;
  Put(t_rows.workspaces, row.id, row);
}

void ReadCache::Scope::PutMember(const MemberRow& row) {
  if (!enabled_) return;
  Put(t_rows.members, PairKey(row.workspace_id, row.account_id), row);
}

void ReadCache::Scope::PutCredential(std::string_view workspace_id, const SealedCredential& row) {
  if (!enabled_) return;
  const size_t bytes = CiphertextBytes(row);
  if (bytes > kMaxCredentialBytes) return;
  Table<SealedCredential>& table = t_rows.credentials;
  const std::string& key = PairKey(workspace_id, row.id);
  auto it = table.find(key);
  if (it != table.end()) {
    t_rows.credential_bytes -= CiphertextBytes(it->second);
    table.erase(it);
  }
  if (table.size() >= kMaxRows || t_rows.credential_bytes + bytes > kMaxCredentialBytes) {
    table.clear();
    t_rows.credential_bytes = 0;
  }
  table.emplace(key, row);
  t_rows.credential_bytes += bytes;
}

size_t ReadCache::Scope::CachedCredentials() { return t_rows.credentials.size(); }

size_t ReadCache::Scope::CachedCredentialBytes() { return t_rows.credential_bytes; }

}  // namespace credvault::server
