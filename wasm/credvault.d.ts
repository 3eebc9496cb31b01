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
  summarizeCredential(sealed: object, workspace: Handle): object;
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

  /** Wipes and forgets a key handle. */
  release(handle: Handle): void;
  /** How many handles are live (for leak checks). */
  handleCount(): number;
}

export default function createCredvault(options?: { wasmBinary?: ArrayBuffer | Uint8Array }):
  Promise<Credvault>;
