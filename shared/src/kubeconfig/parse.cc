// Reads a kubeconfig with yaml-cpp. yaml-cpp reports errors by throwing; this file (compiled
// with -fexceptions in the WASM build) catches every exception inside ParseKubeconfig, so
// none reaches code built without exception support.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "credvault/kubeconfig.h"
#include "kubeconfig/internal.h"

namespace credvault {
namespace {

using kubeconfig_internal::Problem;
using kubeconfig_internal::RawCluster;
using kubeconfig_internal::RawField;
using kubeconfig_internal::RawUser;

int LineOf(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 0; }
int ColumnOf(const YAML::Mark& m) { return m.column >= 0 ? m.column + 1 : 0; }
int LineOf(const YAML::Node& n) { return LineOf(n.Mark()); }

// A map's value for `key`; nullopt when absent or null. Iterates instead of operator[],
// which may insert into the node or throw on a node that is not a map.
std::optional<YAML::Node> Get(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return std::nullopt;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      if (it->second.IsNull()) return std::nullopt;
      return it->second;
    }
  }
  return std::nullopt;
}

RawField Field(const YAML::Node& map, std::string_view key) {
  RawField f;
  std::optional<YAML::Node> n = Get(map, key);
  if (!n) return f;
  f.present = true;
  f.line = LineOf(n->Mark());
  f.column = ColumnOf(n->Mark());
  if (n->IsScalar()) {
    f.is_string = true;
    f.value = n->Scalar();
  }
  return f;
}

std::string ScalarOr(const std::optional<YAML::Node>& n, std::string fallback = {}) {
  return n && n->IsScalar() ? n->Scalar() : fallback;
}

// Thrown nowhere: a structural problem found while walking is returned through this.
struct Walk {
  Kubeconfig config;
  KubeconfigProblem problem;
};

// The entries of a top-level list (`clusters`, `users`, `contexts`): each a map with a
// string `name` and a map body under `body_key`. Calls `visit(name, line, body-or-null)`.
template <typename Visit>
KubeconfigProblem ForEachEntry(const YAML::Node& root, std::string_view list_key,
                               std::string_view body_key, Visit visit) {
  std::optional<YAML::Node> list = Get(root, list_key);
  if (!list) return {};
  if (!list->IsSequence()) {
    return Problem(KubeconfigIssue::kBadStructure, "`" + std::string(list_key) + "` must be a list",
                   LineOf(*list), ColumnOf(list->Mark()));
  }
  for (auto it = list->begin(); it != list->end(); ++it) {
    const YAML::Node& item = *it;
    std::string name = ScalarOr(Get(item, "name"));
    if (!item.IsMap() || name.empty()) {
      return Problem(KubeconfigIssue::kBadStructure,
                     "An entry of `" + std::string(list_key) + "` at line " +
                         std::to_string(LineOf(item)) + " has no name",
                     LineOf(item), ColumnOf(item.Mark()));
    }
    std::optional<YAML::Node> body = Get(item, body_key);
    visit(std::move(name), LineOf(item), body && body->IsMap() ? &*body : nullptr);
  }
  return {};
}

void ReadUserBody(const YAML::Node& body, RawUser* raw) {
  raw->has_body = true;
  raw->token = Field(body, "token");
  raw->token_file = Field(body, "tokenFile");
  raw->client_certificate_data = Field(body, "client-certificate-data");
  raw->client_key_data = Field(body, "client-key-data");
  raw->client_certificate = Field(body, "client-certificate");
  raw->client_key = Field(body, "client-key");
  raw->username = Field(body, "username");
  raw->password = Field(body, "password");
  if (std::optional<YAML::Node> exec = Get(body, "exec")) {
    raw->has_exec = true;
    raw->exec_line = LineOf(*exec);
    raw->exec_command = ScalarOr(Get(*exec, "command"));
    if (std::optional<YAML::Node> args = Get(*exec, "args"); args && args->IsSequence()) {
      for (auto a = args->begin(); a != args->end(); ++a) {
        if (a->IsScalar()) raw->exec_args.push_back(a->Scalar());
      }
    }
  }
  if (std::optional<YAML::Node> provider = Get(body, "auth-provider")) {
    raw->has_auth_provider = true;
    raw->auth_provider_line = LineOf(*provider);
    raw->auth_provider_name = ScalarOr(Get(*provider, "name"));
  }
  for (std::string_view key : {"as", "as-groups", "as-uid", "as-user-extra"}) {
    if (std::optional<YAML::Node> as = Get(body, key)) {
      raw->has_impersonation = true;
      raw->impersonation_line = LineOf(*as);
      break;
    }
  }
}

Walk WalkDocument(const YAML::Node& root) {
  Walk w;
  if (!root.IsDefined() || root.IsNull()) {
    w.problem = Problem(KubeconfigIssue::kEmpty, "The file holds no YAML document", 1, 1);
    return w;
  }
  if (!root.IsMap()) {
    w.problem =
        Problem(KubeconfigIssue::kNotAMap,
                std::string("The file is a YAML ") + (root.IsSequence() ? "list" : "scalar") +
                    ", not a kubeconfig (a map with clusters, users and contexts)",
                LineOf(root), ColumnOf(root.Mark()));
    return w;
  }
  std::string kind = ScalarOr(Get(root, "kind"), "Config");
  if (kind != "Config" || !(Get(root, "clusters") || Get(root, "users") || Get(root, "contexts"))) {
    w.problem = Problem(KubeconfigIssue::kNotAKubeconfig,
                        "The file is YAML but not a kubeconfig (kind: Config with clusters, "
                        "users and contexts)",
                        LineOf(root), ColumnOf(root.Mark()));
    return w;
  }
  Kubeconfig& c = w.config;
  w.problem = ForEachEntry(
      root, "clusters", "cluster", [&](std::string name, int line, const YAML::Node* body) {
        RawCluster raw;
        raw.name = std::move(name);
        raw.line = line;
        if (body != nullptr) {
          raw.has_body = true;
          raw.server = Field(*body, "server");
          raw.certificate_authority_data = Field(*body, "certificate-authority-data");
          raw.certificate_authority = Field(*body, "certificate-authority");
          raw.tls_server_name = Field(*body, "tls-server-name");
          raw.insecure_skip_tls_verify = Field(*body, "insecure-skip-tls-verify");
          raw.proxy_url = Field(*body, "proxy-url");
        }
        c.clusters.push_back(kubeconfig_internal::ClassifyCluster(raw));
      });
  if (!w.problem.ok()) return w;
  w.problem =
      ForEachEntry(root, "users", "user", [&](std::string name, int line, const YAML::Node* body) {
        RawUser raw;
        raw.name = std::move(name);
        raw.line = line;
        if (body != nullptr) ReadUserBody(*body, &raw);
        c.users.push_back(kubeconfig_internal::ClassifyUser(raw));
      });
  if (!w.problem.ok()) return w;
  w.problem = ForEachEntry(root, "contexts", "context",
                           [&](std::string name, int line, const YAML::Node* body) {
                             KubeconfigContext ctx;
                             ctx.name = std::move(name);
                             ctx.line = line;
                             if (body != nullptr) {
                               ctx.cluster = ScalarOr(Get(*body, "cluster"));
                               ctx.user = ScalarOr(Get(*body, "user"));
                               ctx.namespace_name = ScalarOr(Get(*body, "namespace"));
                             }
                             c.contexts.push_back(std::move(ctx));
                           });
  if (!w.problem.ok()) return w;
  c.current_context = ScalarOr(Get(root, "current-context"));
  if (c.contexts.empty()) {
    w.problem = Problem(KubeconfigIssue::kNoContexts,
                        "The kubeconfig has no contexts, so there is nothing to import", 1, 1);
  }
  return w;
}

Walk LoadAndWalk(std::string_view text) {
  Walk w;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    return WalkDocument(root);
  } catch (const YAML::DeepRecursion& e) {
    w.problem = Problem(KubeconfigIssue::kTooDeep,
                        "The file nests too deeply (line " + std::to_string(LineOf(e.mark)) +
                            "); a kubeconfig nests about 7 levels",
                        LineOf(e.mark), ColumnOf(e.mark));
  } catch (const YAML::Exception& e) {
    std::string where = e.mark.is_null() ? std::string()
                                         : " at line " + std::to_string(LineOf(e.mark)) +
                                               ", column " + std::to_string(ColumnOf(e.mark));
    w.problem =
        Problem(KubeconfigIssue::kYamlSyntax, "The file is not valid YAML" + where + ": " + e.msg,
                e.mark.is_null() ? 0 : LineOf(e.mark), e.mark.is_null() ? 0 : ColumnOf(e.mark));
  } catch (const std::exception& e) {
    w.problem = Problem(KubeconfigIssue::kYamlSyntax,
                        std::string("The file could not be read as YAML: ") + e.what());
  } catch (...) {
    w.problem = Problem(KubeconfigIssue::kYamlSyntax, "The file could not be read as YAML");
  }
  return w;
}

ErrorCode FileErrorCode(KubeconfigIssue issue) {
  switch (issue) {
    case KubeconfigIssue::kTooLarge:
      return ErrorCode::kInvalidArgument;
    case KubeconfigIssue::kNotText:
    case KubeconfigIssue::kTooDeep:
    case KubeconfigIssue::kYamlSyntax:
    case KubeconfigIssue::kEmpty:
      return ErrorCode::kParseError;
    default:
      return ErrorCode::kValidation;
  }
}

}  // namespace

Result<Kubeconfig> ParseKubeconfig(std::string_view text, KubeconfigProblem* file_problem) {
  if (file_problem != nullptr) *file_problem = KubeconfigProblem();
  KubeconfigProblem problem = kubeconfig_internal::CheckText(text);
  Walk w;
  if (problem.ok()) {
    w = LoadAndWalk(text);
    problem = std::move(w.problem);
  }
  if (problem.ok()) return std::move(w.config);
  std::string message = std::string(KubeconfigIssueName(problem.issue)) + ": " + problem.message;
  ErrorCode code = FileErrorCode(problem.issue);
  if (file_problem != nullptr) *file_problem = std::move(problem);
  return Result<Kubeconfig>(code, std::move(message));
}

}  // namespace credvault
