/**
 * Peer-controlled input never escapes as anything but the typed errors: random KE
 * data into every key exchange method (KeyExchangeError or a shared secret) and
 * random SK bodies and headers into unprotectSk (SkProtectionError), with
 * fast-check. Round trips of protectSk/unprotectSk hold for arbitrary payloads.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KE_METHODS } from '../../src/crypto/ke/index.js';
import { getEncr, getInteg } from '../../src/crypto/registry.js';
import {
  isSkProtectionError,
  protectSk,
  type SkTransform,
  unprotectSk,
} from '../../src/crypto/sk.js';
import { KeyExchangeError, type RandomSource } from '../../src/crypto/types.js';

const seeded = (seed: number): RandomSource => {
  let state = seed >>> 0 || 1;
  return (n) =>
    Uint8Array.from({ length: n }, () => {
      state = (state * 1103515245 + 12345) >>> 0;
      return state >>> 24;
    });
};

describe('key exchange methods with arbitrary peer data', () => {
  it.each(KE_METHODS.map((m) => [m.name, m] as const))('%s', (_n, m) => {
    const own = m.initiate(seeded(m.id));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: m.responderValueLen, maxLength: m.responderValueLen }),
          fc.uint8Array({ maxLength: m.responderValueLen + 8 }),
        ),
        (peer) => {
          try {
            const z = own.computeSharedSecret(peer);
            expect(z.length).toBeGreaterThan(0);
          } catch (e) {
            expect(e).toBeInstanceOf(KeyExchangeError);
          }
        },
      ),
      { numRuns: m.kind === 'modp' ? 10 : 40 },
    );
  });
});

const transforms: [string, SkTransform][] = [
  ['AES-CBC-128 + HMAC-SHA2-256-128', { encr: getEncr(12, 128)!, integ: getInteg(12)! }],
  ['3DES + HMAC-SHA1-96', { encr: getEncr(3)!, integ: getInteg(2)! }],
  ['AES-GCM-16 256', { encr: getEncr(20, 256)! }],
  ['AES-CCM-8 128', { encr: getEncr(14, 128)! }],
  ['ChaCha20-Poly1305', { encr: getEncr(28)! }],
];

describe.each(transforms)('SK payload %s', (_n, transform) => {
  const keys = {
    encryptionKey: new Uint8Array(transform.encr.keyLen + transform.encr.saltLen).fill(1),
    ...(transform.integ ? { integrityKey: new Uint8Array(transform.integ.keyLen).fill(2) } : {}),
  };

  it('round-trips arbitrary payloads under arbitrary headers', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 32, maxLength: 36 }),
        fc.integer(),
        (plaintext, header, seed) => {
          const body = protectSk({ transform, keys, header, plaintext, random: seeded(seed) });
          expect(Array.from(unprotectSk({ transform, keys, header, body }))).toEqual(
            Array.from(plaintext),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects arbitrary bodies only with SkProtectionError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.uint8Array({ maxLength: 40 }),
        (body, header) => {
          try {
            unprotectSk({ transform, keys, header, body });
            expect.unreachable('a random body verified');
          } catch (e) {
            expect(isSkProtectionError(e)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
