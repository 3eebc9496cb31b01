// The import plan: one outcome per context, one connection per imported context, one
// credential per distinct user material. Ids are keyed digests, so a second import of the
// same file finds the connections of the first.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "credvault/kubeconfig.h"
#include "kubeconfig/internal.h"

namespace credvault {
namespace {

using kubeconfig_internal::Problem;

constexpr std::string_view kStateDiscovered = "discovered";
constexpr std::string_view kKnownStates[] = {"discovered", "registered",  "connected",
                                             "ignored",    "maintenance", "disconnected",
                                             "deleted",    "not_found"};

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

KubeconfigProblem CheckName(std::string_view name) {
  if (name.empty() || name.size() > kKubeconfigMaxNameBytes) {
    return Problem(KubeconfigIssue::kInvalidName, "A connection name must have 1 to " +
                                                      std::to_string(kKubeconfigMaxNameBytes) +
                                                      " bytes; give this context another name");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Problem(KubeconfigIssue::kInvalidName,
                     "A connection name cannot hold control characters; give this context "
                     "another name");
    }
  }
  if (!kubeconfig_internal::IsValidUtf8(name)) {
    return Problem(KubeconfigIssue::kInvalidName, "A connection name must be valid UTF-8");
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return Problem(KubeconfigIssue::kInvalidName,
                   "A connection name cannot start or end with a space");
  }
  return {};
}

// Everything the planner looks up while it walks the contexts.
class Planner {
 public:
  Planner(const Kubeconfig& config, const KubeconfigImportRequest& request)
      : config_(config), request_(request) {}

  Result<KubeconfigImportPlan> Run() {
    CV_RETURN_IF_ERROR(IndexRequest());
    IndexFile();
    plan_.current_context = config_.current_context;
    for (const KubeconfigContext& ctx : config_.contexts) {
      KubeconfigContextPlan cp;
      cp.context = ctx.name;
      cp.name = ctx.name;
      cp.cluster = ctx.cluster;
      cp.user = ctx.user;
      cp.namespace_name = ctx.namespace_name;
      cp.current = !ctx.name.empty() && ctx.name == config_.current_context;
      CV_RETURN_IF_ERROR(PlanContext(ctx, &cp));
      plan_.contexts.push_back(std::move(cp));
    }
    return std::move(plan_);
  }

 private:
  Status IndexRequest() {
    if (!request_.context_ids.has_value() && request_.id_key.size() != kKubeconfigIdKeyBytes) {
      return Status(
          ErrorCode::kInvalidArgument,
          "the kubeconfig id key must be " + std::to_string(kKubeconfigIdKeyBytes) + " bytes");
    }
    for (const ExistingConnection& e : request_.existing) {
      bool known = false;
      for (std::string_view s : kKnownStates) known = known || e.state == s;
      if (!known) {
        return Status(ErrorCode::kInvalidArgument, "existing connection " + Quoted(e.id) +
                                                       " has an unknown state " + Quoted(e.state));
      }
      existing_[e.id] = &e;
    }
    if (request_.select_all) return Status::Ok();
    for (const KubeconfigChoice& choice : request_.selected) {
      if (!chosen_.emplace(choice.context, choice.new_name).second) {
        return Status(ErrorCode::kInvalidArgument,
                      "context " + Quoted(choice.context) + " is selected twice");
      }
      bool found = false;
      for (const KubeconfigContext& c : config_.contexts) found = found || c.name == choice.context;
      if (!found) {
        return Status(ErrorCode::kNotFound,
                      "selected context " + Quoted(choice.context) + " is not in the kubeconfig");
      }
    }
    return Status::Ok();
  }

  void IndexFile() {
    for (const KubeconfigContext& c : config_.contexts) ++context_count_[c.name];
    for (size_t i = 0; i < config_.clusters.size(); ++i) {
      const std::string& name = config_.clusters[i].name;
      if (++cluster_count_[name] == 1) cluster_index_[name] = i;
    }
    for (size_t i = 0; i < config_.users.size(); ++i) {
      const std::string& name = config_.users[i].name;
      if (++user_count_[name] == 1) user_index_[name] = i;
    }
  }

  // The first reason `ctx` cannot be imported, whether or not it is selected.
  KubeconfigProblem Resolve(const KubeconfigContext& ctx, const KubeconfigCluster** cluster,
                            const KubeconfigUser** user) {
    std::string entry = "Context " + Quoted(ctx.name);
    if (context_count_[ctx.name] > 1) {
      return Problem(KubeconfigIssue::kDuplicateContextName,
                     "The file has " + std::to_string(context_count_[ctx.name]) +
                         " contexts named " + Quoted(ctx.name) + "; rename all but one in the file",
                     ctx.line);
    }
    if (ctx.cluster.empty()) {
      return Problem(KubeconfigIssue::kContextMissingCluster, entry + " names no cluster",
                     ctx.line);
    }
    if (ctx.user.empty()) {
      return Problem(KubeconfigIssue::kContextMissingUser,
                     entry + " names no user, so it has no credentials to import", ctx.line);
    }
    auto cluster_it = cluster_index_.find(ctx.cluster);
    if (cluster_it == cluster_index_.end()) {
      return Problem(
          KubeconfigIssue::kClusterNotFound,
          entry + " names cluster " + Quoted(ctx.cluster) + ", which is not in the file's clusters",
          ctx.line);
    }
    auto user_it = user_index_.find(ctx.user);
    if (user_it == user_index_.end()) {
      return Problem(
          KubeconfigIssue::kUserNotFound,
          entry + " names user " + Quoted(ctx.user) + ", which is not in the file's users",
          ctx.line);
    }
    if (cluster_count_[ctx.cluster] > 1) {
      return Problem(KubeconfigIssue::kDuplicateClusterName,
                     "The file has " + std::to_string(cluster_count_[ctx.cluster]) +
                         " clusters named " + Quoted(ctx.cluster) + ", so context " +
                         Quoted(ctx.name) + " is ambiguous; rename all but one in the file",
                     ctx.line);
    }
    if (user_count_[ctx.user] > 1) {
      return Problem(KubeconfigIssue::kDuplicateUserName,
                     "The file has " + std::to_string(user_count_[ctx.user]) + " users named " +
                         Quoted(ctx.user) + ", so context " + Quoted(ctx.name) +
                         " is ambiguous; rename all but one in the file",
                     ctx.line);
    }
    *cluster = &config_.clusters[cluster_it->second];
    *user = &config_.users[user_it->second];
    if (!(*cluster)->problem.ok()) return (*cluster)->problem;
    if (!(*user)->problem.ok()) return (*user)->problem;
    return {};
  }

  Status AssignIds(const KubeconfigContext& ctx, const KubeconfigCluster& cluster,
                   const KubeconfigUser& user, KubeconfigContextPlan* cp) {
    KubeconfigContextIds ids;
    if (request_.context_ids.has_value()) {
      auto it = request_.context_ids->find(ctx.name);
      if (it == request_.context_ids->end()) {
        return Status(ErrorCode::kInvalidArgument,
                      "no ids were given for context " + Quoted(ctx.name));
      }
      ids = it->second;
    } else {
      CV_ASSIGN_OR_RETURN(
          ids, DeriveKubeconfigContextIds(request_.id_key, cluster.endpoint, user.material));
    }
    cp->credential_id = std::move(ids.credential_id);
    cp->connection_id = std::move(ids.connection_id);
    cp->endpoint = cluster.endpoint;
    return Status::Ok();
  }

  Status PlanContext(const KubeconfigContext& ctx, KubeconfigContextPlan* cp) {
    const KubeconfigCluster* cluster = nullptr;
    const KubeconfigUser* user = nullptr;
    KubeconfigProblem problem = Resolve(ctx, &cluster, &user);
    if (problem.ok()) CV_RETURN_IF_ERROR(AssignIds(ctx, *cluster, *user, cp));
    auto chosen = chosen_.find(ctx.name);
    if (!request_.select_all && chosen == chosen_.end()) {
      return Finish(cp, ImportOutcome::kSkipped,
                    Problem(KubeconfigIssue::kNotSelected,
                            "Context " + Quoted(ctx.name) + " was not selected", ctx.line));
    }
    if (!problem.ok()) return Finish(cp, ImportOutcome::kError, std::move(problem));
    std::string new_name = chosen == chosen_.end() ? std::string() : chosen->second;

    if (auto same = planned_.find(cp->connection_id); same != planned_.end()) {
      return Finish(
          cp, ImportOutcome::kSkipped,
          Problem(KubeconfigIssue::kSameConnectionInFile,
                  "Context " + Quoted(ctx.name) +
                      " has the same cluster and user as "
                      "context " +
                      Quoted(same->second) + ", which this import already turns into a connection",
                  ctx.line));
    }
    const ExistingConnection* existing = nullptr;
    if (auto it = existing_.find(cp->connection_id); it != existing_.end()) existing = it->second;
    if (existing != nullptr) {
      cp->name = existing->name;
      cp->state = existing->state;
      if (existing->state == "ignored" || existing->state == "maintenance") {
        bool ignored = existing->state == "ignored";
        return Finish(
            cp, ImportOutcome::kSkipped,
            Problem(ignored ? KubeconfigIssue::kKeptIgnored : KubeconfigIssue::kKeptMaintenance,
                    "Connection " + Quoted(existing->name) + " is in " + existing->state +
                        "; an import never changes it. Change its state first to "
                        "update it from this file",
                    ctx.line));
      }
      if (existing->state == "deleted") {
        cp->state.clear();
        return Finish(cp, ImportOutcome::kError,
                      Problem(KubeconfigIssue::kConnectionDeleted,
                              "Connection " + Quoted(existing->name) +
                                  " for this cluster and user was deleted, and deletion is "
                                  "final; purge it before importing the context again",
                              ctx.line));
      }
    } else {
      cp->name = ctx.name;
      cp->state = std::string(kStateDiscovered);
    }
    if (!new_name.empty()) cp->name = new_name;
    // A name the connection already has is the caller's business; a new one is checked.
    bool name_is_new = existing == nullptr || !new_name.empty();
    if (KubeconfigProblem p = name_is_new ? CheckName(cp->name) : KubeconfigProblem(); !p.ok()) {
      p.line = ctx.line;
      return Finish(cp, ImportOutcome::kError, std::move(p));
    }
    if (NameTaken(cp->name, cp->connection_id)) {
      return Finish(
          cp, ImportOutcome::kError,
          Problem(KubeconfigIssue::kNameTaken,
                  "A connection named " + Quoted(cp->name) + " already exists; give context " +
                      Quoted(ctx.name) + " another name",
                  ctx.line));
    }
    planned_.emplace(cp->connection_id, ctx.name);
    planned_names_.insert(cp->name);
    AddCredential(*user, *cp);
    return Finish(cp, existing != nullptr ? ImportOutcome::kUpdated : ImportOutcome::kImported, {});
  }

  bool NameTaken(const std::string& name, const std::string& own_id) const {
    if (planned_names_.count(name) > 0) return true;
    for (const ExistingConnection& e : request_.existing) {
      if (e.name == name && e.id != own_id && e.state != "deleted") return true;
    }
    return false;
  }

  void AddCredential(const KubeconfigUser& user, const KubeconfigContextPlan& cp) {
    auto [it, added] = credential_index_.emplace(cp.credential_id, plan_.credentials.size());
    if (added) {
      KubeconfigCredentialPlan c;
      c.id = cp.credential_id;
      c.name = user.name;
      c.material = user.material.Clone();
      plan_.credentials.push_back(std::move(c));
    }
    KubeconfigCredentialPlan& c = plan_.credentials[it->second];
    bool known_user = false;
    for (const std::string& u : c.user_entries) known_user = known_user || u == user.name;
    if (!known_user) c.user_entries.push_back(user.name);
    c.connection_ids.push_back(cp.connection_id);
  }

  static Status Finish(KubeconfigContextPlan* cp, ImportOutcome outcome,
                       KubeconfigProblem problem) {
    cp->outcome = outcome;
    cp->problem = std::move(problem);
    if (outcome == ImportOutcome::kError) cp->state.clear();
    return Status::Ok();
  }

  const Kubeconfig& config_;
  const KubeconfigImportRequest& request_;
  KubeconfigImportPlan plan_;
  std::map<std::string, const ExistingConnection*> existing_;
  std::map<std::string, std::string> chosen_;  // context -> new name
  std::map<std::string, int> context_count_, cluster_count_, user_count_;
  std::map<std::string, size_t> cluster_index_, user_index_, credential_index_;
  std::map<std::string, std::string> planned_;  // connection id -> first context
  std::set<std::string> planned_names_;
};

}  // namespace

Result<KubeconfigImportPlan> PlanKubeconfigImport(const Kubeconfig& config,
                                                  const KubeconfigImportRequest& request) {
  return Planner(config, request).Run();
}

Result<KubeconfigImportPlan> PlanKubeconfigImportText(std::string_view text,
                                                      const KubeconfigImportRequest& request,
                                                      KubeconfigProblem* file_problem) {
  CV_ASSIGN_OR_RETURN(Kubeconfig config, ParseKubeconfig(text, file_problem));
  return PlanKubeconfigImport(config, request);
}

}  // namespace credvault
