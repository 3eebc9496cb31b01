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
