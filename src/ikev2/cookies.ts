/**
 * Stateless cookies against IKE_SA_INIT floods (RFC 7296 §2.6):
 *   Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>)
 * checked before any Diffie-Hellman work. The secret is replaced regularly;
 * a cookie made with the previous secret is still accepted.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomSource } from '../crypto/types.js';
import { parseAddress } from './traffic-selectors.js';

const SECRET_LEN = 32;

export class CookieJar {
  private version = 0;
  private secret: Uint8Array;
  private previous: Uint8Array | undefined;

  constructor(private readonly random: RandomSource) {
    this.secret = random(SECRET_LEN);
  }

  /** Replaces the secret; cookies of the previous one stay valid until the next rotation. */
  rotate(): void {
    this.previous = this.secret;
    this.secret = this.random(SECRET_LEN);
    this.version = (this.version + 1) & 0xffffffff;
  }

  make(ni: Uint8Array, ipI: string, spiI: Uint8Array): Uint8Array {
    return this.compute(this.version, this.secret, ni, ipI, spiI);
  }

  verify(cookie: Uint8Array, ni: Uint8Array, ipI: string, spiI: Uint8Array): boolean {
    if (cookie.length !== 4 + 32) return false;
    const version = new DataView(cookie.buffer, cookie.byteOffset, 4).getUint32(0);
    const secret =
      version === this.version
        ? this.secret
        : version === ((this.version - 1) & 0xffffffff)
          ? this.previous
          : undefined;
    if (!secret) return false;
    const expected = this.compute(version, secret, ni, ipI, spiI);
    return timingSafeEqual(expected, cookie);
  }

  private compute(
    version: number,
    secret: Uint8Array,
    ni: Uint8Array,
    ipI: string,
    spiI: Uint8Array,
  ): Uint8Array {
    const h = createHash('sha256');
    h.update(ni);
    h.update(parseAddress(ipI)?.bytes ?? new Uint8Array(0));
    h.update(spiI);
    h.update(secret);
    const out = new Uint8Array(36);
    new DataView(out.buffer).setUint32(0, version);
    out.set(h.digest(), 4);
    return out;
  }
}
