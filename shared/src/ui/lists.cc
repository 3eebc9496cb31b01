// List view models. Filtering and sorting work on indices and compare strings in place
// (ASCII case folding, no lower-cased copies), so nothing is allocated per item.
#include <algorithm>
#include <mutex>

#include "credvault/ui.h"

namespace credvault {
namespace {

char Fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string FoldAll(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Fold(c);
  return out;
}

// `needle` is already folded.
bool ContainsFolded(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  const char first = needle[0];
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (Fold(haystack[i]) != first) continue;
    size_t k = 1;
    while (k < needle.size() && Fold(haystack[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

int CompareFolded(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    char x = Fold(a[i]), y = Fold(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

template <typename E>
bool InList(const std::vector<E>& list, E value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

// A row's sort key: an 8-byte prefix (of a folded string, or a biased integer) decides most
// comparisons without touching the item, which keeps 100,000-row sorts in cache; only ties
// read the strings.
struct SortKey {
  uint64_t primary;
  uint32_t row;
};

uint64_t FoldedPrefix(std::string_view s) {
  uint64_t out = 0;
  for (size_t i = 0; i < 8; ++i) {
    out = (out << 8) | (i < s.size() ? static_cast<unsigned char>(Fold(s[i])) : 0);
  }
  return out;
}

uint64_t Biased(int64_t v) { return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63); }

// Sorts `rows` (then by name, then by index: a total order), only as far as the page
// needs, and cuts the page. `primary_key` gives an item's primary key; `primary_text`, for
// text keys, the full string that breaks ties between equal prefixes (nullptr otherwise).
template <typename Item, typename RowKey, typename Text>
void SortAndPageByRow(std::span<const Item> items, std::vector<uint32_t>* rows, RowKey row_key,
                      Text primary_text, SortOrder order, size_t offset, size_t limit) {
  if (offset >= rows->size()) {
    rows->clear();
    return;
  }
  std::vector<SortKey> keys;
  keys.reserve(rows->size());
  for (uint32_t row : *rows) {
    keys.push_back(SortKey{row_key(row), row});
  }
  bool descending = order == SortOrder::kDescending;
  auto less = [&](const SortKey& a, const SortKey& b) {
    if (a.primary != b.primary) return descending ? a.primary > b.primary : a.primary < b.primary;
    const std::string* ta = primary_text(items[a.row]);
    if (ta != nullptr) {
      int c = CompareFolded(*ta, *primary_text(items[b.row]));
      if (c != 0) return descending ? c > 0 : c < 0;
    }
    int c = CompareFolded(items[a.row].name, items[b.row].name);
    if (c != 0) return c < 0;
    return a.row < b.row;
  };
  size_t end = limit == 0 ? keys.size() : std::min(keys.size(), offset + limit);
  if (end < keys.size()) {
    std::partial_sort(keys.begin(), keys.begin() + end, keys.end(), less);
  } else {
    std::sort(keys.begin(), keys.end(), less);
  }
  rows->clear();
  for (size_t i = offset; i < end; ++i) rows->push_back(keys[i].row);
}

template <typename Item, typename Key, typename Text>
void SortAndPage(std::span<const Item> items, std::vector<uint32_t>* rows, Key primary_key,
                 Text primary_text, SortOrder order, size_t offset, size_t limit) {
  SortAndPageByRow(
      items, rows, [&](uint32_t row) { return primary_key(items[row]); }, primary_text, order,
      offset, limit);
}

bool HasEnvironment(const ConnectionSummary& c, const std::string& env) {
  if (env.empty()) return true;
  return std::find(c.environment_ids.begin(), c.environment_ids.end(), env) !=
         c.environment_ids.end();
}

// The rules both ListConnections and ConnectionListIndex apply, once.

// Filters that need the item's strings (rarely set): credential and environment.
bool PassesRareFilters(const ConnectionSummary& c, const ConnectionListQuery& query) {
  if (!query.credential_id.empty() && c.credential_id != query.credential_id) return false;
  return HasEnvironment(c, query.environment_id);
}

// Counts the row's state (over everything but the state filter), then applies it.
bool CountAndPassState(ConnectionState state, const ConnectionListQuery& query,
                       ConnectionListView* view) {
  size_t s = static_cast<size_t>(state);
  if (s < kConnectionStateCount) ++view->state_counts[s];
  return query.states.empty() ? state != ConnectionState::kDeleted : InList(query.states, state);
}

uint64_t ConnectionSortKeyOf(const ConnectionSummary& c, ConnectionSortKey key) {
  switch (key) {
    case ConnectionSortKey::kName:
      return FoldedPrefix(c.name);
    case ConnectionSortKey::kState:
      return static_cast<uint64_t>(c.state);
    case ConnectionSortKey::kKind:
      return static_cast<uint64_t>(c.kind);
    case ConnectionSortKey::kHost:
      return FoldedPrefix(c.host);
    case ConnectionSortKey::kUpdatedAt:
      return Biased(c.updated_at);
    case ConnectionSortKey::kLastTestedAt:
      return Biased(c.last_test ? c.last_test->tested_at : 0);
  }
  return 0;
}

const std::string* ConnectionSortText(const ConnectionSummary& c, ConnectionSortKey key) {
  if (key == ConnectionSortKey::kName) return &c.name;
  if (key == ConnectionSortKey::kHost) return &c.host;
  return nullptr;
}

}  // namespace

ConnectionListView ListConnections(std::span<const ConnectionSummary> items,
                                   const ConnectionListQuery& query) {
  ConnectionListView view;
  std::string needle = FoldAll(query.search);
  view.rows.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const ConnectionSummary& c = items[i];
    if (!InList(query.kinds, c.kind)) continue;
    if (!PassesRareFilters(c, query)) continue;
    // The endpoint holds the host, so it is not searched twice.
    if (!needle.empty() && !ContainsFolded(c.name, needle) && !ContainsFolded(c.endpoint, needle)) {
      continue;
    }
    if (CountAndPassState(c.state, query, &view)) view.rows.push_back(static_cast<uint32_t>(i));
  }
  view.total = view.rows.size();
  SortAndPage(
      items, &view.rows,
      [&](const ConnectionSummary& c) { return ConnectionSortKeyOf(c, query.sort); },
      [&](const ConnectionSummary& c) { return ConnectionSortText(c, query.sort); }, query.order,
      query.offset, query.limit);
  return view;
}

// One lazily computed full order per (sort key, direction). Descending is not the reverse
// of ascending: ties still break by name, then row, ascending.
struct ConnectionListIndex::Orders {
  static constexpr size_t kKeys = 6;
  std::once_flag once[kKeys][2];
  std::vector<uint32_t> order[kKeys][2];
};

ConnectionListIndex::~ConnectionListIndex() = default;

ConnectionListIndex::ConnectionListIndex(std::span<const ConnectionSummary> items)
    : items_(items), orders_(std::make_unique<Orders>()) {
  size_t n = items.size();
  state_.resize(n);
  kind_.resize(n);
  name_key_.resize(n);
  host_key_.resize(n);
  updated_key_.resize(n);
  tested_key_.resize(n);
  text_start_.resize(n + 1);
  size_t text_bytes = 0;
  for (const ConnectionSummary& c : items) text_bytes += c.name.size() + c.endpoint.size() + 2;
  text_.reserve(text_bytes);
  for (size_t i = 0; i < n; ++i) {
    const ConnectionSummary& c = items[i];
    state_[i] = static_cast<uint8_t>(c.state);
    kind_[i] = static_cast<uint8_t>(c.kind);
    name_key_[i] = ConnectionSortKeyOf(c, ConnectionSortKey::kName);
    host_key_[i] = ConnectionSortKeyOf(c, ConnectionSortKey::kHost);
    updated_key_[i] = ConnectionSortKeyOf(c, ConnectionSortKey::kUpdatedAt);
    tested_key_[i] = ConnectionSortKeyOf(c, ConnectionSortKey::kLastTestedAt);
    text_start_[i] = static_cast<uint32_t>(text_.size());
    for (char ch : c.name) text_.push_back(Fold(ch));
    text_.push_back('\n');
    for (char ch : c.endpoint) text_.push_back(Fold(ch));
    text_.push_back('\0');
  }
  text_start_[n] = static_cast<uint32_t>(text_.size());
}

uint64_t ConnectionListIndex::SortKeyOf(uint32_t row, ConnectionSortKey key) const {
  switch (key) {
    case ConnectionSortKey::kName:
      return name_key_[row];
    case ConnectionSortKey::kState:
      return state_[row];
    case ConnectionSortKey::kKind:
      return kind_[row];
    case ConnectionSortKey::kHost:
      return host_key_[row];
    case ConnectionSortKey::kUpdatedAt:
      return updated_key_[row];
    case ConnectionSortKey::kLastTestedAt:
      return tested_key_[row];
  }
  return 0;
}

// Rows whose name or endpoint contain the needle: one pass of find() over the text block,
// jumping to the next row after a match. A needle with a separator character matches
// nothing, as it could not match a name or an endpoint either.
std::vector<uint32_t> ConnectionListIndex::SearchRows(std::string_view needle) const {
  std::vector<uint32_t> rows;
  if (needle.find_first_of(std::string_view("\n\0", 2)) != std::string_view::npos) return rows;
  std::string_view text(text_);
  size_t at = text.find(needle);
  while (at != std::string_view::npos) {
    auto next = std::upper_bound(text_start_.begin(), text_start_.end(), static_cast<uint32_t>(at));
    uint32_t row = static_cast<uint32_t>(next - text_start_.begin() - 1);
    rows.push_back(row);
    at = text.find(needle, text_start_[row + 1]);
  }
  return rows;
}

const std::vector<uint32_t>& ConnectionListIndex::OrderFor(ConnectionSortKey key,
                                                           SortOrder order) const {
  size_t k = static_cast<size_t>(key);
  size_t o = order == SortOrder::kDescending ? 1 : 0;
  std::call_once(orders_->once[k][o], [&] {
    std::vector<uint32_t>& all = orders_->order[k][o];
    all.resize(items_.size());
    for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    SortAndPageByRow(
        items_, &all, [&](uint32_t row) { return SortKeyOf(row, key); },
        [&](const ConnectionSummary& c) { return ConnectionSortText(c, key); }, order, 0, 0);
  });
  return orders_->order[k][o];
}

// Puts `rows` in the query's order and cuts the page. A small result is sorted; a large one
// is picked out of the precomputed full order, which costs one walk and no comparisons.
void ConnectionListIndex::PutInOrder(const ConnectionListQuery& query,
                                     std::vector<uint32_t>* rows) const {
  if (rows->size() < items_.size() / 16) {
    SortAndPageByRow(
        items_, rows, [&](uint32_t row) { return SortKeyOf(row, query.sort); },
        [&](const ConnectionSummary& c) { return ConnectionSortText(c, query.sort); }, query.order,
        query.offset, query.limit);
    return;
  }
  size_t end = query.limit == 0 ? rows->size() : std::min(rows->size(), query.offset + query.limit);
  std::vector<bool> wanted(items_.size(), false);
  for (uint32_t row : *rows) wanted[row] = true;
  rows->clear();
  size_t seen = 0;
  for (uint32_t row : OrderFor(query.sort, query.order)) {
    if (!wanted[row]) continue;
    if (seen >= query.offset) rows->push_back(row);
    if (++seen == end) break;
  }
}

ConnectionListView ConnectionListIndex::Query(const ConnectionListQuery& query) const {
  ConnectionListView view;
  std::string needle = FoldAll(query.search);
  bool rare = !query.credential_id.empty() || !query.environment_id.empty();
  auto consider = [&](uint32_t i) {
    if (!InList(query.kinds, static_cast<ServiceKind>(kind_[i]))) return;
    if (rare && !PassesRareFilters(items_[i], query)) return;
    if (CountAndPassState(static_cast<ConnectionState>(state_[i]), query, &view)) {
      view.rows.push_back(i);
    }
  };
  if (needle.empty()) {
    view.rows.reserve(items_.size());
    for (uint32_t i = 0; i < items_.size(); ++i) consider(i);
  } else {
    for (uint32_t i : SearchRows(needle)) consider(i);
  }
  view.total = view.rows.size();
  SortAndPageByRow(
      items_, &view.rows, [&](uint32_t row) { return SortKeyOf(row, query.sort); },
      [&](const ConnectionSummary& c) { return ConnectionSortText(c, query.sort); }, query.order,
      query.offset, query.limit);
  return view;
}

CredentialListView ListCredentials(std::span<const CredentialSummary> items,
                                   const CredentialListQuery& query) {
  CredentialListView view;
  std::string needle = FoldAll(query.search);
  view.rows.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const CredentialSummary& c = items[i];
    if (!InList(query.kinds, c.kind)) continue;
    if (!ContainsFolded(c.name, needle)) continue;
    if (query.rotate_recommended_only && !c.rotate_recommended) continue;
    if (c.rotate_recommended) ++view.rotate_recommended;
    view.rows.push_back(static_cast<uint32_t>(i));
  }
  view.total = view.rows.size();
  auto key = [&](const CredentialSummary& c) -> uint64_t {
    switch (query.sort) {
      case CredentialSortKey::kName:
        return FoldedPrefix(c.name);
      case CredentialSortKey::kKind:
        return static_cast<uint64_t>(c.kind);
      case CredentialSortKey::kUpdatedAt:
        return Biased(c.updated_at);
    }
    return 0;
  };
  auto text = [&](const CredentialSummary& c) -> const std::string* {
    return query.sort == CredentialSortKey::kName ? &c.name : nullptr;
  };
  SortAndPage(items, &view.rows, key, text, query.order, query.offset, query.limit);
  return view;
}

}  // namespace credvault
