#include <gtest/gtest.h>

#include "credvault/ui_expiry.h"
#include "credvault/ui_json.h"

namespace credvault {
namespace {

using nlohmann::json;

constexpr int64_t kDay = 86400;
constexpr int64_t kNow = 1893456000;  // 2030-01-01 00:00:00 UTC

std::optional<ExpiryWarning> Warning(const ExpiryReport& report, int64_t warning_days = 14) {
  Result<std::optional<ExpiryWarning>> w = SoonestExpiryWarning(report, kNow, warning_days);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? *w : std::nullopt;
}

TEST(ExpiryWarningTest, NothingReportedIsNoWarning) {
  EXPECT_FALSE(Warning(ExpiryReport{}).has_value());
}

TEST(ExpiryWarningTest, FiveDaysAheadIsAWarningCountedUp) {
  ExpiryReport report;
  report.client_cert_not_after = kNow + 4 * kDay + 3600;  // 4 days and an hour: "5 days"
  std::optional<ExpiryWarning> w = Warning(report);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->item, ExpiringItem::kClientCertificate);
  EXPECT_EQ(w->days_left, 5);
  EXPECT_FALSE(w->expired);
  EXPECT_EQ(w->tone, ChipTone::kWarning);
  EXPECT_EQ(w->label, "client certificate expires in 5 days");
  EXPECT_EQ(w->tooltip, "The client certificate is not valid after 2030-01-05 01:00 UTC.");
}

TEST(ExpiryWarningTest, ExactlyTheWindowIsWithinAndOneSecondMoreIsNot) {
  ExpiryReport report;
  report.server_cert_not_after = kNow + 14 * kDay;
  std::optional<ExpiryWarning> w = Warning(report);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->label, "server certificate expires in 14 days");
  report.server_cert_not_after = kNow + 14 * kDay + 1;
  EXPECT_FALSE(Warning(report).has_value());
  // The window is the caller's: 30 days ahead under a 30-day window.
  report.server_cert_not_after = kNow + 30 * kDay;
  EXPECT_TRUE(Warning(report, 30).has_value());
  EXPECT_FALSE(Warning(report).has_value());
}

TEST(ExpiryWarningTest, DangerUnderThreeDaysAndWhenExpired) {
  ExpiryReport report;
  report.token_expires_at = kNow + 3 * kDay;  // exactly 3 days: still a warning
  EXPECT_EQ(Warning(report)->tone, ChipTone::kWarning);
  report.token_expires_at = kNow + 2 * kDay;
  EXPECT_EQ(Warning(report)->tone, ChipTone::kDanger);
  EXPECT_EQ(Warning(report)->label, "bearer token expires in 2 days");
  report.token_expires_at = kNow + 1;
  EXPECT_EQ(Warning(report)->label, "bearer token expires within a day");
  EXPECT_EQ(Warning(report)->tone, ChipTone::kDanger);
  report.token_expires_at = kNow;  // not valid after now: expired
  std::optional<ExpiryWarning> w = Warning(report);
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE(w->expired);
  EXPECT_EQ(w->days_left, 0);
  EXPECT_EQ(w->tone, ChipTone::kDanger);
  EXPECT_EQ(w->label, "bearer token expired");
  EXPECT_EQ(w->tooltip, "The bearer token was not valid after 2030-01-01 00:00 UTC.");
  // Long expired is still shown, whatever the window.
  report.token_expires_at = kNow - 400 * kDay;
  EXPECT_EQ(Warning(report, 0)->label, "bearer token expired");
}

TEST(ExpiryWarningTest, TheSoonestWinsAndTiesGoToTheCredential) {
  ExpiryReport report;
  report.client_cert_not_after = kNow + 10 * kDay;
  report.server_cert_not_after = kNow + 2 * kDay;
  report.token_expires_at = kNow + 300 * kDay;
  EXPECT_EQ(Warning(report)->item, ExpiringItem::kServerCertificate);
  report.server_cert_not_after = kNow + 10 * kDay;
  EXPECT_EQ(Warning(report)->item, ExpiringItem::kClientCertificate);
  // The soonest outside the window means nothing is within it.
  report.client_cert_not_after = kNow + 20 * kDay;
  report.server_cert_not_after = kNow + 30 * kDay;
  EXPECT_FALSE(Warning(report).has_value());
}

TEST(ExpiryWarningTest, ImplausibleTimesAndWindowsAreInvalidArguments) {
  ExpiryReport report;
  report.client_cert_not_after = kNow + kDay;
  EXPECT_EQ(SoonestExpiryWarning(report, 0).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SoonestExpiryWarning(report, -5).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SoonestExpiryWarning(report, kNow, -1).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(SoonestExpiryWarning(report, kNow, kMaxExpiryWarningDays + 1).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(SoonestExpiryWarning(report, kNow, kMaxExpiryWarningDays).ok());
  report.server_cert_not_after = 0;
  Result<std::optional<ExpiryWarning>> zero = SoonestExpiryWarning(report, kNow);
  EXPECT_EQ(zero.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(zero.status().message().find("server_certificate"), std::string::npos);
  report.server_cert_not_after = kMaxExpiryUnixTime + 1;
  EXPECT_EQ(SoonestExpiryWarning(report, kNow).code(), ErrorCode::kInvalidArgument);
  report.server_cert_not_after = INT64_MAX;  // would overflow a subtraction
  EXPECT_EQ(SoonestExpiryWarning(report, kNow).code(), ErrorCode::kInvalidArgument);
}

json Options(int64_t now = kNow) { return json{{"now", now}}; }

TEST(ExpiryChipJsonTest, AHistoryEntryBecomesAChip) {
  json entry = json::parse(R"({"connection_id": "c1", "outcome": "ok",
      "client_cert_not_after": null, "server_cert_not_after": 1893888000,
      "token_expires_at": null})",
                           nullptr, false);
  Result<json> chip = ExpiryChipJson(entry, Options());
  ASSERT_TRUE(chip.ok()) << chip.status().ToString();
  EXPECT_EQ((*chip)["label"], "server certificate expires in 5 days");
  EXPECT_EQ((*chip)["tone"], "warning");
  EXPECT_EQ((*chip)["code"], "expiry");
  EXPECT_EQ((*chip)["item"], "server_certificate");
  EXPECT_EQ((*chip)["expires_at"], 1893888000);
  EXPECT_EQ((*chip)["days_left"], 5);
  EXPECT_EQ((*chip)["expired"], false);
  EXPECT_EQ((*chip)["tooltip"], "The server certificate is not valid after 2030-01-06 00:00 UTC.");
  // A narrower window hides it.
  Result<json> narrow = ExpiryChipJson(entry, json{{"now", kNow}, {"warning_days", 4}});
  ASSERT_TRUE(narrow.ok());
  EXPECT_TRUE(narrow->is_null());
}

TEST(ExpiryChipJsonTest, MissingFieldsAndNoEntryAreNoChip) {
  Result<json> none = ExpiryChipJson(json(nullptr), Options());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->is_null());
  Result<json> empty = ExpiryChipJson(json::object(), Options());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->is_null());
}

TEST(ExpiryChipJsonTest, BadInputsNameTheField) {
  json entry{{"client_cert_not_after", "2030-01-05"}};
  Result<json> text = ExpiryChipJson(entry, Options());
  EXPECT_EQ(text.code(), ErrorCode::kValidation);
  EXPECT_NE(text.status().message().find("entry.client_cert_not_after"), std::string::npos);
  EXPECT_EQ(ExpiryChipJson(json{{"token_expires_at", 1.5}}, Options()).code(),
            ErrorCode::kValidation);
  EXPECT_EQ(ExpiryChipJson(json{{"token_expires_at", -1}}, Options()).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ExpiryChipJson(json::array(), Options()).code(), ErrorCode::kValidation);
  EXPECT_EQ(ExpiryChipJson(json::object(), json::object()).code(), ErrorCode::kValidation);
  EXPECT_EQ(ExpiryChipJson(json::object(), json(nullptr)).code(), ErrorCode::kValidation);
  EXPECT_EQ(ExpiryChipJson(json::object(), json{{"now", "today"}}).code(), ErrorCode::kValidation);
  EXPECT_EQ(ExpiryChipJson(json::object(), json{{"now", kNow}, {"warning_days", -2}}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ExpiryChipJson(json::object(), json{{"now", kNow}, {"warning_days", "14"}}).code(),
            ErrorCode::kValidation);
}

}  // namespace
}  // namespace credvault
