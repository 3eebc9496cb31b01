// Generated connection summaries for list tests and the list benchmark (the same data, so
// the benchmark measures what the tests check).
#ifndef CREDVAULT_TESTS_UI_FIXTURES_H_
#define CREDVAULT_TESTS_UI_FIXTURES_H_

#include <string>
#include <vector>

#include "credvault/connection.h"

namespace credvault::testing {

inline std::vector<ConnectionSummary> GeneratedConnections(size_t count) {
  std::vector<ConnectionSummary> items(count);
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1664525u + 1013904223u; };
  for (size_t i = 0; i < count; ++i) {
    ConnectionSummary& c = items[i];
    c.id = "c" + std::to_string(i);
    c.name = "cluster-" + std::to_string(next() % 1000000) + "-eu";
    c.host = "api." + std::to_string(next() % 5000) + ".k8s.example.com";
    c.endpoint = "https://" + c.host + ":6443";
    c.state = static_cast<ConnectionState>(next() % kConnectionStateCount);
    c.kind = static_cast<ServiceKind>(next() % 5);
    c.updated_at = next();
  }
  return items;
}

}  // namespace credvault::testing

#endif  // CREDVAULT_TESTS_UI_FIXTURES_H_
