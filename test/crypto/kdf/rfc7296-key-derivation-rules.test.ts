/**
 * The rules of RFC 7296 §2.13-§2.17 and RFC 2409 §5/§5.5 that the third-party
 * vectors do not pin down: the prf+ iteration limit, the half nonces that key
 * SKEYSEED for AES-XCBC/CMAC PRFs, the order of CHILD_SA keys, the PSK AUTH value
 * and the inputs of the IKEv1 hashes and Quick Mode KEYMAT. Expected values are
 * built here from the RFC formulas with an independent HMAC.
 */

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  authSignedOctets,
  deriveChildSaKeys,
  ikev1Hash3,
  ikev1HashI,
  ikev1HashR,
  ikev1QuickModeKeymat,
  PRF_PLUS_MAX_ITERATIONS,
  prfPlus,
  rekeySkeyseed,
  sharedKeyAuth,
  skeyseed,
} from '../../../src/crypto/kdf/index.js';
import { hex, testPrf } from './test-prfs.js';

const sha256Prf = testPrf(5);
const xcbcPrf = testPrf(4);
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const cat = (...p: Uint8Array[]) => new Uint8Array(Buffer.concat(p));
const h = (key: Uint8Array, ...data: Uint8Array[]) => hmac(sha256, key, cat(...data));

describe('prf+ (RFC 7296 §2.13)', () => {
  it('produces up to 255 blocks and refuses more', () => {
    const max = PRF_PLUS_MAX_ITERATIONS * sha256Prf.outLen;
    const out = prfPlus(sha256Prf, bytes(32, 1), bytes(8, 2), max);
    expect(out.length).toBe(max);
    // The last block is T255 = prf(K, T254 | S | 0xff).
    const t254 = out.subarray(max - 64, max - 32);
    expect(hex(out.subarray(max - 32))).toBe(
      hex(h(bytes(32, 1), t254, bytes(8, 2), Uint8Array.of(255))),
    );
    expect(() => prfPlus(sha256Prf, bytes(32, 1), bytes(8, 2), max + 1)).toThrow(RangeError);
  });

  it('starts with T1 = prf(K, S | 0x01) and chains T2 = prf(K, T1 | S | 0x02)', () => {
    const out = prfPlus(sha256Prf, bytes(16, 3), bytes(4, 4), 40);
    const t1 = h(bytes(16, 3), bytes(4, 4), Uint8Array.of(1));
    const t2 = h(bytes(16, 3), t1, bytes(4, 4), Uint8Array.of(2));
    expect(hex(out)).toBe(hex(cat(t1, t2)).slice(0, 80));
  });
});

describe('SKEYSEED keying (RFC 7296 §2.14)', () => {
  const ni = bytes(32, 0x11);
  const nr = bytes(32, 0x22);
  const gir = bytes(32, 0x33);

  it('uses only the first 64 bits of each nonce with AES-XCBC-PRF-128', () => {
    expect(hex(skeyseed(xcbcPrf, ni, nr, gir))).toBe(
      hex(xcbcPrf.compute(cat(ni.subarray(0, 8), nr.subarray(0, 8)), gir)),
    );
  });

  it('uses the whole nonces with HMAC PRFs', () => {
    expect(hex(skeyseed(sha256Prf, ni, nr, gir))).toBe(hex(h(cat(ni, nr), gir)));
  });

  it('appends additional key exchange secrets after the nonces when rekeying (RFC 9370)', () => {
    const skD = bytes(32, 9);
    expect(hex(rekeySkeyseed(sha256Prf, skD, gir, ni, nr, [bytes(5, 7)]))).toBe(
      hex(h(skD, gir, ni, nr, bytes(5, 7))),
    );
  });
});

describe('CHILD_SA keys (RFC 7296 §2.17)', () => {
  it('takes the initiator-to-responder keys first, encryption before integrity', () => {
    const skD = bytes(32, 5);
    const ni = bytes(16, 6);
    const nr = bytes(16, 7);
    const keys = deriveChildSaKeys(sha256Prf, skD, ni, nr, { encrKeyLen: 20, integKeyLen: 32 });
    const keymat = prfPlus(sha256Prf, skD, cat(ni, nr), 104);
    expect(hex(keys.encrI)).toBe(hex(keymat.subarray(0, 20)));
    expect(hex(keys.integI)).toBe(hex(keymat.subarray(20, 52)));
    expect(hex(keys.encrR)).toBe(hex(keymat.subarray(52, 72)));
    expect(hex(keys.integR)).toBe(hex(keymat.subarray(72, 104)));
    const pfs = deriveChildSaKeys(
      sha256Prf,
      skD,
      ni,
      nr,
      { encrKeyLen: 20, integKeyLen: 32 },
      {
        sharedSecret: bytes(8, 8),
      },
    );
    expect(hex(pfs.encrI)).toBe(hex(prfPlus(sha256Prf, skD, cat(bytes(8, 8), ni, nr), 20)));
  });
});

describe('AUTH with a shared key (RFC 7296 §2.15)', () => {
  it('is prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>)', () => {
    const psk = new TextEncoder().encode('a pre-shared key');
    const skPi = bytes(32, 0x44);
    const idBody = cat(Uint8Array.of(1, 0, 0, 0), Uint8Array.of(192, 0, 2, 1));
    const octets = authSignedOctets(sha256Prf, bytes(100, 0x55), bytes(32, 0x66), skPi, idBody);
    expect(hex(octets)).toBe(hex(cat(bytes(100, 0x55), bytes(32, 0x66), h(skPi, idBody))));
    const keyPad = new TextEncoder().encode('Key Pad for IKEv2');
    expect(keyPad.length).toBe(17);
    expect(hex(sharedKeyAuth(sha256Prf, psk, octets))).toBe(hex(h(h(psk, keyPad), octets)));
  });
});

describe('IKEv1 hashes and Quick Mode KEYMAT (RFC 2409 §5, §5.5)', () => {
  const input = {
    skeyid: bytes(32, 1),
    gxi: bytes(128, 2),
    gxr: bytes(128, 3),
    ckyI: bytes(8, 4),
    ckyR: bytes(8, 5),
    saIB: bytes(40, 6),
  };
  it('HASH_I and HASH_R take the initiator and responder values in mirrored order', () => {
    const id = bytes(8, 7);
    expect(hex(ikev1HashI(sha256Prf, input, id))).toBe(
      hex(h(input.skeyid, input.gxi, input.gxr, input.ckyI, input.ckyR, input.saIB, id)),
    );
    expect(hex(ikev1HashR(sha256Prf, input, id))).toBe(
      hex(h(input.skeyid, input.gxr, input.gxi, input.ckyR, input.ckyI, input.saIB, id)),
    );
  });

  it('Quick Mode KEYMAT is prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), expanded', () => {
    const skeyidD = bytes(32, 8);
    const spi = Uint8Array.of(0xc0, 0xff, 0xee, 0x01);
    const ni = bytes(16, 9);
    const nr = bytes(16, 10);
    const seed = cat(Uint8Array.of(3), spi, ni, nr);
    const k1 = h(skeyidD, seed);
    const k2 = h(skeyidD, k1, seed);
    expect(hex(ikev1QuickModeKeymat(sha256Prf, skeyidD, 3, spi, ni, nr, 48))).toBe(
      hex(cat(k1, k2)).slice(0, 96),
    );
    const gxy = bytes(64, 11);
    expect(hex(ikev1QuickModeKeymat(sha256Prf, skeyidD, 3, spi, ni, nr, 32, gxy))).toBe(
      hex(h(skeyidD, gxy, seed)),
    );
  });

  it('Quick Mode HASH(3) is prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)', () => {
    const skeyidA = bytes(32, 12);
    const [ni, nr] = [bytes(16, 13), bytes(16, 14)];
    expect(hex(ikev1Hash3(sha256Prf, skeyidA, 0x01020304, ni, nr))).toBe(
      hex(h(skeyidA, Uint8Array.of(0, 1, 2, 3, 4), ni, nr)),
    );
  });
});
