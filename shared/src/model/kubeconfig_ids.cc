// The ids of imported kubeconfig contexts. Apart from the planner (shared/src/kubeconfig/)
// because the key that makes them lives in the main WASM module, which has no YAML reader:
// the browser's kubeconfig module asks it for ids (see kubeconfig_seal.h).
#include <string>

#include "credvault/digest.h"
#include "credvault/kubeconfig.h"

namespace credvault {
namespace {

constexpr size_t kIdBytes = 16;  // the size of NewObjectId's ids

// Scheme and host are case-insensitive and a trailing slash means nothing: they must not
// make one cluster look like two.
std::string NormalizedServer(std::string_view server) {
  std::string s(server);
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  size_t scheme_end = s.find("://");
  size_t host_end = scheme_end == std::string::npos ? 0 : s.find_first_of("/?#", scheme_end + 3);
  if (host_end == std::string::npos) host_end = s.size();
  for (size_t i = 0; i < host_end; ++i) {
    if (s[i] >= 'A' && s[i] <= 'Z') s[i] = static_cast<char>(s[i] - 'A' + 'a');
  }
  return s;
}

Result<Bytes> CredentialDigest(ByteView key, const KubeconfigAuthMaterial& m) {
  return FieldsDigest(
      key,
      {AsBytes("credvault/kubeconfig/credential/v1"), AsBytes(KubeconfigAuthName(m.auth)),
       m.token.view(), AsBytes(m.client_certificate_pem), m.client_key_pem.view(),
       AsBytes(m.username), m.password.view()},
      kIdBytes);
}

Result<Bytes> ConnectionDigest(ByteView key, const KubeconfigEndpoint& e,
                               ByteView credential_digest) {
  std::string server = NormalizedServer(e.server);
  return FieldsDigest(key,
                      {AsBytes("credvault/kubeconfig/connection/v1"), AsBytes(server),
                       AsBytes(e.certificate_authority_pem), credential_digest},
                      kIdBytes);
}

}  // namespace

Result<KubeconfigContextIds> DeriveKubeconfigContextIds(ByteView id_key,
                                                        const KubeconfigEndpoint& endpoint,
                                                        const KubeconfigAuthMaterial& material) {
  if (id_key.size() != kKubeconfigIdKeyBytes) {
    return Result<KubeconfigContextIds>(
        ErrorCode::kInvalidArgument,
        "the kubeconfig id key must be " + std::to_string(kKubeconfigIdKeyBytes) + " bytes");
  }
  CV_ASSIGN_OR_RETURN(Bytes credential, CredentialDigest(id_key, material));
  CV_ASSIGN_OR_RETURN(Bytes connection, ConnectionDigest(id_key, endpoint, credential));
  return KubeconfigContextIds{Base64UrlEncode(credential), Base64UrlEncode(connection)};
}

}  // namespace credvault
