/**
 * IKEv1 SKEYID and SKEYID_d/a/e (RFC 2409 §5) against the NIST CAVP SP 800-135
 * IKEv1 vectors (CAVS 17.3 ikev1_dsa.fax and ikev1_psk.fax).
 */

import { describe, expect, it } from 'vitest';
import {
  deriveIkev1SaKeys,
  skeyidPreSharedKey,
  skeyidSignature,
} from '../../../src/crypto/kdf/index.js';
import { hex, readKdfVectors, testPrf, unhex } from './test-prfs.js';

interface Ikev1Vector {
  prf: number;
  auth: 'signature' | 'psk';
  name: string;
  ckyI: string;
  ckyR: string;
  ni: string;
  nr: string;
  gxy: string;
  preSharedKey?: string;
  skeyid: string;
  skeyidD: string;
  skeyidA: string;
  skeyidE: string;
}

const vectors = readKdfVectors<Ikev1Vector>('cavp-kdf135-ikev1.json');

describe('CAVP KDF135 IKEv1', () => {
  it('covers both authentication variants and every HMAC PRF', () => {
    expect(new Set(vectors.map((v) => v.auth))).toEqual(new Set(['signature', 'psk']));
    expect(new Set(vectors.map((v) => v.prf))).toEqual(new Set([2, 5, 6, 7]));
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const prf = testPrf(v.prf);
    const skeyid =
      v.auth === 'psk'
        ? skeyidPreSharedKey(prf, unhex(v.preSharedKey!), unhex(v.ni), unhex(v.nr))
        : skeyidSignature(prf, unhex(v.ni), unhex(v.nr), unhex(v.gxy));
    expect(hex(skeyid)).toBe(v.skeyid);
    const keys = deriveIkev1SaKeys(prf, {
      skeyid,
      sharedSecret: unhex(v.gxy),
      ckyI: unhex(v.ckyI),
      ckyR: unhex(v.ckyR),
    });
    expect(hex(keys.skeyidD)).toBe(v.skeyidD);
    expect(hex(keys.skeyidA)).toBe(v.skeyidA);
    expect(hex(keys.skeyidE)).toBe(v.skeyidE);
  });
});
