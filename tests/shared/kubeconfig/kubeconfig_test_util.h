// Helpers for the kubeconfig tests: a fixed id key, fixtures, lookups by context name.
#ifndef CREDVAULT_TESTS_KUBECONFIG_TEST_UTIL_H_
#define CREDVAULT_TESTS_KUBECONFIG_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "credvault/kubeconfig.h"
#include "shared/crypto/crypto_test_util.h"

namespace credvault::testing {

inline ByteView TestIdKey() {
  static const std::string key(kKubeconfigIdKeyBytes, 'k');
  return AsBytes(key);
}

inline std::string Fixture(const std::string& name) {
  std::string text = ReadTestData("kubeconfig/" + name);
  EXPECT_FALSE(text.empty()) << "missing fixture " << name;
  return text;
}

// 1-based line of the first occurrence of `needle` in `text` (0 if absent).
inline int LineOf(std::string_view text, std::string_view needle) {
  size_t at = text.find(needle);
  if (at == std::string_view::npos) return 0;
  int line = 1;
  for (size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

inline KubeconfigImportRequest SelectAll() {
  KubeconfigImportRequest r;
  r.select_all = true;
  r.id_key = TestIdKey();
  return r;
}

inline const KubeconfigContextPlan* FindPlan(const KubeconfigImportPlan& plan,
                                             std::string_view context) {
  for (const KubeconfigContextPlan& c : plan.contexts) {
    if (c.context == context) return &c;
  }
  return nullptr;
}

inline const KubeconfigUser* FindUser(const Kubeconfig& config, std::string_view name) {
  for (const KubeconfigUser& u : config.users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

inline const KubeconfigCluster* FindCluster(const Kubeconfig& config, std::string_view name) {
  for (const KubeconfigCluster& c : config.clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace credvault::testing

#endif  // CREDVAULT_TESTS_KUBECONFIG_TEST_UTIL_H_
