/**
 * IKEv2 key derivation against the NIST CAVP SP 800-135 IKEv2 vectors (CAVS 17.3
 * ikev2.fax): SKEYSEED, the IKE SA keying material, CHILD_SA KEYMAT without and
 * with PFS, and the rekeyed SKEYSEED (RFC 7296 §2.13-§2.18).
 */

import { describe, expect, it } from 'vitest';
import {
  childSaKeymat,
  deriveIkeSaKeys,
  prfPlus,
  rekeySkeyseed,
  skeyseed,
} from '../../../src/crypto/kdf/index.js';
import { hex, readKdfVectors, testPrf, unhex } from './test-prfs.js';

interface Ikev2Vector {
  prf: number;
  name: string;
  ni: string;
  nr: string;
  gir: string;
  girNew: string;
  spiI: string;
  spiR: string;
  skeyseed: string;
  dkm: string;
  dkmChildSa: string;
  dkmChildSaDh: string;
  skeyseedRekey: string;
}

const vectors = readKdfVectors<Ikev2Vector>('cavp-kdf135-ikev2.json');

describe('CAVP KDF135 IKEv2', () => {
  it('has vectors for every HMAC PRF', () => {
    expect(new Set(vectors.map((v) => v.prf))).toEqual(new Set([2, 5, 6, 7]));
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const prf = testPrf(v.prf);
    const [ni, nr] = [unhex(v.ni), unhex(v.nr)];
    const seed = skeyseed(prf, ni, nr, unhex(v.gir));
    expect(hex(seed)).toBe(v.skeyseed);

    const dkmLen = v.dkm.length / 2;
    const seedData = Buffer.concat([ni, nr, unhex(v.spiI), unhex(v.spiR)]);
    expect(hex(prfPlus(prf, seed, seedData, dkmLen))).toBe(v.dkm);

    const skD = unhex(v.dkm).subarray(0, prf.outLen);
    expect(hex(childSaKeymat(prf, skD, ni, nr, v.dkmChildSa.length / 2))).toBe(v.dkmChildSa);
    expect(
      hex(
        childSaKeymat(prf, skD, ni, nr, v.dkmChildSaDh.length / 2, {
          sharedSecret: unhex(v.girNew),
        }),
      ),
    ).toBe(v.dkmChildSaDh);
    expect(hex(rekeySkeyseed(prf, skD, unhex(v.girNew), ni, nr))).toBe(v.skeyseedRekey);
  });

  it('splits the IKE SA keying material in RFC 7296 §2.14 order', () => {
    const v = vectors.find((x) => x.prf === 5 && x.dkm.length / 2 >= 232)!;
    const prf = testPrf(5);
    const keys = deriveIkeSaKeys(
      prf,
      unhex(v.skeyseed),
      unhex(v.ni),
      unhex(v.nr),
      unhex(v.spiI),
      unhex(v.spiR),
      { integKeyLen: 32, encrKeyLen: 36 },
    );
    const dkm = v.dkm;
    const at = (from: number, len: number) => dkm.slice(from * 2, (from + len) * 2);
    expect(hex(keys.skD)).toBe(at(0, 32));
    expect(hex(keys.skAi)).toBe(at(32, 32));
    expect(hex(keys.skAr)).toBe(at(64, 32));
    expect(hex(keys.skEi)).toBe(at(96, 36));
    expect(hex(keys.skEr)).toBe(at(132, 36));
    expect(hex(keys.skPi)).toBe(at(168, 32));
    expect(hex(keys.skPr)).toBe(at(200, 32));
  });
});
