/**
 * SK / SKF payload protection (RFC 7296 §3.14, RFC 5282, RFC 7383 §2.5) with every
 * ENCR and INTEG of the registry usable in IKE: round trips, the exact body layout
 * and lengths, and rejection of tampered or malformed input with the right error.
 */

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getEncr, getInteg, listEncr, listInteg } from '../../src/crypto/registry.js';
import {
  isSkProtectionError,
  protectSk,
  protectSkf,
  type SkKeys,
  type SkTransform,
  skBodyLength,
  unprotectSk,
  unprotectSkf,
} from '../../src/crypto/sk.js';
import type { AeadAlgorithm, CipherAlgorithm, RandomSource } from '../../src/crypto/types.js';

const filled = (n: number, v: number) => new Uint8Array(n).fill(v);
const counterRandom: RandomSource = (n) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
/** 28-octet IKE header + 4-octet SK generic header; contents only matter as authenticated data. */
const HEADER = Uint8Array.from({ length: 32 }, (_, i) => i);

function keysFor(t: SkTransform): SkKeys {
  const encr = t.encr;
  return {
    encryptionKey: filled(encr.keyLen + encr.saltLen, 0x11),
    ...(t.integ ? { integrityKey: filled(t.integ.keyLen, 0x22) } : {}),
  };
}

const transforms: { label: string; t: SkTransform }[] = [];
for (const encr of listEncr('ike')) {
  if (encr.aead) {
    transforms.push({ label: `${encr.name} ${encr.keyLen * 8}`, t: { encr } });
  } else {
    for (const integ of listInteg('ike')) {
      transforms.push({
        label: `${encr.name} ${encr.keyLen * 8} + ${integ.name}`,
        t: { encr, integ },
      });
    }
  }
}

function expectError(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(isSkProtectionError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return;
  }
  expect.unreachable('no error');
}

describe.each(transforms)('$label', ({ t }) => {
  const keys = keysFor(t);
  it.each([0, 1, 15, 16, 17, 100])('round-trips %i octets of payloads', (n) => {
    const plaintext = Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);
    const body = protectSk({
      transform: t,
      keys,
      header: HEADER,
      plaintext,
      random: counterRandom,
    });
    expect(body.length).toBe(skBodyLength(t, n));
    expect(Array.from(body.subarray(0, t.encr.ivLen))).toEqual(
      Array.from(counterRandom(t.encr.ivLen)),
    );
    const blockSize = t.encr.blockSize;
    const icvLen = t.encr.aead ? t.encr.icvLen : t.integ!.icvLen;
    // Minimal padding: at most one block of padding including the Pad Length octet.
    const cipherLen = body.length - t.encr.ivLen - icvLen;
    expect(cipherLen % blockSize).toBe(0);
    expect(cipherLen - n).toBeGreaterThanOrEqual(1);
    expect(cipherLen - n).toBeLessThanOrEqual(blockSize);
    expect(Array.from(unprotectSk({ transform: t, keys, header: HEADER, body }))).toEqual(
      Array.from(plaintext),
    );
  });

  it('rejects a changed header, IV, ciphertext or ICV as an integrity failure', () => {
    const body = protectSk({
      transform: t,
      keys,
      header: HEADER,
      plaintext: filled(40, 0x33),
      random: counterRandom,
    });
    const header = HEADER.slice();
    header[17] = header[17]! ^ 0x01;
    expectError(() => unprotectSk({ transform: t, keys, header, body }), 'INTEGRITY_CHECK_FAILED');
    for (const at of [0, t.encr.ivLen + 1, body.length - 1]) {
      const tampered = body.slice();
      tampered[at] = tampered[at]! ^ 0x80;
      expectError(
        () => unprotectSk({ transform: t, keys, header: HEADER, body: tampered }),
        'INTEGRITY_CHECK_FAILED',
      );
    }
  });

  it('rejects a body too short to hold IV, one encrypted octet and ICV as malformed', () => {
    const icvLen = t.encr.aead ? t.encr.icvLen : t.integ!.icvLen;
    const body = filled(t.encr.ivLen + icvLen, 0);
    expectError(() => unprotectSk({ transform: t, keys, header: HEADER, body }), 'MALFORMED');
  });
});

describe('padding and layout', () => {
  const cbc = getEncr(12, 128) as CipherAlgorithm;
  if (cbc.aead) throw new Error('ENCR_AES_CBC is not an AEAD');
  const sha256 = getInteg(12)!;
  const t: SkTransform = { encr: cbc, integ: sha256 };
  const keys = keysFor(t);

  it('MACs header | IV | ciphertext with SK_a and appends the truncated ICV (RFC 7296 §3.14)', () => {
    const body = protectSk({
      transform: t,
      keys,
      header: HEADER,
      plaintext: filled(5, 1),
      random: counterRandom,
    });
    const signed = Buffer.concat([HEADER, body.subarray(0, body.length - 16)]);
    const icv = createHmac('sha256', keys.integrityKey!).update(signed).digest().subarray(0, 16);
    expect(Buffer.from(body.subarray(body.length - 16)).toString('hex')).toBe(icv.toString('hex'));
    // 5 payload octets + 10 padding + Pad Length = one 16-octet block.
    const padded = cbc.decrypt(keys.encryptionKey, body.subarray(0, 16), body.subarray(16, 32));
    expect(padded[15]).toBe(10);
  });

  it('rejects a pad length that exceeds the decrypted data as malformed, after the ICV verified', () => {
    const iv = counterRandom(16);
    const padded = filled(16, 0);
    padded[15] = 200;
    const ciphertext = cbc.encrypt(keys.encryptionKey, iv, padded);
    const icv = sha256.compute(keys.integrityKey!, Buffer.concat([HEADER, iv, ciphertext]));
    const body = new Uint8Array(Buffer.concat([iv, ciphertext, icv]));
    expectError(() => unprotectSk({ transform: t, keys, header: HEADER, body }), 'MALFORMED');
  });

  it('rejects ciphertext that is not a whole number of blocks as malformed', () => {
    const body = filled(16 + 17 + 16, 0);
    expectError(() => unprotectSk({ transform: t, keys, header: HEADER, body }), 'MALFORMED');
  });

  it('accepts padding longer than needed (RFC 7296 §3.14: any length that aligns)', () => {
    const iv = counterRandom(16);
    const padded = filled(32, 0);
    padded.set([0xaa, 0xbb, 0xcc], 0);
    padded[31] = 28; // 3 payload octets, 28 padding octets, the Pad Length octet
    const ciphertext = cbc.encrypt(keys.encryptionKey, iv, padded);
    const icv = sha256.compute(keys.integrityKey!, Buffer.concat([HEADER, iv, ciphertext]));
    const body = new Uint8Array(Buffer.concat([iv, ciphertext, icv]));
    expect(Array.from(unprotectSk({ transform: t, keys, header: HEADER, body }))).toEqual([
      0xaa, 0xbb, 0xcc,
    ]);
  });

  it('uses the header as AEAD associated data (RFC 5282 §5.1)', () => {
    const gcm = getEncr(20, 256) as AeadAlgorithm;
    expect(gcm.aead).toBe(true);
    const g: SkTransform = { encr: gcm };
    const k = keysFor(g);
    const body = protectSk({
      transform: g,
      keys: k,
      header: HEADER,
      plaintext: filled(9, 4),
      random: counterRandom,
    });
    const iv = body.subarray(0, 8);
    const opened = gcm.open(k.encryptionKey, iv, HEADER, body.subarray(8));
    expect(opened).not.toBeNull();
    expect(Array.from(opened!.subarray(0, 9))).toEqual(Array.from(filled(9, 4)));
    expect(opened![opened!.length - 1]).toBe(0);
  });

  it('protects SKF like SK, with the fragment fields inside the authenticated header (RFC 7383 §2.5)', () => {
    const skfHeader = new Uint8Array(36);
    skfHeader.set(HEADER);
    skfHeader.set([0, 2, 0, 3], 32); // Fragment Number 2 of Total Fragments 3
    const body = protectSkf({
      transform: t,
      keys,
      header: skfHeader,
      plaintext: filled(20, 7),
      random: counterRandom,
    });
    expect(Array.from(unprotectSkf({ transform: t, keys, header: skfHeader, body }))).toEqual(
      Array.from(filled(20, 7)),
    );
    const renumbered = skfHeader.slice();
    renumbered[33] = 1;
    expectError(
      () => unprotectSkf({ transform: t, keys, header: renumbered, body }),
      'INTEGRITY_CHECK_FAILED',
    );
  });

  it('refuses an AEAD cipher with an integrity algorithm and a plain cipher without one', () => {
    expect(() => skBodyLength({ encr: getEncr(20, 128)!, integ: sha256 }, 10)).toThrow(TypeError);
    expect(() => skBodyLength({ encr: cbc }, 10)).toThrow(TypeError);
  });

  it('says nothing about keys or contents in its errors', () => {
    const body = protectSk({
      transform: t,
      keys,
      header: HEADER,
      plaintext: filled(16, 0x5a),
      random: counterRandom,
    });
    body[20] = body[20]! ^ 1;
    try {
      unprotectSk({ transform: t, keys, header: HEADER, body });
      expect.unreachable('tampered body accepted');
    } catch (e) {
      expect(isSkProtectionError(e)).toBe(true);
      expect((e as Error).message).not.toMatch(/11|22|5a/i);
    }
  });
});
