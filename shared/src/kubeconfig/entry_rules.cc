// The rules for cluster and user entries: which material is usable, and for everything a
// browser cannot use (file paths, exec plugins, auth-providers, impersonation) a message
// that names it and says what to upload instead. Knows nothing of YAML.
#include <string>
#include <string_view>

#include "kubeconfig/internal.h"

namespace credvault::kubeconfig_internal {
namespace {

constexpr std::string_view kFlattenHint =
    "Export it with the data inlined: kubectl config view --raw --minify --flatten "
    "--context=NAME";
constexpr std::string_view kStaticCredentialHint =
    "Use a credential that works without a program instead: a Kubernetes service-account "
    "token as `token:` (e.g. kubectl create token NAME --duration=8760h, or a "
    "service-account token Secret), or a client certificate (`client-certificate-data` and "
    "`client-key-data`).";

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

KubeconfigProblem FieldProblem(KubeconfigIssue issue, std::string message, const RawField& f) {
  return Problem(issue, std::move(message), f.line, f.column);
}

// A field holding something other than a string: names the first one.
KubeconfigProblem WrongTypes(
    std::string_view entry,
    std::initializer_list<std::pair<std::string_view, const RawField*>> fields) {
  for (const auto& [name, field] : fields) {
    if (field->present && !field->is_string) {
      return FieldProblem(KubeconfigIssue::kInvalidField,
                          std::string(entry) + ": `" + std::string(name) + "` must be a string",
                          *field);
    }
  }
  return {};
}

bool Set(const RawField& f) { return f.present && f.is_string && !f.value.empty(); }

// Decodes a `*-data` field (base64 of PEM text) and checks the PEM block it must hold.
KubeconfigProblem DecodePem(std::string_view entry, std::string_view field_name,
                            const RawField& field, bool private_key, Bytes* out) {
  if (!Base64Decode(field.value, out)) {
    std::string hint = field.value.rfind("-----BEGIN", 0) == 0
                           ? "; it holds PEM text, but `" + std::string(field_name) +
                                 "` holds the base64 of the PEM (base64 -w0 file.pem)"
                           : "";
    return FieldProblem(
        KubeconfigIssue::kInvalidBase64,
        std::string(entry) + ": `" + std::string(field_name) + "` is not valid base64" + hint,
        field);
  }
  std::string_view pem = AsChars(*out);
  bool ok = private_key ? Contains(pem, "-----BEGIN ") && Contains(pem, "PRIVATE KEY-----") &&
                              Contains(pem, "-----END ")
                        : Contains(pem, "-----BEGIN CERTIFICATE-----") &&
                              Contains(pem, "-----END CERTIFICATE-----");
  if (ok && private_key && Contains(pem, "ENCRYPTED PRIVATE KEY")) {
    Wipe(*out);
    return FieldProblem(KubeconfigIssue::kInvalidPem,
                        std::string(entry) + ": `" + std::string(field_name) +
                            "` holds a passphrase-protected key; upload the key without a "
                            "passphrase (openssl pkey -in key.pem)",
                        field);
  }
  if (!ok) {
    Wipe(*out);
    return FieldProblem(KubeconfigIssue::kInvalidPem,
                        std::string(entry) + ": `" + std::string(field_name) +
                            "` does not hold a PEM " +
                            (private_key ? "private key" : "certificate"),
                        field);
  }
  return {};
}

KubeconfigProblem FileReference(KubeconfigIssue issue, std::string_view entry,
                                std::string_view what, const RawField& path) {
  return FieldProblem(issue,
                      std::string(entry) + " reads its " + std::string(what) + " from the file `" +
                          path.value + "`, which a browser cannot open. " +
                          std::string(kFlattenHint) + " (it writes the `-data` form).",
                      path);
}

bool HasSchemePrefix(std::string_view url, std::string_view scheme) {
  if (url.size() < scheme.size()) return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    char c = url[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return false;
  }
  return true;
}

// Schemes are case-insensitive (RFC 3986), so HTTPS://host is a valid server.
bool ValidServerUrl(std::string_view url) {
  std::string_view rest;
  if (HasSchemePrefix(url, "https://")) {
    rest = url.substr(8);
  } else if (HasSchemePrefix(url, "http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':') return false;
  for (char c : url) {
    if (c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

struct PluginAdvice {
  std::string plugin;
  std::string product;  // e.g. " (Amazon EKS)"
  std::string extra;
};

std::string_view BaseName(std::string_view command) {
  size_t slash = command.find_last_of("/\\");
  if (slash != std::string_view::npos) command.remove_prefix(slash + 1);
  if (command.size() > 4 && command.substr(command.size() - 4) == ".exe") {
    command.remove_suffix(4);
  }
  return command;
}

PluginAdvice IdentifyExec(const RawUser& raw) {
  std::string_view base = BaseName(raw.exec_command);
  auto has_arg = [&](std::string_view a) {
    for (const std::string& arg : raw.exec_args) {
      if (arg == a) return true;
    }
    return false;
  };
  if (base == "aws" && has_arg("get-token")) {
    return {"aws-eks-get-token", " (Amazon EKS)", "Its tokens also expire after 15 minutes. "};
  }
  if (base == "aws-iam-authenticator") {
    return {"aws-iam-authenticator", " (Amazon EKS)", "Its tokens also expire after 15 minutes. "};
  }
  if (base == "gke-gcloud-auth-plugin" || base == "gcloud") {
    return {std::string(base), " (Google GKE)",
            "It mints short-lived tokens from your gcloud login. "};
  }
  if (base == "kubelogin") {
    return {"kubelogin", " (Azure AKS, Microsoft Entra ID)",
            "On AKS with local accounts, az aks get-credentials --admin gives a client "
            "certificate. "};
  }
  if ((base == "kubectl" && !raw.exec_args.empty() && raw.exec_args[0] == "oidc-login") ||
      base == "kubectl-oidc_login") {
    return {"oidc-login", " (OpenID Connect)",
            "It signs in through a browser and its id-tokens expire. "};
  }
  if (base == "doctl") return {"doctl", " (DigitalOcean Kubernetes)", ""};
  if (base == "oci") return {"oci", " (Oracle OKE)", ""};
  return {base.empty() ? "exec" : std::string(base), "", ""};
}

KubeconfigProblem ExecProblem(std::string_view entry, const RawUser& raw) {
  PluginAdvice a = IdentifyExec(raw);
  std::string shown = raw.exec_command.empty() ? "(no command)" : raw.exec_command;
  if (a.plugin == "aws-eks-get-token") shown = "aws eks get-token";
  KubeconfigProblem p = Problem(
      KubeconfigIssue::kExecPlugin,
      std::string(entry) + " gets its credentials from the exec plugin `" + shown + "`" +
          a.product + ", a program kubectl runs on your machine; credvault cannot run it. " +
          a.extra + std::string(kStaticCredentialHint),
      raw.exec_line);
  p.plugin = a.plugin;
  return p;
}

KubeconfigProblem AuthProviderProblem(std::string_view entry, const RawUser& raw) {
  const std::string& name = raw.auth_provider_name;
  std::string why;
  if (name == "gcp") {
    why =
        " (Google GKE) mints short-lived tokens from your gcloud login and was removed from "
        "kubectl in Kubernetes 1.26. ";
  } else if (name == "azure") {
    why =
        " (Azure AKS, Azure AD) mints short-lived tokens from your Azure login and was "
        "removed from kubectl in Kubernetes 1.26. ";
  } else if (name == "oidc") {
    why =
        " (OpenID Connect) holds an id-token that expires and can only be refreshed with "
        "your identity provider. ";
  } else {
    why = " is a client-go plugin that credvault cannot run. ";
  }
  KubeconfigProblem p = Problem(KubeconfigIssue::kAuthProvider,
                                std::string(entry) + " authenticates through the auth-provider `" +
                                    (name.empty() ? std::string("(unnamed)") : name) + "`, which" +
                                    why + std::string(kStaticCredentialHint),
                                raw.auth_provider_line);
  p.plugin = name.empty() ? "auth-provider" : name;
  return p;
}

SecretBytes TakeSecret(RawField& f) {
  SecretBytes s = f.value.empty() ? SecretBytes() : SecretBytes::CopyFrom(AsBytes(f.value));
  Wipe(f.value);
  return s;
}

SecretBytes TakeSecret(Bytes& b) {
  SecretBytes s = b.empty() ? SecretBytes() : SecretBytes::CopyFrom(b);
  Wipe(b);
  return s;
}

// The material of a user entry with no exec, auth-provider or impersonation.
KubeconfigProblem ReadMaterial(std::string_view entry, RawUser& raw, KubeconfigAuthMaterial* m) {
  bool cert = Set(raw.client_certificate_data);
  bool key = Set(raw.client_key_data);
  if (!cert && Set(raw.client_certificate)) {
    return FileReference(KubeconfigIssue::kClientCertificateFile, entry, "client certificate",
                         raw.client_certificate);
  }
  if (!key && Set(raw.client_key)) {
    return FileReference(KubeconfigIssue::kClientKeyFile, entry, "client key", raw.client_key);
  }
  bool token = Set(raw.token);
  if (!token && Set(raw.token_file)) {
    return FieldProblem(KubeconfigIssue::kTokenFile,
                        std::string(entry) + " reads its token from the file `" +
                            raw.token_file.value +
                            "` (tokenFile), which a browser cannot open, and --flatten does "
                            "not inline it. Put the token itself in the entry as `token:`.",
                        raw.token_file);
  }
  if (cert && !key) {
    return Problem(KubeconfigIssue::kClientKeyMissing,
                   std::string(entry) +
                       " has `client-certificate-data` but no "
                       "`client-key-data`; add the certificate's private key",
                   raw.line);
  }
  if (key && !cert) {
    return Problem(KubeconfigIssue::kClientCertificateMissing,
                   std::string(entry) +
                       " has `client-key-data` but no "
                       "`client-certificate-data`; add the certificate",
                   raw.line);
  }
  bool basic = Set(raw.username) || Set(raw.password);
  if (basic && (token || cert)) {
    return Problem(KubeconfigIssue::kConflictingAuth,
                   std::string(entry) + " has both basic auth and a " +
                       (token ? "token" : "client certificate") +
                       "; keep one of them (kubectl refuses basic auth with a token too)",
                   raw.line);
  }
  if (basic && !(Set(raw.username) && Set(raw.password))) {
    const RawField& missing_next_to = Set(raw.username) ? raw.username : raw.password;
    return FieldProblem(
        KubeconfigIssue::kInvalidField,
        std::string(entry) + " has a " +
            (Set(raw.username) ? "username but no password" : "password but no username") +
            "; basic auth needs both",
        missing_next_to);
  }
  if (!basic && !token && !cert) {
    return Problem(KubeconfigIssue::kNoAuthMaterial,
                   std::string(entry) +
                       " has no credentials (no token, client certificate or "
                       "username and password)",
                   raw.line);
  }
  if (cert) {
    Bytes cert_pem, key_pem;
    KubeconfigProblem p =
        DecodePem(entry, "client-certificate-data", raw.client_certificate_data, false, &cert_pem);
    if (!p.ok()) return p;
    p = DecodePem(entry, "client-key-data", raw.client_key_data, true, &key_pem);
    if (!p.ok()) return p;
    m->client_certificate_pem.assign(cert_pem.begin(), cert_pem.end());
    m->client_key_pem = TakeSecret(key_pem);
  }
  if (token) m->token = TakeSecret(raw.token);
  if (basic) {
    m->username = raw.username.value;
    m->password = TakeSecret(raw.password);
  }
  m->auth = basic  ? KubeconfigAuth::kBasic
            : cert ? (token ? KubeconfigAuth::kClientCertificateAndToken
                            : KubeconfigAuth::kClientCertificate)
                   : KubeconfigAuth::kToken;
  return {};
}

}  // namespace

KubeconfigCluster ClassifyCluster(const RawCluster& raw) {
  KubeconfigCluster c;
  c.name = raw.name;
  c.line = raw.line;
  std::string entry = "Cluster entry " + Quoted(raw.name);
  auto fail = [&](KubeconfigProblem p) {
    c.problem = std::move(p);
    return std::move(c);
  };
  if (!raw.has_body) {
    return fail(
        Problem(KubeconfigIssue::kInvalidField, entry + " has no `cluster:` map", raw.line));
  }
  KubeconfigProblem p =
      WrongTypes(entry, {{"server", &raw.server},
                         {"certificate-authority-data", &raw.certificate_authority_data},
                         {"certificate-authority", &raw.certificate_authority},
                         {"tls-server-name", &raw.tls_server_name},
                         {"insecure-skip-tls-verify", &raw.insecure_skip_tls_verify},
                         {"proxy-url", &raw.proxy_url}});
  if (!p.ok()) return fail(std::move(p));
  KubeconfigEndpoint& e = c.endpoint;
  e.server = raw.server.value;
  e.tls_server_name = raw.tls_server_name.value;
  e.proxy_url = raw.proxy_url.value;
  if (raw.insecure_skip_tls_verify.present) {
    const std::string& v = raw.insecure_skip_tls_verify.value;
    if (v == "true" || v == "True" || v == "TRUE") {
      e.insecure_skip_tls_verify = true;
    } else if (!(v == "false" || v == "False" || v == "FALSE" || v.empty())) {
      return fail(FieldProblem(KubeconfigIssue::kInvalidField,
                               entry + ": `insecure-skip-tls-verify` must be true or false",
                               raw.insecure_skip_tls_verify));
    }
  }
  if (e.server.empty()) {
    return fail(
        Problem(KubeconfigIssue::kClusterMissingServer, entry + " has no `server:` URL", raw.line));
  }
  if (!ValidServerUrl(e.server)) {
    return fail(FieldProblem(KubeconfigIssue::kInvalidServerUrl,
                             entry + ": `server` must be an https:// URL with a host", raw.server));
  }
  if (!e.proxy_url.empty() && !ValidServerUrl(e.proxy_url) &&
      !HasSchemePrefix(e.proxy_url, "socks5://")) {
    return fail(FieldProblem(KubeconfigIssue::kInvalidServerUrl,
                             entry + ": `proxy-url` must be an http(s):// or socks5:// URL",
                             raw.proxy_url));
  }
  if (Set(raw.certificate_authority_data)) {
    Bytes pem;
    p = DecodePem(entry, "certificate-authority-data", raw.certificate_authority_data, false, &pem);
    if (!p.ok()) return fail(std::move(p));
    e.certificate_authority_pem.assign(pem.begin(), pem.end());
  } else if (Set(raw.certificate_authority)) {
    return fail(FileReference(KubeconfigIssue::kCertificateAuthorityFile, entry, "CA certificate",
                              raw.certificate_authority));
  }
  if (e.insecure_skip_tls_verify && !e.certificate_authority_pem.empty()) {
    return fail(FieldProblem(KubeconfigIssue::kInsecureWithCa,
                             entry + " has both CA data and insecure-skip-tls-verify; kubectl "
                                     "refuses that too. Remove insecure-skip-tls-verify",
                             raw.insecure_skip_tls_verify));
  }
  return c;
}

KubeconfigUser ClassifyUser(RawUser& raw) {
  KubeconfigUser u;
  u.name = raw.name;
  u.line = raw.line;
  std::string entry = "User entry " + Quoted(raw.name);
  KubeconfigProblem p;
  if (!raw.has_body) {
    p = Problem(KubeconfigIssue::kInvalidField, entry + " has no `user:` map", raw.line);
  } else if (raw.has_exec) {
    p = ExecProblem(entry, raw);
  } else if (raw.has_auth_provider) {
    p = AuthProviderProblem(entry, raw);
  } else if (raw.has_impersonation) {
    p = Problem(KubeconfigIssue::kImpersonation,
                entry +
                    " impersonates another identity (`as:`, `as-groups:`, ...); credvault "
                    "does not impersonate, and without it the entry would act with its own, "
                    "different permissions. Use a credential of the impersonated identity",
                raw.impersonation_line);
  } else {
    p = WrongTypes(entry, {{"token", &raw.token},
                           {"tokenFile", &raw.token_file},
                           {"client-certificate-data", &raw.client_certificate_data},
                           {"client-key-data", &raw.client_key_data},
                           {"client-certificate", &raw.client_certificate},
                           {"client-key", &raw.client_key},
                           {"username", &raw.username},
                           {"password", &raw.password}});
    if (p.ok()) p = ReadMaterial(entry, raw, &u.material);
  }
  if (!p.ok()) u.material = KubeconfigAuthMaterial();
  u.problem = std::move(p);
  Wipe(raw.token.value);
  Wipe(raw.password.value);
  Wipe(raw.client_key_data.value);
  return u;
}

}  // namespace credvault::kubeconfig_internal
