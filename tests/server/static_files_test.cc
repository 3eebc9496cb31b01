#include "static/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "static/mime_types.h"

namespace credvault::server {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// A temporary tree: <tmp>/web (the root) and <tmp>/secret.txt beside it.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "credvault-static-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    WriteFile(base_ / "web/index.html", "<!doctype html>");
    WriteFile(base_ / "web/app.js", "export {};");
    WriteFile(base_ / "web/sub/index.html", "sub index");
    WriteFile(base_ / "web/my file.txt", "spaced");
    WriteFile(base_ / "web/.hidden", "hidden");
    WriteFile(base_ / "secret.txt", "outside");
    StaticFiles::Options options;
    options.root = (base_ / "web").string();
    auto files = StaticFiles::New(options);
    ASSERT_TRUE(files.ok());
    files_ = std::move(files).value();
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
  std::unique_ptr<StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirType) {
  auto response = files_->ServePath("app.js");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "export {};");
  EXPECT_EQ(response->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(response->Header("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, MatchingEntityTagAnswersNotModifiedWithoutBody) {
  auto first = files_->ServePath("app.js");
  ASSERT_TRUE(first.ok());
  const std::string etag(first->Header("ETag"));
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  for (const std::string& header :
       {etag, "W/" + etag, "\"other\", " + etag, " \t" + etag + " ", std::string("*")}) {
    auto again = files_->ServePath("app.js", header);
    ASSERT_TRUE(again.ok()) << header;
    EXPECT_EQ(again->status, 304) << header;
    EXPECT_EQ(again->body, "") << header;
    EXPECT_EQ(again->content_type, "") << header;
    EXPECT_EQ(again->Header("ETag"), etag) << header;
    EXPECT_EQ(again->Header("Cache-Control"), "no-cache") << header;
  }
}

TEST_F(StaticFilesTest, OtherOrMalformedEntityTagsGetTheFile) {
  const std::string etag(files_->ServePath("app.js")->Header("ETag"));
  for (const std::string& header : {std::string("\"nope\""), etag.substr(1), std::string(","),
                                    std::string("W/"), etag + "x", std::string("**")}) {
    auto response = files_->ServePath("app.js", header);
    ASSERT_TRUE(response.ok()) << header;
    EXPECT_EQ(response->status, 200) << header;
    EXPECT_EQ(response->body, "export {};") << header;
  }
  // Another file's tag does not match this one.
  EXPECT_EQ(files_->ServePath("sub/", etag)->status, 200);
}

TEST_F(StaticFilesTest, RewrittenFileGetsANewEntityTag) {
  const std::string before(files_->ServePath("app.js")->Header("ETag"));
  WriteFile(base_ / "web/app.js", "export const changed = true;");
  auto after = files_->ServePath("app.js", before);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "export const changed = true;");
  EXPECT_NE(after->Header("ETag"), before);
}

TEST_F(StaticFilesTest, RefusedPathsStayRefusedWhateverTheEntityTag) {
  EXPECT_EQ(files_->ServePath("../secret.txt", "*").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(files_->ServePath("missing.js", "*").code(), ErrorCode::kNotFound);
  EXPECT_EQ(files_->ServePath("sub", "*").code(), ErrorCode::kNotFound);
}

TEST_F(StaticFilesTest, DirectoryWithSlashServesIndex) {
  EXPECT_EQ(files_->ServePath("")->body, "<!doctype html>");
  EXPECT_EQ(files_->ServePath("sub/")->body, "sub index");
  EXPECT_EQ(files_->ServePath("sub").code(), ErrorCode::kNotFound);
}

TEST_F(StaticFilesTest, DecodesNames) {
  EXPECT_EQ(files_->ServePath("my%20file.txt")->body, "spaced");
}

TEST_F(StaticFilesTest, TraversalNeverReachesOutside) {
  for (const char* raw :
       {"../secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt", "..%5csecret.txt",
        "sub/../../secret.txt", "..\\secret.txt", "secret.txt%00.html"}) {
    const auto response = files_->ServePath(raw);
    EXPECT_FALSE(response.ok()) << raw;
    EXPECT_EQ(response.code(), ErrorCode::kInvalidArgument) << raw;
  }
}

TEST_F(StaticFilesTest, SymlinkOutOfTheRootIsNotFound) {
  ASSERT_EQ(symlink((base_ / "secret.txt").c_str(), (base_ / "web/link.txt").c_str()), 0);
  EXPECT_EQ(files_->ServePath("link.txt").code(), ErrorCode::kNotFound);
}

TEST_F(StaticFilesTest, HiddenAndMissingFilesAreNotFound) {
  EXPECT_EQ(files_->ServePath(".hidden").code(), ErrorCode::kNotFound);
  EXPECT_EQ(files_->ServePath("nope.js").code(), ErrorCode::kNotFound);
}

TEST_F(StaticFilesTest, RootMayAppearLater) {
  StaticFiles::Options options;
  options.root = (base_ / "later").string();
  auto files = StaticFiles::New(options);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ((*files)->ServePath("credvault.mjs").code(), ErrorCode::kNotFound);
  WriteFile(base_ / "later/credvault.mjs", "export default 1;");
  EXPECT_EQ((*files)->ServePath("credvault.mjs")->body, "export default 1;");
}

TEST_F(StaticFilesTest, OversizedFileIsInternal) {
  StaticFiles::Options options;
  options.root = (base_ / "web").string();
  options.max_file_bytes = 4;
  auto files = StaticFiles::New(options);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ((*files)->ServePath("app.js").code(), ErrorCode::kInternal);
}

TEST(StaticFilesNew, EmptyRootIsInvalid) {
  EXPECT_EQ(StaticFiles::New(StaticFiles::Options{}).code(), ErrorCode::kInvalidArgument);
}

TEST(MimeTypesTest, KnownTypes) {
  EXPECT_EQ(MimeTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("credvault.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("credvault_core.wasm"), "application/wasm");
  EXPECT_EQ(MimeTypeFor("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("x.json"), "application/json");
  EXPECT_EQ(MimeTypeFor("logo.png"), "image/png");
  EXPECT_EQ(MimeTypeFor("logo.svg"), "image/svg+xml");
  EXPECT_EQ(MimeTypeFor("credvault.d.ts"), "application/typescript; charset=utf-8");
  EXPECT_EQ(MimeTypeFor("INDEX.HTML"), "text/html; charset=utf-8");
}

TEST(MimeTypesTest, UnknownIsOctetStream) {
  EXPECT_EQ(MimeTypeFor("archive.tar.gz"), "application/octet-stream");
  EXPECT_EQ(MimeTypeFor("noext"), "application/octet-stream");
  EXPECT_EQ(MimeTypeFor("x.ts"), "application/octet-stream");
}

}  // namespace
}  // namespace credvault::server
