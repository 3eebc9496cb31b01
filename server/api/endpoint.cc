#include "api/endpoint.h"

#include <chrono>
#include <optional>
#include <utility>

#include "api/responses.h"
#include "auth/session_token.h"

namespace credvault::server::api {

int64_t SystemClock() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view SessionCall::Param(std::string_view name) const {
  const auto it = http.params.find(name);
  return it == http.params.end() ? std::string_view() : std::string_view(it->second);
}

namespace {

Status Unavailable() {
  return Status(ErrorCode::kInternal, "this handler needs more than the read snapshot");
}

// What a handler of a GET sees as its store: every Read runs on the snapshot its session was
// checked in, so the request costs one read transaction rather than two, and the session and
// the data it may see come from the same state. A handler that wants to write (or ping) is
// refused here and marked; WithSession then runs it again the ordinary way.
class SnapshotStore final : public Store {
 public:
  SnapshotStore(ReadTx& tx, const Store& outer) : tx_(tx), outer_(outer) {}

  Status Transact(const std::function<Status(Tx&)>& /*fn*/) override {
    wants_more_ = true;
    return Unavailable();
  }
  Status Read(const std::function<Status(ReadTx&)>& fn) override {
    if (wants_more_) return Unavailable();
    return fn(tx_);
  }
  Status Ping() override {
    wants_more_ = true;
    return Unavailable();
  }
  std::string_view EngineName() const override { return outer_.EngineName(); }

  bool wants_more() const { return wants_more_; }

 private:
  ReadTx& tx_;
  const Store& outer_;
  bool wants_more_ = false;
};

// A GET or HEAD answered in one read snapshot: the session lookup and the handler's reads.
// nullopt when the handler wanted more than reads (its answer is dropped; it changed nothing).
Result<std::optional<HttpResponse>> AnswerInOneSnapshot(const ApiContext& context,
                                                        const SessionHandler& handler,
                                                        const HttpRequest& request, int64_t now) {
  std::optional<Result<HttpResponse>> answer;
  CV_RETURN_IF_ERROR(context.store->Read([&](ReadTx& tx) -> Status {
    Result<auth::Authentication> authentication = auth::AuthenticateIn(tx, request, now);
    if (!authentication.ok()) {
      answer.emplace(authentication.status());
    } else if (!authentication->actor) {
      answer.emplace(Unauthenticated(authentication->refusal));
    } else {
      SnapshotStore snapshot(tx, *context.store);
      Result<HttpResponse> handled =
          handler(SessionCall{request, *authentication->actor, snapshot, now});
      if (!snapshot.wants_more()) answer.emplace(std::move(handled));
    }
    return Status::Ok();
  }));
  if (!answer) return std::optional<HttpResponse>();
  if (!answer->ok()) return answer->status();
  return std::optional<HttpResponse>(std::move(*answer).value());
}

}  // namespace

Handler WithSession(ApiContext context, SessionHandler handler) {
  return [context = std::move(context),
          handler = std::move(handler)](const HttpRequest& request) -> Result<HttpResponse> {
    const int64_t now = context.clock();
    if (auth::IsSafeMethod(request.method)) {
      CV_ASSIGN_OR_RETURN(std::optional<HttpResponse> answered,
                          AnswerInOneSnapshot(context, handler, request, now));
      if (answered) return std::move(*answered);
    }
    CV_ASSIGN_OR_RETURN(auth::Authentication authentication,
                        auth::Authenticate(request, *context.store, now));
    if (!authentication.actor) return Unauthenticated(authentication.refusal);
    return handler(SessionCall{request, *authentication.actor, *context.store, now});
  };
}

Handler Public(ApiContext context, PublicHandler handler) {
  return [context = std::move(context),
          handler = std::move(handler)](const HttpRequest& request) -> Result<HttpResponse> {
    return handler(PublicCall{request, *context.store, context.clock()});
  };
}

}  // namespace credvault::server::api
