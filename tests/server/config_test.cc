#include "config.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace credvault::server {
namespace {

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    const auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

ConfigDefaults Defaults() {
  ConfigDefaults defaults;
  defaults.source_root = "/repo";
  defaults.hardware_threads = 4;
  return defaults;
}

TEST(ServerConfigTest, Defaults) {
  auto config = ParseServerConfig({}, Env({}), Defaults());
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 8080);
  EXPECT_EQ(config->web_root, "/repo/web");
  EXPECT_EQ(config->module_dir, "/repo/build/wasm/wasm");
  EXPECT_EQ(config->data_dir, "/repo/build/data");
  EXPECT_EQ(config->threads, 4);
  EXPECT_EQ(config->max_body_bytes, 1u << 20);
  EXPECT_FALSE(config->show_help);
}

TEST(ServerConfigTest, FlagsInBothForms) {
  auto config = ParseServerConfig(
      {"--listen", "0.0.0.0:9000", "--web-root=/w", "--module-dir", "/m", "--data-dir=/d",
       "--threads", "3", "--max-body-bytes=10", "--read-timeout-seconds", "5"},
      Env({}), Defaults());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen_host, "0.0.0.0");
  EXPECT_EQ(config->listen_port, 9000);
  EXPECT_EQ(config->web_root, "/w");
  EXPECT_EQ(config->module_dir, "/m");
  EXPECT_EQ(config->data_dir, "/d");
  EXPECT_EQ(config->threads, 3);
  EXPECT_EQ(config->max_body_bytes, 10u);
  EXPECT_EQ(config->read_timeout, std::chrono::seconds(5));
}

TEST(ServerConfigTest, EnvironmentThenFlagWins) {
  const EnvLookup env = Env({{"CREDVAULT_LISTEN", "127.0.0.1:7000"},
                             {"CREDVAULT_WEB_ROOT", "/env-web"},
                             {"CREDVAULT_DATA_DIR", "/env-data"}});
  auto config = ParseServerConfig({"--web-root", "/flag-web"}, env, Defaults());
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->listen_port, 7000);
  EXPECT_EQ(config->web_root, "/flag-web");
  EXPECT_EQ(config->data_dir, "/env-data");
}

TEST(ServerConfigTest, ListenForms) {
  auto v6 = ParseServerConfig({"--listen=[::1]:0"}, Env({}), Defaults());
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->listen_host, "::1");
  EXPECT_EQ(v6->listen_port, 0);
  for (const char* bad : {"8080", ":8080", "host:", "host:99999", "host:-1", "host:80x", "::1:80",
                          "[::1:80", "[]:80"}) {
    auto config = ParseServerConfig({std::string("--listen=") + bad}, Env({}), Defaults());
    EXPECT_EQ(config.code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(ServerConfigTest, BadValuesNameTheOption) {
  const std::vector<std::vector<std::string>> cases = {
      {"--threads", "0"},
      {"--threads", "many"},
      {"--threads", "100000000000"},
      {"--web-root="},
      {"--max-body-bytes", "-1"},
      {"--read-timeout-seconds", "0"},
      {"--listen"},
      {"--nope", "1"},
      {"stray"},
  };
  for (const auto& args : cases) {
    auto config = ParseServerConfig(args, Env({}), Defaults());
    EXPECT_EQ(config.code(), ErrorCode::kInvalidArgument) << args[0];
  }
  auto threads = ParseServerConfig({"--threads", "0"}, Env({}), Defaults());
  EXPECT_NE(threads.status().message().find("--threads"), std::string::npos);
  auto env = ParseServerConfig({}, Env({{"CREDVAULT_THREADS", "x"}}), Defaults());
  EXPECT_EQ(env.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(env.status().message().find("CREDVAULT_THREADS"), std::string::npos);
}

TEST(ServerConfigTest, HelpAndUsage) {
  auto config = ParseServerConfig({"--help"}, Env({}), Defaults());
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->show_help);
  const std::string usage = ServerUsage();
  for (const char* word :
       {"--listen", "CREDVAULT_LISTEN", "--web-root", "CREDVAULT_WEB_ROOT", "--module-dir",
        "CREDVAULT_MODULE_DIR", "--data-dir", "CREDVAULT_DATA_DIR", "--threads"}) {
    EXPECT_NE(usage.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace credvault::server
