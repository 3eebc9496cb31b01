// TypeScript declarations for the credvault ES module.
//
// Binary values (keys, salts, envelopes, signatures) are base64url strings without padding.
// JSON records use snake_case field names, exactly as the REST API stores them.
// Key material never crosses into JavaScript: keys are held in WASM memory and referred to
// by numeric handles; `release(handle)` wipes one. Every function throws a CredvaultError
// whose `code` is the core's stable error code ("decrypt_failed", "kdf_too_weak", ...).

export type Handle = number;

export class CredvaultError extends Error {
  readonly code: string;
}

export interface Kdf {
  ops_limit: number;
  mem_limit_bytes: number;
}

export interface AccountRecord {
  account_id: string;
  email: string;
  kdf: Kdf;
  salt: string;
  keys_version: number;
  box_public_key: string;
  sign_public_key: string;
  wrapped_private_keys: string;
  recovery_wrapped_private_keys: string;
}

export interface EnvelopeContext {
  purpose: string;
  workspace_id?: string;
  object_id: string;
  object_version?: number;
}

export interface EnvelopeHeader {
  version: number;
  algorithm: number;
  key_generation: number;
  padded_plaintext_bytes: number;
}

export interface KeyGrant {
  workspace_id: string;
  recipient_id: string;
  granter_id: string;
  generation: number;
  includes_secrets: boolean;
  sealed: string;
  signature: string;
}

export interface TestJobHeader {
  job_id: string;
  workspace_id: string;
  connection_id: string;
  runner_id: string;
  issued_at: number;
  expires_at: number;
}

export interface SignedTestResult {
  payload: string;
  signature: string;
}

export interface AccountInfo {
  account_id: string;
  box_public_key: string;
  sign_public_key: string;
  fingerprint: string;
}

// ---- view models (the UI logic of the web app; JSON of shared/include/credvault/ui_json.h) ----

export type ServiceKind = 'kubernetes' | 'prometheus' | 'grafana' | 'github' | 'http';
export type ConnectionState = 'discovered' | 'registered' | 'connected' | 'ignored' |
  'maintenance' | 'disconnected' | 'deleted' | 'not_found';
export type Role = 'owner' | 'admin' | 'operator' | 'viewer';
export type ChipTone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'muted';

/** A status chip. `tone` is a CSS class suffix; `code` names the state or outcome it shows. */
export interface Chip {
  label: string;
  tone: ChipTone;
  tooltip: string;
  code?: string;
}

/** Expiry ahead of failure: the soonest runner-reported expiry within the warning window.
 *  Days are counted up; tone "danger" under 3 days or when expired. */
export interface ExpiryChip extends Chip {
  code: 'expiry';
  item: 'client_certificate' | 'bearer_token' | 'server_certificate';
  expires_at: number;
  days_left: number;
  expired: boolean;
}

/** Beside a form field: empty code and message when the field is fine. */
export interface FieldMessage {
  code: string;
  message: string;
}

export interface AuthMethodField {
  name: string;
  label: string;
  required: boolean;
  masked: boolean;
  multiline: boolean;
}

export interface AuthMethodInfo {
  method: string;
  label: string;
  fields: AuthMethodField[];
}

/** The decrypted credential as a form holds it. */
export interface CredentialView {
  schema_version: 1;
  name: string;
  kind: ServiceKind;
  auth_method: string;
  fields: Record<string, string>;
}

export interface CredentialForm {
  methods: string[];
  name: FieldMessage;
  /** Set when the method does not fit the kind. */
  method_message: string;
  fields: (AuthMethodField & FieldMessage)[];
  /** Submit enabled. */
  valid: boolean;
}

export interface ConnectionFormInput {
  kind: ServiceKind;
  name?: string;
  endpoint?: string;
  tls?: { ca_data?: string; server_name?: string; insecure_skip_verify?: boolean };
  /** The credential picked, if any: decides whether it fits the kind. */
  credential?: { kind: ServiceKind; auth_method: string } | null;
}

export interface ConnectionForm {
  name: FieldMessage;
  endpoint: FieldMessage;
  ca_data: FieldMessage;
  server_name: FieldMessage;
  insecure_skip_verify: FieldMessage;
  credential: FieldMessage;
  /** Do not block saving: plain http, TLS not verified. */
  warnings: Chip[];
  valid: boolean;
}

export interface LastTest {
  outcome: string;
  tested_at: number;
  latency_ms: number;
  http_status: number;
  runner_id: string;
}

/** A connection list row (summarizeConnection). */
export interface ConnectionSummary {
  schema_version: 1;
  id: string;
  name: string;
  kind: ServiceKind;
  state: ConnectionState;
  endpoint: string;
  host: string;
  plain_http: boolean;
  insecure_skip_verify: boolean;
  managed: boolean;
  credential_id: string;
  environment_ids: string[];
  last_test?: LastTest;
  updated_at: number;
  /** The record's version: what an update (and a kubeconfig re-import) builds on. */
  version: number;
  chips: { state: Chip; warnings: Chip[]; last_test: Chip | null };
}

/** A credential list row (summarizeCredential). */
export interface CredentialSummary {
  schema_version: 1;
  id: string;
  name: string;
  kind: ServiceKind;
  auth_method: string;
  version: number;
  created_at: number;
  updated_at: number;
  rotate_recommended: boolean;
  shared_workspaces: number;
  chips: { warnings: Chip[] };
}

/** Every field optional. `kind` and `state`: a name or a list of names (none = every kind,
 *  every state but deleted). */
export interface ConnectionListQuery {
  search?: string;
  kind?: ServiceKind | ServiceKind[];
  state?: ConnectionState | ConnectionState[];
  environment?: string;
  credential_id?: string;
  sort?: 'name' | 'state' | 'kind' | 'host' | 'updated' | 'last_tested';
  descending?: boolean;
  offset?: number;
  /** 0 or absent = no limit. */
  limit?: number;
}

export interface ConnectionList<T = ConnectionSummary> {
  /** The caller's own rows, filtered, in display order (one page). */
  items: T[];
  /** Matches before paging. */
  total: number;
  /** Per state, over the rows that pass every filter but the state filter. */
  counts: Record<ConnectionState, number>;
}

export interface CredentialListQuery {
  search?: string;
  kind?: ServiceKind | ServiceKind[];
  rotate_recommended_only?: boolean;
  sort?: 'name' | 'kind' | 'updated';
  descending?: boolean;
  offset?: number;
  limit?: number;
}

export interface CredentialList<T = CredentialSummary> {
  items: T[];
  total: number;
  /** Among the matches. */
  rotate_recommended: number;
}

export interface ConnectionActions {
  /** The state menu, in order; ask `confirmation` before acting (type the name when
   *  `destructive`). */
  transitions: { to: ConnectionState; label: string; confirmation: string;
                 destructive: boolean }[];
  can_test: boolean;
  can_edit: boolean;
}

/** What the import dialog asks. `existing`: the workspace's connections (connection rows of
 *  summarizeConnection fit as they are: id, state, name, version, environment_ids).
 *  `existing_credentials`: the workspace's credential ids (or credential rows). */
export interface KubeconfigImportRequest {
  select_all?: boolean;
  selected?: { context: string; new_name?: string }[];
  existing?: { id: string; state: ConnectionState; name: string; version?: number;
               environment_ids?: string[] }[];
  existing_credentials?: (string | { id: string })[];
}

export interface KubeconfigProblem {
  code: string;
  message: string;
  line: number;
  column: number;
  plugin?: string;
}

export interface KubeconfigContextPlan {
  context: string;
  /** The connection's name after the import. */
  name: string;
  outcome: 'imported' | 'updated' | 'skipped' | 'error';
  problem: KubeconfigProblem | null;
  current: boolean;
  cluster: string;
  user: string;
  namespace: string;
  connection_id: string;
  credential_id: string;
  endpoint: { server: string; has_certificate_authority: boolean; tls_server_name: string;
              insecure_skip_tls_verify: boolean; proxy_url: string } | null;
  state: string;
}

/** No secret: credentials appear with their id, name, auth kind and user entries. */
export interface KubeconfigPlan {
  current_context: string;
  summary: { imported: number; updated: number; skipped: number; error: number };
  contexts: KubeconfigContextPlan[];
  credentials: { id: string; name: string; auth: string; user_entries: string[];
                 connection_ids: string[] }[];
}

/** What sealKubeconfigImport returns: records ready to send, secrets sealed inside WASM. */
export interface SealedKubeconfigImport {
  plan: KubeconfigPlan;
  /** New credentials (version 1): POST /api/v1/workspaces/{ws}/credentials each, BEFORE the
   *  connections that name them. */
  credentials: object[];
  /** `version` 1: POST /api/v1/workspaces/{ws}/connections. `version` > 1 (a context the
   *  plan marks "updated"): PUT /api/v1/workspaces/{ws}/connections/{id}; it was sealed at
   *  the existing version + 1, as the server requires, so pass each existing connection's
   *  current `version` in request.existing (a 409 means it changed meanwhile: list again
   *  and re-import). */
  connections: object[];
}

export interface Credvault {
  /** Build facts: target, random source, version. */
  info(): { target: string; random_source: string; version: string };
  /** A new random object id (22 base64url characters). */
  newId(): string;
  kdfDefaults(): Kdf;
  kdfMinimum(): Kdf;

  /** Runs Argon2id: ~0.2 s for the default parameters. */
  createAccount(email: string, password: string, kdf?: Kdf):
    { record: AccountRecord; auth_key: string; recovery_auth_key: string; recovery_code: string;
      account: Handle };
  unlockAccount(password: string, record: AccountRecord): { auth_key: string; account: Handle };
  /** Only the login proof, for a client that has not fetched its wrapped keys yet. */
  deriveAuthKey(password: string, salt: string, kdf: Kdf): string;
  /** The proof of holding the recovery code, which the server checks before it hands out
   *  the recovery-wrapped keys. */
  deriveRecoveryAuthKey(recoveryCode: string): string;
  recoverAccount(recoveryCode: string, record: AccountRecord): Handle;
  changePassword(account: Handle, record: AccountRecord, newPassword: string, kdf?: Kdf):
    { record: AccountRecord; auth_key: string };
  accountInfo(account: Handle): AccountInfo;
  fingerprint(publicKey: string): string;

  newWorkspaceKeys(workspaceId: string, generation: number): Handle;
  makeGrant(granter: Handle, workspace: Handle, includeSecrets: boolean, recipientId: string,
            recipientBoxPublicKey: string): KeyGrant;
  /** `pinned` maps identity ids to their Ed25519 public keys. */
  openGrant(recipient: Handle, grant: KeyGrant, pinned: Record<string, string>): Handle;
  workspaceHasSecrets(workspace: Handle): boolean;

  newDataKey(): Handle;
  wrapDataKey(workspace: Handle, credentialId: string, version: number, dataKey: Handle): string;
  unwrapDataKey(workspace: Handle, credentialId: string, version: number, wrapped: string): Handle;

  /** Seals with a data key, or with a workspace's metadata key. */
  seal(key: Handle, context: EnvelopeContext, plaintext: string): string;
  open(key: Handle, context: EnvelopeContext, envelope: string): string;
  inspectEnvelope(envelope: string): EnvelopeHeader;

  /** Credentials and connections in the JSON of the REST API (schema_version 1). A view is
   *  {name, kind, auth_method, fields: {...}}; `record` is {id, owner_id, workspace_id,
   *  version, created_at, updated_at}; `workspaces` are the workspaces to grant it to. */
  sealCredential(view: object, record: object, dataKey: Handle, workspaces: Handle[]): object;
  openCredential(sealed: object, workspace: Handle): object;
  /** Name and facts only: needs just the metadata key (every role). */
  summarizeCredential(sealed: object, workspace: Handle): CredentialSummary;
  openCredentialDataKey(sealed: object, workspace: Handle): Handle;
  /** A grant sharing the credential with `target` (the body of POST .../grants). */
  grantCredential(sealed: object, name: string, dataKey: Handle, target: Handle): object;
  sealConnection(view: object, workspace: Handle): object;
  openConnection(sealed: object, workspace: Handle): object;

  sealTestJob(runnerBoxPublicKey: string, header: TestJobHeader, body: object): string;
  /** Opens the connection and its credential inside the core and seals a test job to the
   *  runner: the secret never reaches JavaScript. `credential` is null for an anonymous
   *  connection. Send `job` to POST .../connections/{id}/tests; keep `header.job_id` to verify
   *  the result. */
  sealConnectionTest(connection: object, credential: object | null, workspace: Handle,
                     runner: { id: string; box_public_key: string },
                     options?: { now: number; lifetime_seconds?: number;
                                 allow_private_targets?: boolean;
                                 http_expected_status?: number }):
    { job: string; header: TestJobHeader };
  verifyTestResult(runnerSignPublicKey: string, result: SignedTestResult, jobId: string,
                   connectionId: string): Record<string, unknown>;

  // ---- view models ----
  /** The auth methods a kind offers and each method's form fields. */
  authMethods(kind: ServiceKind): AuthMethodInfo[];
  /** Per-field messages from the core's validation. `touched` = the user tried to submit:
   *  before that, "required" is not shown. */
  credentialForm(view: CredentialView, touched?: boolean): CredentialForm;
  /** The view without the fields its method does not use: call before sealCredential. */
  dropUnusedFields(view: CredentialView): CredentialView;
  connectionForm(input: ConnectionFormInput, touched?: boolean): ConnectionForm;
  stateChip(state: ConnectionState): Chip;
  outcomeChip(outcome: string): Chip;
  /** The expiry warning of a recorded test result (a history entry, or any object with
   *  client_cert_not_after / server_cert_not_after / token_expires_at in unix seconds, each
   *  optional); null when nothing expires within `warning_days` (default 14) of `now`
   *  (default: the current time). Throws validation for a field of the wrong type,
   *  invalid_argument for an implausible time or window. */
  expiryChip(entry: {
    client_cert_not_after?: number | null; server_cert_not_after?: number | null;
    token_expires_at?: number | null;
  } | null, options?: { now?: number; warning_days?: number }): ExpiryChip | null;
  /** Opens the connection's details with the workspace's metadata key (every role). */
  summarizeConnection(sealed: object, workspace: Handle): ConnectionSummary;
  listConnections<T extends ConnectionSummary>(summaries: T[], query?: ConnectionListQuery):
    ConnectionList<T>;
  listCredentials<T extends CredentialSummary>(summaries: T[], query?: CredentialListQuery):
    CredentialList<T>;
  connectionActions(state: ConnectionState, role: Role): ConnectionActions;

  // ---- kubeconfig import ----
  // Both functions are async: the YAML reader is a second WASM module
  // (credvault_kubeconfig.mjs + .wasm, beside this one), loaded on the first call. It holds
  // no key; ids are derived and records sealed in this module.
  /** The plan of an import: per context its outcome, name, ids and problem; no secret.
   *  Ids are keyed digests under a key derived inside the core from the workspace's
   *  metadata key (never seen by JavaScript or the server), so a re-import updates instead
   *  of duplicating, as long as the workspace keys were not rotated in between (a rotation
   *  makes new ids). A file that cannot be read rejects with `parse_error`, `validation` or
   *  `invalid_argument`, with line and column in the message. `request` defaults to
   *  {select_all: true}. */
  planKubeconfigImport(text: string, request: KubeconfigImportRequest | undefined,
                       workspace: Handle): Promise<KubeconfigPlan>;
  /** Plans and seals what the plan imports. Each new credential gets a fresh data key,
   *  granted to this workspace only; credentials in request.existing_credentials are left
   *  alone (their id is a digest of their material: the same id is the same secret). See
   *  SealedKubeconfigImport for what to send. `owner_id` is the caller's account id; `now`
   *  defaults to the clock. Rejects with `invalid_argument` when an updated connection's current
   *  version is not in request.existing. */
  sealKubeconfigImport(text: string, request: KubeconfigImportRequest | undefined,
                       workspace: Handle, options: { owner_id: string; now?: number }):
    Promise<SealedKubeconfigImport>;

  /** Wipes and forgets a key handle. */
  release(handle: Handle): void;
  /** How many handles are live (for leak checks). */
  handleCount(): number;
}

export default function createCredvault(options?: { wasmBinary?: ArrayBuffer | Uint8Array }):
  Promise<Credvault>;
