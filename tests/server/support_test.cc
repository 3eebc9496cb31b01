// Tests of the server's small plain helpers: data directory, JSON log lines, request ids,
// the session registry.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "data_dir.h"
#include "json_log.h"
#include "request_ids.h"
#include "session_registry.h"

namespace credvault::server {
namespace {

namespace fs = std::filesystem;

class DataDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "credvault-data-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
  }
  void TearDown() override { fs::remove_all(base_); }
  static mode_t ModeOf(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(stat(path.c_str(), &info), 0);
    return info.st_mode & 07777;
  }
  fs::path base_;
};

TEST_F(DataDirTest, CreatesMissingDirectoryPrivate) {
  const fs::path dir = base_ / "a/b/data";
  ASSERT_TRUE(EnsureDataDir(dir.string()).ok());
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_TRUE(EnsureDataDir(dir.string()).ok());  // idempotent
}

TEST_F(DataDirTest, RefusesOpenPermissionsAndFiles) {
  const fs::path open_dir = base_ / "open";
  ASSERT_TRUE(fs::create_directory(open_dir));
  ASSERT_EQ(chmod(open_dir.c_str(), 0755), 0);
  EXPECT_EQ(EnsureDataDir(open_dir.string()).code(), ErrorCode::kPermissionDenied);
  const fs::path file = base_ / "file";
  std::ofstream(file) << "x";
  EXPECT_EQ(EnsureDataDir(file.string()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(EnsureDataDir("").code(), ErrorCode::kInvalidArgument);
}

TEST(JsonLogTest, LineIsOneJsonObjectWithTimeAndEventFirst) {
  const std::string line = JsonLog::FormatLine(
      1700000000123LL, "request", {{"method", "GET"}, {"path", "/x"}, {"status", 200}});
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_EQ(line.rfind(R"({"time":"2023-11-14T22:13:20.123Z","event":"request",)", 0), 0u);
  const auto parsed = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["status"], 200);
}

TEST(JsonLogTest, InvalidUtf8AndControlCharactersStayOnOneLine) {
  const std::string line =
      JsonLog::FormatLine(0, "request", {{"path", std::string("/a\xff\n\"b")}});
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
}

TEST(RequestIdsTest, UniqueWithPrefix) {
  RequestIds ids(0xabcdef01);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(ids.Next());
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(seen.begin()->rfind("abcdef01-", 0), 0u);
}

class CountingClosable : public Closable {
 public:
  void Close() override { ++closes; }
  int closes = 0;
};

TEST(SessionRegistryTest, ClosesLiveSessionsOnly) {
  SessionRegistry registry;
  auto a = std::make_shared<CountingClosable>();
  auto b = std::make_shared<CountingClosable>();
  registry.Add(a);
  registry.Add(b);
  EXPECT_EQ(registry.size(), 2u);
  registry.Remove(b.get());
  registry.CloseAll();
  EXPECT_EQ(a->closes, 1);
  EXPECT_EQ(b->closes, 0);
  EXPECT_EQ(registry.size(), 1u);
}

}  // namespace
}  // namespace credvault::server
