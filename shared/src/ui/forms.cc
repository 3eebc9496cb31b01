// The credential form: which fields to show for the chosen method, and what to say beside
// each, from the same validation the seal step runs.
#include "credvault/ui.h"

namespace credvault {
namespace {

bool IsPem(FieldFormat format) {
  return format == FieldFormat::kCertificates || format == FieldFormat::kPrivateKey ||
         format == FieldFormat::kRsaPrivateKey;
}

// Whether to show `issue` yet: an untouched form does not shout "required".
bool Shown(const FieldIssue& issue, bool touched) { return touched || issue.code != "required"; }

}  // namespace

CredentialFormState BuildCredentialForm(const CredentialView& view, bool touched) {
  CredentialFormState form;
  form.methods = AuthMethodsFor(view.kind);
  FieldIssues issues = CheckCredential(view);
  bool blocking = false;
  for (const FieldIssue& issue : issues) {
    // Values left from another method are dropped on submit, not shown as errors.
    if (issue.code == "not_used") continue;
    blocking = true;
    if (issue.field == "name" && Shown(issue, touched)) {
      form.name_code = issue.code;
      form.name_message = issue.message;
    } else if (issue.field == "auth_method") {
      form.method_message = issue.message;
    }
  }
  form.valid = !blocking;
  const AuthMethodSpec* spec = FindAuthMethod(view.kind, view.method);
  if (spec == nullptr) return form;
  for (const FieldSpec& f : spec->fields) {
    FormField field;
    field.field = f.field;
    field.name = CredentialFieldName(f.field);
    field.label = f.label;
    field.required = f.required;
    field.masked = f.masked;
    field.multiline = IsPem(f.format);
    for (const FieldIssue& issue : issues) {
      if (issue.field == field.name && Shown(issue, touched)) {
        field.code = issue.code;
        field.message = issue.message;
        break;
      }
    }
    form.fields.push_back(std::move(field));
  }
  return form;
}

ConnectionFormState BuildConnectionForm(const ConnectionFormInput& input, bool touched) {
  ConnectionFormState form;
  ConnectionView view;
  view.id = "form";
  view.workspace_id = "form";
  view.kind = input.kind;
  view.name = input.name;
  view.tls = input.tls;
  FieldIssues issues;
  std::optional<FieldIssue> endpoint_issue =
      CheckEndpoint(input.endpoint, "endpoint", &view.endpoint);
  if (endpoint_issue) issues.push_back(*endpoint_issue);
  for (FieldIssue& issue : CheckConnection(view)) {
    // An unparsed endpoint is reported once, by CheckEndpoint.
    if (issue.field != "endpoint") issues.push_back(std::move(issue));
  }
  if (input.has_credential) {
    Status fits = CheckCredentialFits(input.kind, input.credential_kind, input.credential_method);
    if (!fits.ok()) issues.push_back({"credential_id", "does_not_fit", fits.message()});
  }
  form.valid = issues.empty();
  for (const FieldIssue& issue : issues) {
    if (!Shown(issue, touched)) continue;
    ConnectionFormMessage* slot = issue.field == "name"          ? &form.name
                                  : issue.field == "endpoint"    ? &form.endpoint
                                  : issue.field == "ca_data"     ? &form.ca_data
                                  : issue.field == "server_name" ? &form.server_name
                                  : issue.field == "insecure_skip_verify"
                                      ? &form.insecure_skip_verify
                                  : issue.field == "credential_id" ? &form.credential
                                                                   : nullptr;
    if (slot != nullptr && slot->code.empty()) *slot = {issue.code, issue.message};
  }
  if (!endpoint_issue) {
    ConnectionSummary summary;
    summary.plain_http = view.endpoint.plain_http();
    summary.insecure_skip_verify = input.tls.insecure_skip_verify;
    form.warnings = ConnectionWarningChips(summary);
  }
  return form;
}

void DropUnusedFields(CredentialView* view) {
  const AuthMethodSpec* spec = FindAuthMethod(view->kind, view->method);
  for (size_t i = 0; i < kCredentialFieldCount; ++i) {
    auto field = static_cast<CredentialField>(i);
    bool used = false;
    if (spec != nullptr) {
      for (const FieldSpec& f : spec->fields) used = used || f.field == field;
    }
    if (!used) view->fields.Clear(field);
  }
}

}  // namespace credvault
