/**
 * A wrapper for secret material (PSKs, EAP passwords, key passphrases).
 *
 * The bytes are held in a private field, so they cannot be reached by
 * `JSON.stringify`, `util.inspect`, string conversion or a structured log
 * field; every one of those prints `<redacted>`. Code that needs the key calls
 * {@link Secret.reveal} explicitly, which makes each use easy to audit.
 */
import { timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

export const REDACTED = '<redacted>';

export class Secret {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = Uint8Array.from(bytes);
    Object.freeze(this);
  }

  static fromUtf8(text: string): Secret {
    return new Secret(new TextEncoder().encode(text));
  }

  /** A copy of the secret bytes; the caller owns (and may wipe) the copy. */
  reveal(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** Constant-time comparison (for equal lengths; the length itself is not secret). */
  equals(other: Secret): boolean {
    const a = this.#bytes;
    const b = other.#bytes;
    return a.length === b.length && timingSafeEqual(a, b);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}
