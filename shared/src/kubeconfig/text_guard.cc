// The checks a kubeconfig's text passes before yaml-cpp sees it. yaml-cpp recurses once per
// nesting level (it stops itself at 500, deeper than a small WASM stack should be asked to
// go) and builds a heap node per YAML node, so depth and node count are bounded here, in a
// single linear pass that does not recurse.
#include <cstdint>
#include <string>
#include <vector>

#include "kubeconfig/internal.h"

namespace credvault::kubeconfig_internal {
namespace {

constexpr std::string_view kMinifyHint =
    "export only the contexts you need: kubectl config view --raw --minify --flatten "
    "--context=NAME";

// Length of the UTF-8 sequence at `p` (1-4), or 0 if it is not valid UTF-8.
size_t Utf8SequenceLength(const uint8_t* p, size_t available) {
  uint8_t b = p[0];
  if (b < 0x80) return 1;
  size_t n = 0;
  uint8_t lo = 0x80, hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    n = 2;
  } else if (b >= 0xe0 && b <= 0xef) {
    n = 3;
    if (b == 0xe0) lo = 0xa0;  // overlong
    if (b == 0xed) hi = 0x9f;  // surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4;
    if (b == 0xf0) lo = 0x90;  // overlong
    if (b == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (available < n) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (p[i] < 0x80 || p[i] > 0xbf) return 0;
  }
  return n;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

KubeconfigProblem CheckEncoding(std::string_view text) {
  if (StartsWith(text, "\xff\xfe") || StartsWith(text, "\xfe\xff") ||
      StartsWith(text, std::string_view("\x00\x00\xfe\xff", 4))) {
    return Problem(KubeconfigIssue::kNotText,
                   "The file is UTF-16 or UTF-32 encoded (PowerShell's `>` writes UTF-16); "
                   "save it as UTF-8, e.g. kubectl config view --raw | Out-File -Encoding utf8 "
                   "kubeconfig.yaml",
                   1, 1);
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    uint8_t b = bytes[i];
    bool control = (b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7f;
    size_t n = control ? 0 : Utf8SequenceLength(bytes + i, text.size() - i);
    if (n == 0) {
      return Problem(KubeconfigIssue::kNotText,
                     "The file is not text (binary data or invalid UTF-8 at line " +
                         std::to_string(line) + ", column " + std::to_string(column) +
                         "); upload the kubeconfig YAML itself",
                     line, column);
    }
    if (b == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return {};
}

// Estimates nesting depth and node count from indentation, block indicators (`- `, `? `),
// flow brackets and quotes. It errs towards counting more, never fewer, for the block
// structure; yaml-cpp's own depth limit backs it up should it ever count fewer.
class StructureScanner {
 public:
  KubeconfigProblem Scan(std::string_view text) {
    int line_number = 0;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_number;
      KubeconfigProblem p = ScanLine(line, line_number);
      if (!p.ok()) return p;
      start = end + 1;
    }
    if (!content_) {
      return Problem(KubeconfigIssue::kEmpty,
                     "The file is empty (only whitespace or comments); upload a kubeconfig, "
                     "e.g. the output of kubectl config view --raw --flatten");
    }
    return {};
  }

 private:
  KubeconfigProblem ScanLine(std::string_view line, int line_number) {
    size_t first = line.find_first_not_of(' ');
    if (in_block_scalar_) {
      if (first == std::string_view::npos || static_cast<int>(first) > block_parent_) return {};
      in_block_scalar_ = false;
    }
    size_t pos = 0;
    if (quote_ == 0 && flow_ == 0) {
      if (first == std::string_view::npos || line[first] == '#') return {};
      node_start_ = true;
      if (first == 0 && (StartsWith(line, "---") || StartsWith(line, "..."))) {
        indents_.clear();
        pos = 3;
      } else {
        KubeconfigProblem p = PushBlockIndents(line, first, line_number, &pos);
        if (!p.ok()) return p;
      }
    }
    return ScanInline(line, pos, line_number);
  }

  // Each `- `, `? ` or `: ` at the start of a line opens a node one level deeper, at the
  // column where its content starts ("- - x" is two sequences).
  KubeconfigProblem PushBlockIndents(std::string_view line, size_t first, int line_number,
                                     size_t* pos) {
    while (!indents_.empty() && indents_.back() >= static_cast<int>(first)) indents_.pop_back();
    size_t p = first;
    for (;;) {
      indents_.push_back(static_cast<int>(p));
      content_ = true;
      KubeconfigProblem problem = CountNode(line_number, p);
      if (!problem.ok()) return problem;
      char c = line[p];
      bool indicator =
          (c == '-' || c == '?' || c == ':') && (p + 1 == line.size() || line[p + 1] == ' ');
      if (!indicator) break;
      size_t next = line.find_first_not_of(' ', p + 1);
      if (next == std::string_view::npos || line[next] == '#') {
        p = line.size();
        break;
      }
      p = next;
    }
    *pos = p;
    return {};
  }

  KubeconfigProblem ScanInline(std::string_view line, size_t pos, int line_number) {
    const size_t n = line.size();
    for (size_t i = pos; i < n; ++i) {
      char c = line[i];
      if (quote_ == '"') {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quote_ = 0;
          node_start_ = false;
        }
        continue;
      }
      if (quote_ == '\'') {
        if (c == '\'') {
          if (i + 1 < n && line[i + 1] == '\'') {
            ++i;
          } else {
            quote_ = 0;
            node_start_ = false;
          }
        }
        continue;
      }
      if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) break;
      if (c == ' ' || c == '\t') continue;
      content_ = true;
      if (node_start_) {
        if (c == '"' || c == '\'') {
          quote_ = c;
          continue;
        }
        if (c == '&' || c == '!') {  // an anchor or tag precedes the node it names
          while (i + 1 < n && line[i + 1] != ' ') ++i;
          continue;
        }
        if ((c == '|' || c == '>') && flow_ == 0) {
          StartBlockScalar(i);
          return {};
        }
      }
      if (c == '[' || c == '{') {
        if (node_start_ || flow_ > 0) {
          ++flow_;
          node_start_ = true;
          KubeconfigProblem p = CountNode(line_number, i);
          if (!p.ok()) return p;
          continue;
        }
      }
      if (flow_ > 0) {
        if (c == ']' || c == '}') {
          --flow_;
          node_start_ = false;
        } else if (c == ',') {
          node_start_ = true;
          KubeconfigProblem p = CountNode(line_number, i);
          if (!p.ok()) return p;
        } else if (c == ':' || (c == '?' && node_start_)) {
          node_start_ = true;
        } else {
          node_start_ = false;
        }
        continue;
      }
      node_start_ = c == ':' && (i + 1 == n || line[i + 1] == ' ' || line[i + 1] == '\t');
    }
    return {};
  }

  // A literal or folded scalar holds every following line indented deeper than the node
  // that owns it; none of them is structure.
  void StartBlockScalar(size_t column) {
    in_block_scalar_ = true;
    block_parent_ = -1;
    for (auto it = indents_.rbegin(); it != indents_.rend(); ++it) {
      if (*it < static_cast<int>(column)) {
        block_parent_ = *it;
        break;
      }
    }
  }

  KubeconfigProblem CountNode(int line_number, size_t column) {
    ++nodes_;
    int depth = static_cast<int>(indents_.size()) + flow_;
    if (depth > kKubeconfigMaxDepth) {
      return Problem(KubeconfigIssue::kTooDeep,
                     "The file nests deeper than " + std::to_string(kKubeconfigMaxDepth) +
                         " levels at line " + std::to_string(line_number) +
                         "; a kubeconfig nests about 7. Upload the kubeconfig itself",
                     line_number, static_cast<int>(column) + 1);
    }
    if (nodes_ > kKubeconfigMaxNodes) {
      return Problem(KubeconfigIssue::kTooLarge,
                     "The file has more than " + std::to_string(kKubeconfigMaxNodes) +
                         " YAML nodes (line " + std::to_string(line_number) + "); " +
                         std::string(kMinifyHint),
                     line_number, static_cast<int>(column) + 1);
    }
    return {};
  }

  std::vector<int> indents_;
  int flow_ = 0;
  char quote_ = 0;
  bool node_start_ = true;
  bool in_block_scalar_ = false;
  int block_parent_ = -1;
  size_t nodes_ = 0;
  bool content_ = false;
};

}  // namespace

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t i = 0; i < text.size();) {
    size_t n = Utf8SequenceLength(bytes + i, text.size() - i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool IsValidUtf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t i = 0; i < text.size();) {
    size_t n = Utf8SequenceLength(bytes + i, text.size() - i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

KubeconfigProblem CheckText(std::string_view text) {
  if (text.size() > kKubeconfigMaxBytes) {
    return Problem(KubeconfigIssue::kTooLarge,
                   "The file is " + std::to_string(text.size()) + " bytes; kubeconfigs over " +
                       std::to_string(kKubeconfigMaxBytes) + " bytes are refused. " +
                       std::string(kMinifyHint));
  }
  if (StartsWith(text, "\xef\xbb\xbf")) text.remove_prefix(3);
  KubeconfigProblem p = CheckEncoding(text);
  if (!p.ok()) return p;
  return StructureScanner().Scan(text);
}

}  // namespace credvault::kubeconfig_internal
