#include "request_ids.h"

#include <cstdio>
#include <random>

namespace credvault::server {

RequestIds::RequestIds() : prefix_(std::random_device{}()) {}

std::string RequestIds::Next() {
  const uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed) + 1;
  char text[32];
  std::snprintf(text, sizeof(text), "%08x-%012llx", prefix_, static_cast<unsigned long long>(n));
  return text;
}

}  // namespace credvault::server
