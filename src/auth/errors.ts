/**
 * Typed errors for credential loading. Messages name the file and what is wrong;
 * they never carry key material or passphrases (style rule 11).
 */

export type CredentialErrorCode =
  | 'READ_FAILED'
  | 'NOT_PEM_OR_DER'
  | 'NOT_A_CERTIFICATE'
  | 'NOT_A_CRL'
  | 'NOT_A_KEY'
  | 'UNSUPPORTED_KEY'
  | 'PASSPHRASE_REQUIRED'
  | 'WRONG_PASSPHRASE'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'KEY_MISMATCH';

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  constructor(
    readonly code: CredentialErrorCode,
    /** The file (or caller-given source name) the credential came from. */
    readonly source: string,
    /** What is wrong, without the file name. */
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}
