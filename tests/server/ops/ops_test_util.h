// Shared by the operations tests: a tiny parser of the Prometheus text exposition format
// (enough to check /metrics line by line), a Store whose answers a test chooses, and a
// private temporary directory.
#ifndef CREDVAULT_TESTS_SERVER_OPS_OPS_TEST_UTIL_H_
#define CREDVAULT_TESTS_SERVER_OPS_OPS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "store/store.h"

namespace credvault::server::ops::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family name -> counter|gauge|histogram
  std::vector<std::string> errors;           // one per line that does not parse
};

// Parses the text format: "# HELP", "# TYPE", and `name{l="v",...} value` lines; and finds
// the value of the one sample with a name and (at least) these labels.
namespace internal {

inline bool IsNameChar(char c, bool first) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return letter || (!first && c >= '0' && c <= '9');
}

// Reads a metric or label name at `pos`; empty on failure.
inline std::string ReadName(const std::string& line, size_t& pos) {
  const size_t start = pos;
  while (pos < line.size() && IsNameChar(line[pos], pos == start)) ++pos;
  return line.substr(start, pos - start);
}

inline bool ReadLabelValue(const std::string& line, size_t& pos, std::string* out) {
  if (pos >= line.size() || line[pos] != '"') return false;
  ++pos;
  while (pos < line.size() && line[pos] != '"') {
    char c = line[pos++];
    if (c == '\\') {
      if (pos >= line.size()) return false;
      const char escaped = line[pos++];
      if (escaped == 'n') {
        c = '\n';
      } else if (escaped == '\\' || escaped == '"') {
        c = escaped;
      } else {
        return false;
      }
    }
    out->push_back(c);
  }
  if (pos >= line.size()) return false;
  ++pos;  // closing quote
  return true;
}

inline bool ParseValue(const std::string& text, double* value) {
  if (text == "+Inf") {
    *value = INFINITY;
    return true;
  }
  if (text == "-Inf") {
    *value = -INFINITY;
    return true;
  }
  if (text == "NaN") {
    *value = NAN;
    return true;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

inline bool ParseSample(const std::string& line, Sample* sample) {
  size_t pos = 0;
  sample->name = ReadName(line, pos);
  if (sample->name.empty()) return false;
  if (pos < line.size() && line[pos] == '{') {
    ++pos;
    while (pos < line.size() && line[pos] != '}') {
      const std::string label = ReadName(line, pos);
      if (label.empty() || pos >= line.size() || line[pos] != '=') return false;
      ++pos;
      std::string value;
      if (!ReadLabelValue(line, pos, &value)) return false;
      if (!sample->labels.emplace(label, value).second) return false;  // duplicate label
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) return false;
    ++pos;  // '}'
  }
  if (pos >= line.size() || line[pos] != ' ') return false;
  return ParseValue(line.substr(pos + 1), &sample->value);
}

}  // namespace internal

inline Exposition ParseExposition(const std::string& text) {
  Exposition out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      if (name.empty() || out.types.count(name) != 0 ||
          (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" &&
           type != "untyped")) {
        out.errors.push_back(line);
      }
      out.types[name] = type;
      continue;
    }
    if (line.rfind("# ", 0) == 0) continue;  // HELP and comments
    Sample sample;
    if (!internal::ParseSample(line, &sample)) {
      out.errors.push_back(line);
      continue;
    }
    out.samples.push_back(std::move(sample));
  }
  return out;
}

inline std::optional<double> ValueOf(const Exposition& exposition, const std::string& name,
                                     const std::map<std::string, std::string>& labels) {
  std::optional<double> found;
  for (const Sample& sample : exposition.samples) {
    if (sample.name != name) continue;
    bool match = true;
    for (const auto& [label, value] : labels) {
      const auto it = sample.labels.find(label);
      if (it == sample.labels.end() || it->second != value) match = false;
    }
    if (match) {
      if (found) return std::nullopt;  // ambiguous: the test's labels are not specific
      found = sample.value;
    }
  }
  return found;
}

// A store with no data whose Ping/Read/Transact answer `answer`.
class FakeStore : public Store {
 public:
  Status answer = Status::Ok();
  int calls = 0;
  Status Transact(const std::function<Status(Tx&)>&) override { return Answer(); }
  Status Read(const std::function<Status(ReadTx&)>&) override { return Answer(); }
  Status Ping() override { return Answer(); }
  std::string_view EngineName() const override { return "fake"; }

 private:
  Status Answer() {
    ++calls;
    return answer;
  }
};

// A fresh directory under the system's temporary folder, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "credvault-ops-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace credvault::server::ops::testing

#endif  // CREDVAULT_TESTS_SERVER_OPS_OPS_TEST_UTIL_H_
