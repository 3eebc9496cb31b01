// Expiry ahead of failure: the soonest reported expiry within the window, as a chip.
#include <array>
#include <cstdio>

#include "credvault/ui_expiry.h"
#include "model/enum_table.h"

namespace credvault {
namespace {

constexpr int64_t kDaySeconds = 86400;

struct ItemText {
  ExpiringItem item;
  std::string_view label;  // lower case: it starts a chip label and follows "The "
};
constexpr ItemText kItemTexts[] = {
    {ExpiringItem::kClientCertificate, "client certificate"},
    {ExpiringItem::kBearerToken, "bearer token"},
    {ExpiringItem::kServerCertificate, "server certificate"},
};
constexpr internal::EnumName<ExpiringItem> kItemNames[] = {
    {ExpiringItem::kClientCertificate, "client_certificate"},
    {ExpiringItem::kBearerToken, "bearer_token"},
    {ExpiringItem::kServerCertificate, "server_certificate"},
};

std::string_view LabelOf(ExpiringItem item) {
  for (const ItemText& t : kItemTexts) {
    if (t.item == item) return t.label;
  }
  return "credential";
}

bool PlausibleTime(int64_t t) { return t > 0 && t <= kMaxExpiryUnixTime; }

Status Implausible(std::string_view what) {
  return Status(ErrorCode::kInvalidArgument,
                std::string(what) + ": is not a unix time between 1970 and 9999");
}

// "2030-01-02 03:04 UTC" from unix seconds, by the days-to-civil algorithm (no clock, no
// locale, no time zone database).
std::string UtcText(int64_t unix_seconds) {
  int64_t days = unix_seconds / kDaySeconds;
  int64_t rest = unix_seconds % kDaySeconds;
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d UTC", static_cast<int>(year),
                static_cast<int>(month), static_cast<int>(day), static_cast<int>(rest / 3600),
                static_cast<int>(rest % 3600 / 60));
  return text;
}

ExpiryWarning Describe(ExpiringItem item, int64_t expires_at, int64_t now) {
  ExpiryWarning w;
  w.item = item;
  w.expires_at = expires_at;
  w.expired = expires_at <= now;
  int64_t left = expires_at - now;
  w.days_left = w.expired ? 0 : (left + kDaySeconds - 1) / kDaySeconds;
  w.tone = w.expired || w.days_left < kExpiryDangerDays ? ChipTone::kDanger : ChipTone::kWarning;
  std::string what(LabelOf(item));
  if (w.expired) {
    w.label = what + " expired";
  } else if (w.days_left == 1) {
    w.label = what + " expires within a day";
  } else {
    w.label = what + " expires in " + std::to_string(w.days_left) + " days";
  }
  w.tooltip = "The " + what + (w.expired ? " was" : " is") + " not valid after " +
              UtcText(expires_at) + ".";
  return w;
}

}  // namespace

std::string_view ExpiringItemName(ExpiringItem item) { return internal::NameOf(kItemNames, item); }

Result<std::optional<ExpiryWarning>> SoonestExpiryWarning(const ExpiryReport& report, int64_t now,
                                                          int64_t warning_days) {
  if (!PlausibleTime(now)) return Implausible("now");
  if (warning_days < 0 || warning_days > kMaxExpiryWarningDays) {
    return Status(ErrorCode::kInvalidArgument,
                  "warning_days: must be between 0 and " + std::to_string(kMaxExpiryWarningDays));
  }
  // In tie-break order (ExpiringItem).
  const std::array<std::pair<ExpiringItem, const std::optional<int64_t>*>, 3> reported = {{
      {ExpiringItem::kClientCertificate, &report.client_cert_not_after},
      {ExpiringItem::kBearerToken, &report.token_expires_at},
      {ExpiringItem::kServerCertificate, &report.server_cert_not_after},
  }};
  std::optional<std::pair<ExpiringItem, int64_t>> soonest;
  for (const auto& [item, at] : reported) {
    if (!at->has_value()) continue;
    if (!PlausibleTime(**at)) return Implausible(ExpiringItemName(item));
    if (!soonest || **at < soonest->second) soonest = {item, **at};
  }
  if (!soonest || soonest->second - now > warning_days * kDaySeconds) {
    return std::optional<ExpiryWarning>();
  }
  return std::optional<ExpiryWarning>(Describe(soonest->first, soonest->second, now));
}

}  // namespace credvault
