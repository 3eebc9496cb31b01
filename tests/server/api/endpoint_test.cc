#include "api/endpoint.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "../store/store_test_fixture.h"
#include "auth/session_token.h"
#include "credvault/crypto.h"
#include "store/sqlite_store.h"

namespace credvault::server::api {
namespace {

constexpr int64_t kNow = 5000;

using testing::B;

AccountRow Account() { return testing::MakeAccount("acct-1", "a@example.com"); }

// Forwards to a real store and counts the transactions it was asked for.
class CountingStore final : public Store {
 public:
  explicit CountingStore(Store& inner) : inner_(inner) {}
  Status Transact(const std::function<Status(Tx&)>& fn) override {
    ++transacts;
    return inner_.Transact(fn);
  }
  Status Read(const std::function<Status(ReadTx&)>& fn) override {
    ++reads;
    return inner_.Read(fn);
  }
  Status Ping() override { return inner_.Ping(); }
  std::string_view EngineName() const override { return inner_.EngineName(); }

  int reads = 0;
  int transacts = 0;

 private:
  Store& inner_;
};

class WithSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto().ok());
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credvault-endpoint-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = SqliteStore::New(dir_ + "/" + SqliteStore::kFileName);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    sqlite_ = std::move(opened).value();
    counting_ = std::make_unique<CountingStore>(*sqlite_);
    session_ = auth::MakeSessionToken();
    const Status seeded = sqlite_->Transact([&](Tx& tx) -> Status {
      CV_RETURN_IF_ERROR(tx.InsertAccount(Account()));
      SessionRow row;
      row.token_digest = session_.token_digest;
      row.account_id = "acct-1";
      row.csrf_digest = session_.csrf_digest;
      row.created_at = kNow - 10;
      row.expires_at = kNow + 100;
      return tx.InsertSession(row);
    });
    ASSERT_TRUE(seeded.ok()) << seeded.ToString();
  }
  void TearDown() override {
    counting_.reset();
    sqlite_.reset();
    std::filesystem::remove_all(dir_);
  }

  ApiContext Context() {
    ApiContext context;
    context.store = counting_.get();
    context.clock = [this] { return now_; };
    return context;
  }
  HttpRequest Request(std::string method, bool with_token = true) const {
    HttpRequest request;
    request.method = std::move(method);
    request.target = "/api/v1/thing";
    if (with_token) request.headers.emplace_back("authorization", "Bearer " + session_.token);
    return request;
  }

  std::string dir_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<CountingStore> counting_;
  auth::NewSession session_;
  int64_t now_ = kNow;
};

// A handler that reads the caller's account and answers with its email.
Result<HttpResponse> ReadsAccount(const SessionCall& call) {
  return ReadResult<HttpResponse>(call.store, [&](ReadTx& tx) -> Result<HttpResponse> {
    CV_ASSIGN_OR_RETURN(AccountRow account, tx.GetAccount(call.actor.account_id));
    HttpResponse response;
    response.body = account.record.email;
    return response;
  });
}

TEST_F(WithSessionTest, GetChecksTheSessionAndReadsInOneSnapshot) {
  const Handler handler = WithSession(Context(), ReadsAccount);
  Result<HttpResponse> response = handler(Request("GET"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "a@example.com");
  EXPECT_EQ(counting_->reads, 1);
  EXPECT_EQ(counting_->transacts, 0);
}

TEST_F(WithSessionTest, PostLooksTheSessionUpThenRunsTheHandler) {
  const Handler handler = WithSession(Context(), ReadsAccount);
  Result<HttpResponse> response = handler(Request("POST"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "a@example.com");
  EXPECT_EQ(counting_->reads, 2);
}

TEST_F(WithSessionTest, GetWithoutALiveSessionIs401AndNeverRunsTheHandler) {
  int calls = 0;
  const Handler handler = WithSession(Context(), [&](const SessionCall&) -> Result<HttpResponse> {
    ++calls;
    return HttpResponse{};
  });
  Result<HttpResponse> none = handler(Request("GET", /*with_token=*/false));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 401);
  now_ = kNow + 100;  // the session is dead from its expires_at on
  Result<HttpResponse> expired = handler(Request("GET"));
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(expired->status, 401);
  EXPECT_EQ(calls, 0);
}

TEST_F(WithSessionTest, GetSeesALogoutAtOnce) {
  const Handler handler = WithSession(Context(), ReadsAccount);
  ASSERT_TRUE(handler(Request("GET")).ok());
  ASSERT_TRUE(
      sqlite_->Transact([&](Tx& tx) { return tx.DeleteSession(session_.token_digest); }).ok());
  Result<HttpResponse> after = handler(Request("GET"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 401);
}

TEST_F(WithSessionTest, GetThatWritesIsRunAgainWithTheRealStore) {
  int calls = 0;
  const Handler handler =
      WithSession(Context(), [&](const SessionCall& call) -> Result<HttpResponse> {
        ++calls;
        CV_RETURN_IF_ERROR(call.store.Transact(
            [&](Tx& tx) -> Status { return tx.InsertServerSecret("written-by-get", B("v")); }));
        CV_RETURN_IF_ERROR(call.store.Ping());
        return ReadsAccount(call);
      });
  Result<HttpResponse> response = handler(Request("GET"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->body, "a@example.com");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(counting_->transacts, 1);
  EXPECT_TRUE(
      sqlite_->Read([](ReadTx& tx) { return tx.GetServerSecret("written-by-get").status(); }).ok());
}

TEST_F(WithSessionTest, HandlerErrorsPassThroughUnchanged) {
  const Handler handler = WithSession(Context(), [](const SessionCall&) -> Result<HttpResponse> {
    return Status(ErrorCode::kNotFound, "no such thing");
  });
  Result<HttpResponse> response = handler(Request("GET"));
  EXPECT_EQ(response.code(), ErrorCode::kNotFound);
  EXPECT_EQ(counting_->reads, 1);
}

}  // namespace
}  // namespace credvault::server::api
