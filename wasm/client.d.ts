// TypeScript declarations for credvault/client: the client over fetch for a credvault server.
//
// Keys stay in WASM memory behind handles held by the client and its Workspace objects:
// `lock()`, `logOut()` and `ws.close()` release them. No token or key is written to any
// storage. Every failure is a CredvaultError:
//   - from the core: `code` is its stable code ("validation", "decrypt_failed",
//     "bad_signature", "permission_denied", ...) and `status` is undefined;
//   - from the server: `code` is the server's error.code, `status` the HTTP status and
//     `details` the server's whole error object (e.g. `connections` for a credential in use);
//   - from the client itself: "locked" (the account is locked: unlock()), "closed" (the
//     workspace was closed), "not_found", "invalid_argument", "conflict", "malformed".
// Network failures propagate as fetch rejects them.
import {
  Chip, ConnectionState, ConnectionSummary, Credvault, CredentialSummary, CredentialView,
  CredvaultError as CoreError, Kdf, KubeconfigPlan, LastTest, Role, ServiceKind,
} from './credvault.js';

// The records' shapes are the module's (credvault.d.ts): one definition for both imports.
export type {
  Chip, ConnectionState, ConnectionSummary, CredentialSummary, CredentialView, KubeconfigPlan,
  LastTest, Role,
};
export type Kind = ServiceKind;

export class CredvaultError extends CoreError {
  /** The HTTP status, for an error the server answered. */
  status?: number;
  /** The server's error object ({code, message, ...}), or null. */
  details?: Record<string, unknown> | null;
}

/** Permission names of the server (the core's permissions). */
export type Permission = 'read_credentials' | 'create_credential' | 'edit_credential' |
  'delete_credential' | 'share_credential' | 'open_credential_secrets' | 'read_connections' |
  'create_connection' | 'edit_connection' | 'delete_connection' | 'change_connection_state' |
  'run_test' | 'manage_members' | 'manage_runners' | 'manage_environments' | 'read_audit' |
  'edit_workspace' | 'delete_workspace';

export interface ConnectionView {
  schema_version?: 1;
  id?: string;
  workspace_id?: string;
  kind: Kind;
  name: string;
  endpoint: string;
  tls?: { ca_data?: string; server_name?: string; insecure_skip_verify?: boolean };
  credential_id?: string;
  managed?: boolean;
  environment_ids?: string[];
  /** For createConnection: where it starts (default "registered"). */
  state?: ConnectionState;
  version?: number;
  created_at?: number;
  updated_at?: number;
  last_test?: LastTest;
}

export interface Remediation { code: string; label: string }

/** A verified connectivity test: what the runner signed, and the connection as recorded. */
export interface TestResult {
  outcome: string;
  message: string;
  remediations: Remediation[];
  latency_ms: number;
  http_status: number;
  server_version: string;
  authenticated_as: string;
  connection: ConnectionSummary;
  verified: true;
  /** The rest of the signed payload (job_id, tested_at, runner_id, transport_error, ...). */
  [field: string]: unknown;
}

export interface Member {
  account_id: string;
  email: string;
  role: Role;
  /** Compare out of band before trusting grants this member signs. */
  fingerprint: string;
  version: number;
}

export interface Runner {
  id: string;
  workspace_id: string;
  name: string;
  box_public_key: string;
  sign_public_key: string;
  created_at: number;
  connected: boolean;
  /** Holds the workspace keys for active monitoring (grantRunner). */
  granted: boolean;
}

/** One recorded test result: outcome codes, times and expiry dates only (unix seconds). */
export interface TestHistoryEntry {
  connection_id: string;
  at: number;
  tested_at: number;
  outcome: string;
  latency_ms: number;
  http_status: number | null;
  runner_id: string;
  source: 'relay' | 'monitor';
  state_before: string;
  state_after: string;
  client_cert_not_after: number | null;
  server_cert_not_after: number | null;
  token_expires_at: number | null;
}

export interface RunnerRevokeResult {
  runner_id: string;
  removed: boolean;
  key_generation: number;
  grants: number;
  credential_keys: number;
  connections: number;
  rotate_recommended: string[];
}

export interface MonitorSettings {
  default_interval_minutes: number;
  connections: { connection_id: string; interval_minutes: number }[];
  /** The newest result of each connection (for expiry warnings). */
  latest: TestHistoryEntry[];
}

export interface RunnerKeys {
  id: string;
  name: string;
  box_public_key: string;
  sign_public_key: string;
}

export interface Environment {
  id: string;
  workspace_id: string;
  name: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface AuditEvent {
  id: string;
  action: string;
  actor_id: string;
  object_type: string;
  object_id: string;
  at: number;
}

export type KubeconfigSelection =
  | { select_all: true }
  | { selected: Array<{ context: string; new_name?: string }> };

export interface KubeconfigImportResult {
  plan: KubeconfigPlan;
  results: Array<{
    context: string;
    outcome: 'imported' | 'updated' | 'skipped' | 'error';
    /** Set for a context imported or updated. */
    connection_id: string | null;
    /** Why skipped or refused: the plan's problem, or the server's error. */
    error?: { code: string; message: string; status?: number; line?: number; column?: number };
  }>;
}

export interface RemovalResult {
  /** The workspace key generation after the rotation. */
  generation: number;
  /** What the rotation re-sealed. */
  rotated: { grants: number; credentials: number; connections: number };
  /** Credentials the removed member could open: rotate their secrets at the service. */
  rotateRecommended: Array<{ id: string; name: string }>;
}

export interface Workspace {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  /** The workspace key generation. */
  readonly generation: number;
  readonly version: number;
  readonly permissions: readonly Permission[];
  can(action: Permission): boolean;
  /** Re-reads the workspace and re-opens its keys (after someone else rotated them). */
  refresh(): Promise<void>;
  /** Releases this workspace's key handles; the object is unusable afterwards. */
  close(): void;

  members(): Promise<Member[]>;
  /** Looks the account up by email and grants it the keys its role receives. */
  invite(email: string, role: Role): Promise<Member>;
  changeRole(accountId: string, role: Role): Promise<{ account_id: string; role: Role;
    version: number; added_at: number }>;
  /** Removes a member (or yourself: leaving) and rotates the workspace keys. */
  removeMember(accountId: string): Promise<RemovalResult>;

  credentials(filter?: { kind?: Kind }): Promise<CredentialSummary[]>;
  createCredential(view: CredentialView): Promise<CredentialSummary>;
  /** The secret fields, for an edit form only: drop the object when the form closes. */
  openCredential(id: string): Promise<CredentialView>;
  /** `rotated: true` clears "rotate recommended". Only in the credential's own workspace. */
  updateCredential(id: string, view: CredentialView, options?: { rotated?: boolean }):
    Promise<CredentialSummary>;
  /** 409 "conflict" while connections use it; `error.details.connections` lists them. */
  deleteCredential(id: string): Promise<void>;
  /** `target`: a Workspace of this client, or the id of one you belong to. */
  shareCredential(id: string, target: Workspace | string): Promise<CredentialSummary>;
  revokeShare(id: string, targetWorkspaceId: string): Promise<void>;

  /** Deleted connections only with includeDeleted (or state "deleted"). Counts cover every
   *  state. */
  connections(filter?: { kind?: Kind; state?: ConnectionState; environment?: string;
    includeDeleted?: boolean }): Promise<{ items: ConnectionSummary[];
    counts: Record<ConnectionState, number> }>;
  createConnection(view: ConnectionView): Promise<ConnectionSummary>;
  openConnection(id: string): Promise<ConnectionView>;
  /** `view` is laid over the stored details; state and kind do not change here. */
  updateConnection(id: string, view: Partial<ConnectionView>): Promise<ConnectionSummary>;
  transition(id: string, to: ConnectionState): Promise<ConnectionSummary>;
  deleteConnection(id: string): Promise<void>;
  /** Seals the test to a runner in the core, relays it through the server and verifies the
   *  signed result against the runner key admitted here; throws if it does not verify. */
  testConnection(id: string, options?: { runnerId?: string; lifetimeSeconds?: number }):
    Promise<TestResult>;

  previewKubeconfig(text: string, selection?: KubeconfigSelection): Promise<KubeconfigPlan>;
  importKubeconfig(text: string, selection?: KubeconfigSelection):
    Promise<KubeconfigImportResult>;

  runners(): Promise<Runner[]>;
  admitRunner(runner: RunnerKeys): Promise<Runner>;
  admitBuiltinRunner(): Promise<Runner>;
  /** Removes a runner; one holding the workspace keys is removed with a key rotation. */
  removeRunner(id: string): Promise<void>;
  /** Grants an admitted runner the workspace keys (sealed to it, signed by this account) for
   *  active monitoring. The server still cannot open them. */
  grantRunner(runnerId: string): Promise<{ runner_id: string; generation: number }>;
  /** Revokes the grant with a key rotation (new generation). */
  revokeRunner(runnerId: string): Promise<RunnerRevokeResult>;
  /** Minutes between scheduled tests: 0 = off, null = the workspace default. */
  setMonitor(connectionId: string, minutes: number | null): Promise<{
    connection_id: string; interval_minutes: number | null; effective_interval_minutes: number;
  }>;
  setMonitorDefault(minutes: number): Promise<{ default_interval_minutes: number }>;
  monitorSettings(): Promise<MonitorSettings>;
  /** The connection's recorded results, newest first (the last 100 are kept). */
  history(connectionId: string, page?: { limit?: number }): Promise<TestHistoryEntry[]>;
  /** State changes recorded from test results in the workspace, newest first. */
  feed(page?: { limit?: number }): Promise<TestHistoryEntry[]>;
  environments(): Promise<Environment[]>;
  createEnvironment(name: string): Promise<Environment>;
  audit(page?: { cursor?: string; limit?: number }):
    Promise<{ items: AuditEvent[]; next_cursor: string | null }>;
}

export type ProgressStage = 'deriving' | 'signing_in' | 'unlocking';

export interface Client {
  /** The WASM module (view models, forms, chips). */
  readonly cv: Credvault;
  readonly account: { id: string; email: string; fingerprint: string } | null;
  readonly unlocked: boolean;

  /** Registers, logs in and unlocks. Show `recoveryCode` once; it is not kept. */
  signUp(email: string, password: string, options?: { kdf?: Kdf }):
    Promise<{ accountId: string; recoveryCode: string }>;
  logIn(email: string, password: string,
        options?: { onProgress?: (stage: ProgressStage) => void }):
    Promise<{ id: string; email: string; fingerprint: string }>;
  /** Releases every key handle; the session stays. */
  lock(): void;
  unlock(password: string): Promise<void>;
  logOut(): Promise<void>;
  /** Other sessions end. `kdf` defaults to the account's current parameters. */
  changePassword(currentPassword: string, newPassword: string, options?: { kdf?: Kdf }):
    Promise<void>;
  /** New password from the recovery code (every session ends), then logged in. */
  recover(email: string, recoveryCode: string, newPassword: string, options?: { kdf?: Kdf }):
    Promise<{ id: string; email: string; fingerprint: string }>;

  workspaces(): Promise<Array<{ id: string; name: string; role: Role; key_generation: number;
    permissions: Permission[] }>>;
  createWorkspace(name: string): Promise<Workspace>;
  workspace(id: string): Promise<Workspace>;
  /** The server's built-in runner, or null when it runs without one. */
  builtinRunner(): Promise<(RunnerKeys & { fingerprint: string }) | null>;
}

export interface ClientOptions {
  /** The server's origin; '' for the page's own origin. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** A module from createCredvault(); one is created when left out. */
  credvault?: Credvault;
  /** 'auto': the HttpOnly cookie + X-CSRF-Token in a browser on the server's origin, else a
   *  Bearer token held in memory. */
  session?: 'auto' | 'bearer' | 'cookie';
}

export function createClient(options?: ClientOptions): Promise<Client>;
export default createClient;
