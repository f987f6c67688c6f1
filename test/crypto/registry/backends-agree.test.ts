/**
 * Properties over random inputs: the `@noble` and `node:crypto` backends give the
 * same bytes for every primitive (the vectors pin both to the standards; this
 * extends the comparison to lengths the vectors do not reach), AEAD entries open
 * what they seal and reject any single flipped bit, and CBC/CTR entries invert.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend, nodeBackend } from '../../../src/crypto/backend/index.js';
import type { AeadAlgorithm, CipherAlgorithm } from '../../../src/crypto/types.js';
import { REGISTRIES, toHex } from './symmetric-vectors.js';

const aesKey = fc
  .constantFrom(16, 24, 32)
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const block16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const nonce12 = fc.uint8Array({ minLength: 12, maxLength: 12 });

describe('noble and node:crypto agree', () => {
  it('HMAC with every hash', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('md5', 'sha1', 'sha256', 'sha384', 'sha512' as const),
        bytes(200),
        bytes(300),
        (hash, key, data) => {
          expect(toHex(nobleBackend.hmac(hash, key, data))).toBe(
            toHex(nodeBackend.hmac(hash, key, data)),
          );
        },
      ),
    );
  });

  it('AES-CBC, AES-CTR and AES-CMAC', () => {
    fc.assert(
      fc.property(
        aesKey,
        block16,
        fc.integer({ min: 0, max: 8 }),
        bytes(100),
        (key, iv, blocks, data) => {
          const aligned = new Uint8Array(blocks * 16).map((_, i) => i * 7);
          expect(toHex(nobleBackend.aesCbcEncrypt(key, iv, aligned))).toBe(
            toHex(nodeBackend.aesCbcEncrypt(key, iv, aligned)),
          );
          expect(toHex(nobleBackend.aesCtr(key, iv, data))).toBe(
            toHex(nodeBackend.aesCtr(key, iv, data)),
          );
          expect(toHex(nobleBackend.aesCmac(key, data))).toBe(
            toHex(nodeBackend.aesCmac(key, data)),
          );
        },
      ),
    );
  });

  it('AES-GCM and AES-CCM with 8-, 12- and 16-octet tags', () => {
    fc.assert(
      fc.property(
        aesKey,
        nonce12,
        bytes(40),
        bytes(120),
        fc.constantFrom(8, 12, 16),
        (key, nonce, aad, pt, tagLen) => {
          expect(toHex(nobleBackend.aesGcmSeal(key, nonce, aad, pt, tagLen))).toBe(
            toHex(nodeBackend.aesGcmSeal(key, nonce, aad, pt, tagLen)),
          );
          const n11 = nonce.subarray(0, 11);
          expect(toHex(nobleBackend.aesCcmSeal(key, n11, aad, pt, tagLen))).toBe(
            toHex(nodeBackend.aesCcmSeal(key, n11, aad, pt, tagLen)),
          );
        },
      ),
    );
  });

  it('ChaCha20-Poly1305 and 3DES-CBC', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        nonce12,
        bytes(40),
        bytes(120),
        fc.integer({ min: 0, max: 6 }),
        (key, nonce, aad, pt, blocks) => {
          expect(toHex(nobleBackend.chacha20Poly1305Seal(key, nonce, aad, pt))).toBe(
            toHex(nodeBackend.chacha20Poly1305Seal(key, nonce, aad, pt)),
          );
          const data = pt.subarray(
            0,
            Math.min(pt.length, blocks * 8) - (Math.min(pt.length, blocks * 8) % 8),
          );
          const k24 = key.subarray(0, 24);
          const iv = nonce.subarray(0, 8);
          expect(toHex(nobleBackend.des3CbcEncrypt(k24, iv, data))).toBe(
            toHex(nodeBackend.des3CbcEncrypt(k24, iv, data)),
          );
          expect(toHex(nobleBackend.des3CbcDecrypt(k24, iv, data))).toBe(
            toHex(nodeBackend.des3CbcDecrypt(k24, iv, data)),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe.each(REGISTRIES)('entries of the %s registry', (_name, reg) => {
  const aeads = reg.listEncr().filter((e): e is AeadAlgorithm => e.aead);
  const ciphers = reg.listEncr().filter((e): e is CipherAlgorithm => !e.aead);

  it.each(aeads.map((a) => [a.keyword, a] as const))(
    '%s opens what it seals and rejects a flipped bit',
    (_k, alg) => {
      fc.assert(
        fc.property(
          fc.uint8Array({
            minLength: alg.keyLen + alg.saltLen,
            maxLength: alg.keyLen + alg.saltLen,
          }),
          fc.uint8Array({ minLength: alg.ivLen, maxLength: alg.ivLen }),
          bytes(24),
          bytes(64),
          fc.nat(),
          (key, iv, aad, pt, where) => {
            const sealed = alg.seal(key, iv, aad, pt);
            expect(sealed.length).toBe(pt.length + alg.icvLen);
            expect(toHex(alg.open(key, iv, aad, sealed)!)).toBe(toHex(pt));
            const bad = Uint8Array.from(sealed);
            const bit = where % (bad.length * 8);
            bad[bit >> 3]! ^= 1 << (bit & 7);
            expect(alg.open(key, iv, aad, bad)).toBeNull();
          },
        ),
        { numRuns: 25 },
      );
    },
  );

  it.each(ciphers.map((c) => [c.keyword, c] as const))(
    '%s decrypts what it encrypts',
    (_k, alg) => {
      fc.assert(
        fc.property(
          fc.uint8Array({
            minLength: alg.keyLen + alg.saltLen,
            maxLength: alg.keyLen + alg.saltLen,
          }),
          fc.uint8Array({ minLength: alg.ivLen, maxLength: alg.ivLen }),
          fc.integer({ min: 0, max: 6 }),
          (key, iv, blocks) => {
            const pt = new Uint8Array(blocks * Math.max(alg.blockSize, 8)).map((_, i) => i);
            expect(toHex(alg.decrypt(key, iv, alg.encrypt(key, iv, pt)))).toBe(toHex(pt));
          },
        ),
        { numRuns: 20 },
      );
    },
  );

  it('refuses keys and IVs of the wrong length without echoing them', () => {
    const gcm = reg.encrByName('aes128gcm16') as AeadAlgorithm;
    const secret = new Uint8Array(19).fill(0xab);
    expect(() => gcm.seal(secret, new Uint8Array(8), new Uint8Array(), new Uint8Array())).toThrow(
      /20 octets/,
    );
    try {
      gcm.seal(secret, new Uint8Array(8), new Uint8Array(), new Uint8Array());
    } catch (e) {
      expect(String(e)).not.toMatch(/abab/i);
    }
    const cbc = reg.encrByName('aes256') as CipherAlgorithm;
    expect(() => cbc.encrypt(new Uint8Array(32), new Uint8Array(16), new Uint8Array(15))).toThrow(
      /multiple of 16/,
    );
  });
});
