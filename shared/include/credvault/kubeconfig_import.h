// From a kubeconfig import plan to the model: the credentials and connections a client
// seals and sends. One credential per planned credential (distinct auth material), one
// connection per context whose outcome is imported or updated, managed, of kind kubernetes,
// with the cluster's CA and TLS settings on the connection (a credential shared by several
// clusters cannot carry one CA). Pure; errors: kValidation when a planned entry does not
// fit the model (the message names the context or user entry).
#ifndef CREDVAULT_KUBECONFIG_IMPORT_H_
#define CREDVAULT_KUBECONFIG_IMPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "credvault/connection.h"
#include "credvault/credential.h"
#include "credvault/kubeconfig.h"

namespace credvault {

struct ImportedCredential {
  std::string id;  // the plan's deterministic id: re-importing updates it
  CredentialView view;
};

struct KubeconfigImportModels {
  std::vector<ImportedCredential> credentials;  // only those some imported context uses
  std::vector<ConnectionView> connections;      // imported and updated contexts, file order
};

Result<KubeconfigImportModels> KubeconfigPlanToModels(const KubeconfigImportPlan& plan,
                                                      std::string_view workspace_id);

}  // namespace credvault

#endif  // CREDVAULT_KUBECONFIG_IMPORT_H_
