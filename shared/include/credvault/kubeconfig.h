// Kubeconfig import: parse a kubeconfig the user uploaded, and plan which connections and
// credentials it creates or updates (DESIGN §6, issue 3 part 4).
//
// Two pure steps, no I/O: ParseKubeconfig turns YAML text into entries (contexts,
// clusters, users), each user entry already classified (token, client certificate, basic
// auth, or the reason it cannot be used: a file path a browser cannot read, an exec plugin,
// an auth-provider, impersonation). PlanKubeconfigImport then gives every context its own
// outcome (imported, updated, skipped, error) and lists one credential per distinct user
// material, shared by every context that uses it. Ids are keyed digests of the cluster and
// the user material, so importing the same file again updates instead of duplicating, and
// a connection the user set to `ignored` or `maintenance` is never touched.
//
// Ownership: results own copies of everything (secret fields as SecretBytes, wiped when
// dropped; move-only). Thread-safety: the functions are pure and reentrant. Errors: no
// exception escapes (yaml-cpp's are caught inside); a file that cannot be read at all is
// a Status plus a KubeconfigProblem with a stable issue code and, where known, line and
// column. Messages never contain secret material.
#ifndef CREDVAULT_KUBECONFIG_H_
#define CREDVAULT_KUBECONFIG_H_

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "credvault/secret.h"
#include "credvault/status.h"

namespace credvault {

// Limits checked before yaml-cpp sees the text: a real kubeconfig is a few KiB, nests about
// 7 levels deep and has a few thousand YAML nodes.
inline constexpr size_t kKubeconfigMaxBytes = size_t{4} << 20;
inline constexpr int kKubeconfigMaxDepth = 64;
inline constexpr size_t kKubeconfigMaxNodes = 200000;
// A connection name, after a rename or taken from the context name.
inline constexpr size_t kKubeconfigMaxNameBytes = 253;
// The key that makes ids unguessable by the server (see KubeconfigImportRequest::id_key).
inline constexpr size_t kKubeconfigIdKeyBytes = 32;

// Why a file was refused, why a context is skipped or cannot be imported. The string forms
// (KubeconfigIssueName) are stable and part of the JSON output: never rename one, only add.
enum class KubeconfigIssue {
  kNone = 0,
  // The whole file.
  kTooLarge,        // over kKubeconfigMaxBytes or kKubeconfigMaxNodes
  kNotText,         // binary data, invalid UTF-8, UTF-16
  kTooDeep,         // nesting deeper than kKubeconfigMaxDepth
  kYamlSyntax,      // yaml-cpp's parse error, with line and column
  kEmpty,           // nothing but whitespace and comments
  kNotAMap,         // the document is a scalar or a list
  kNotAKubeconfig,  // `kind` is not Config, or none of clusters/contexts/users
  kBadStructure,    // e.g. `contexts` is not a list, an entry without a name
  kNoContexts,      // nothing to import
  // A context: its references.
  kDuplicateContextName,
  kDuplicateClusterName,
  kDuplicateUserName,
  kContextMissingCluster,
  kContextMissingUser,
  kClusterNotFound,
  kUserNotFound,
  // A context: its cluster entry.
  kClusterMissingServer,
  kInvalidServerUrl,
  kInsecureWithCa,  // insecure-skip-tls-verify together with CA data: kubectl refuses it too
  // A context: its user entry.
  kInvalidField,  // a field of the wrong YAML type (e.g. a map where a string belongs)
  kInvalidBase64,
  kInvalidPem,
  kCertificateAuthorityFile,  // `certificate-authority: /path`
  kClientCertificateFile,     // `client-certificate: /path`
  kClientKeyFile,             // `client-key: /path`
  kTokenFile,                 // `tokenFile: /path`
  kExecPlugin,                // `exec:` (EKS, GKE, AKS, ...)
  kAuthProvider,              // `auth-provider:` (gcp, azure, oidc)
  kImpersonation,             // `as:` / `as-groups:` ...
  kNoAuthMaterial,
  kClientKeyMissing,
  kClientCertificateMissing,
  kConflictingAuth,  // basic auth and a token at once: client-go refuses it too
  // A context: the import itself.
  kInvalidName,
  kNameTaken,
  kConnectionDeleted,
  kNotSelected,
  kKeptIgnored,
  kKeptMaintenance,
  kSameConnectionInFile,  // another selected context has the same cluster and user
};

// "none", "too_large", "exec_plugin", ...
std::string_view KubeconfigIssueName(KubeconfigIssue issue);

// A stable code, a message for people (names the entry and what to do instead), where in
// the file (1-based; 0 when unknown) and, for exec plugins and auth-providers, which one
// ("aws-eks-get-token", "aws-iam-authenticator", "gke-gcloud-auth-plugin", "kubelogin",
// "gcp", "azure", "oidc", or the command's name).
struct KubeconfigProblem {
  KubeconfigIssue issue = KubeconfigIssue::kNone;
  std::string message;
  int line = 0;
  int column = 0;
  std::string plugin;

  bool ok() const { return issue == KubeconfigIssue::kNone; }
};

// Where and how to reach a cluster. Not secret from the user, but never sent to the server
// in plaintext (DESIGN §2).
struct KubeconfigEndpoint {
  std::string server;                     // https://host:port
  std::string certificate_authority_pem;  // decoded certificate-authority-data, or empty
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  std::string proxy_url;
};

struct KubeconfigCluster {
  std::string name;
  KubeconfigEndpoint endpoint;
  KubeconfigProblem problem;  // the first reason the entry cannot be used; ok() if usable
  int line = 0;
};

enum class KubeconfigAuth {
  kNone = 0,
  kToken,
  kClientCertificate,
  kClientCertificateAndToken,  // kubectl sends both: the certificate in TLS, the token as bearer
  kBasic,
};
// "none", "token", "client_certificate", "client_certificate_and_token", "basic".
std::string_view KubeconfigAuthName(KubeconfigAuth auth);

// The material that authenticates a user entry; the fields `auth` does not use are empty.
struct KubeconfigAuthMaterial {
  KubeconfigAuth auth = KubeconfigAuth::kNone;
  SecretBytes token;
  std::string client_certificate_pem;
  SecretBytes client_key_pem;
  std::string username;
  SecretBytes password;

  KubeconfigAuthMaterial Clone() const;
};

struct KubeconfigUser {
  std::string name;
  KubeconfigAuthMaterial material;
  KubeconfigProblem problem;
  int line = 0;
};

struct KubeconfigContext {
  std::string name;
  std::string cluster;
  std::string user;
  std::string namespace_name;
  int line = 0;
};

// Entries in file order; duplicate names are kept (the plan reports them per context).
struct Kubeconfig {
  std::vector<KubeconfigContext> contexts;
  std::vector<KubeconfigCluster> clusters;
  std::vector<KubeconfigUser> users;
  std::string current_context;
};

// Parses `text` (YAML or JSON). Errors: kInvalidArgument (kTooLarge), kParseError
// (kNotText, kTooDeep, kYamlSyntax, kEmpty), kValidation (kNotAMap, kNotAKubeconfig,
// kBadStructure, kNoContexts). The message carries the line and column; `file_problem`,
// when given, receives the structured form (and stays ok() on success).
Result<Kubeconfig> ParseKubeconfig(std::string_view text,
                                   KubeconfigProblem* file_problem = nullptr);

// A connection the workspace already has. `state` is the state's string form
// ("discovered", "registered", "connected", "ignored", "maintenance", "disconnected",
// "deleted", "not_found").
struct ExistingConnection {
  std::string id;
  std::string state;
  std::string name;
};

// A context the user picked, and the connection name they gave it (empty: keep the
// context's name, or the existing connection's name on re-import).
struct KubeconfigChoice {
  std::string context;
  std::string new_name;
};

// The ids of a context's credential and connection (base64url of kIdBytes).
struct KubeconfigContextIds {
  std::string credential_id;
  std::string connection_id;
};

struct KubeconfigImportRequest {
  bool select_all = false;  // preview: every context selected, none renamed
  std::vector<KubeconfigChoice> selected;
  std::vector<ExistingConnection> existing;
  // kKubeconfigIdKeyBytes of a per-workspace secret that the server never holds (a KDF
  // subkey of the metadata key: DeriveKubeconfigIdKey). Ids are BLAKE2b digests keyed with
  // it: unkeyed, an id would let the server confirm guesses of an endpoint or of a
  // basic-auth password offline. It follows the metadata key, so a re-import after a key
  // rotation makes new ids rather than updating the connections imported before it.
  ByteView id_key;
  // Instead of id_key: the ids by context name, derived where the key lives (the browser's
  // kubeconfig module never holds it). A context that needs ids and has none is
  // kInvalidArgument.
  std::optional<std::map<std::string, KubeconfigContextIds>> context_ids;
};

// The ids of the connection from `endpoint` with `material`: keyed digests of the material,
// and of the normalized server, the CA and that credential digest. The same file gives the
// same ids in the same workspace. Errors: kInvalidArgument (id_key of the wrong size).
Result<KubeconfigContextIds> DeriveKubeconfigContextIds(ByteView id_key,
                                                        const KubeconfigEndpoint& endpoint,
                                                        const KubeconfigAuthMaterial& material);

enum class ImportOutcome { kImported, kUpdated, kSkipped, kError };
// "imported", "updated", "skipped", "error".
std::string_view ImportOutcomeName(ImportOutcome outcome);

// One context of the file and what the import does with it.
struct KubeconfigContextPlan {
  std::string context;  // the name in the file
  std::string name;     // the connection's name after the import
  ImportOutcome outcome = ImportOutcome::kError;
  KubeconfigProblem problem;  // why skipped or error; ok() when imported or updated
  bool current = false;       // the file's current-context
  std::string cluster;        // names in the file
  std::string user;
  std::string namespace_name;
  // Set when the cluster and user resolved (also for most skipped and error outcomes).
  std::string connection_id;
  std::string credential_id;
  KubeconfigEndpoint endpoint;
  // The connection's state after the import: "discovered" for a new one (the import does
  // no I/O, so an unreachable cluster imports too); an updated one keeps its state.
  std::string state;
};

// One credential per distinct user material among imported and updated contexts.
struct KubeconfigCredentialPlan {
  std::string id;
  std::string name;                         // the first user entry's name
  std::vector<std::string> user_entries;    // every user entry with this material
  std::vector<std::string> connection_ids;  // the connections that use it
  KubeconfigAuthMaterial material;
};

struct KubeconfigImportPlan {
  std::vector<KubeconfigContextPlan> contexts;  // every context, in file order
  std::vector<KubeconfigCredentialPlan> credentials;
  std::string current_context;

  size_t Count(ImportOutcome outcome) const;
};

// Plans the import of `config`. Errors: kInvalidArgument (id_key of the wrong size and no
// context_ids, a context without its ids, an existing connection with an unknown state, a
// context selected twice), kNotFound (a selected context that is not in the file).
Result<KubeconfigImportPlan> PlanKubeconfigImport(const Kubeconfig& config,
                                                  const KubeconfigImportRequest& request);

// Parse and plan in one call; errors as for both.
Result<KubeconfigImportPlan> PlanKubeconfigImportText(std::string_view text,
                                                      const KubeconfigImportRequest& request,
                                                      KubeconfigProblem* file_problem = nullptr);

// JSON for the web app (snake_case). Carries no secret: credentials appear with their id,
// name, auth kind and users, never their token, key or password.
nlohmann::json KubeconfigPlanToJson(const KubeconfigImportPlan& plan);
// {"code", "message", "line", "column"[, "plugin"]} of a problem.
nlohmann::json KubeconfigProblemToJson(const KubeconfigProblem& problem);

}  // namespace credvault

#endif  // CREDVAULT_KUBECONFIG_H_
