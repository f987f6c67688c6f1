/**
 * The KeMethod API: coverage of the required groups, both sides agreeing, the
 * RFC 5903 §8 KE payloads reproduced through `initiate`, peer value validation
 * (RFC 7296 §3.4, RFC 6989, RFC 8031 §2), and the two backends agreeing on fresh keys.
 */

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createKeMethods,
  DH_GROUPS,
  dhEngine,
  KE_METHODS,
  keMethodById,
  MODP_GROUPS,
} from '../../../src/crypto/ke/index.js';
import { KeyExchangeError, type RandomSource } from '../../../src/crypto/types.js';
import { type DhVector, hex, readVectorFile, scriptedRandom, unhex } from './vector-files.js';

const REQUIRED_IDS = [2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 27, 28, 29, 30, 31, 32, 35, 36, 37];
const random: RandomSource = (n) => new Uint8Array(randomBytes(n));

describe('KE_METHODS', () => {
  it('has exactly the groups of issue 2, once each, with their IANA ids', () => {
    expect(KE_METHODS.map((m) => m.id).sort((a, b) => a - b)).toEqual(REQUIRED_IDS);
  });

  it.each(KE_METHODS.map((m) => [m.name, m] as const))('%s: both sides agree', (_n, m) => {
    const i = m.initiate(random);
    const r = m.respond(random, i.publicValue);
    expect(i.publicValue.length).toBe(m.initiatorValueLen);
    expect(r.publicValue.length).toBe(m.responderValueLen);
    const zi = i.computeSharedSecret(r.publicValue);
    expect(hex(zi)).toBe(hex(r.computeSharedSecret(i.publicValue)));
    expect(zi.some((b) => b !== 0)).toBe(true);
  });

  it.each(KE_METHODS.map((m) => [m.name, m] as const))(
    '%s: rejects KE data one octet short or long',
    (_n, m) => {
      const i = m.initiate(random);
      const r = m.respond(random, i.publicValue);
      for (const delta of [-1, 1]) {
        const bad = new Uint8Array(r.publicValue.length + delta).fill(0x5a);
        expect(() => i.computeSharedSecret(bad)).toThrow(KeyExchangeError);
      }
    },
  );
});

describe('RFC 5903 §8 through initiate()', () => {
  const { vectors } = readVectorFile<DhVector>('rfc5903-ecp.json');
  it.each(vectors.filter((v) => v.keiPayload).map((v) => [v.name, v] as const))(
    '%s: KE payload and shared secret',
    (_n, v) => {
      const m = keMethodById(v.group)!;
      const ke = m.initiate(scriptedRandom(unhex(v.secret)));
      // Generic payload header (next payload, flags, length) + group + reserved (RFC 7296 §3.4).
      const header = new Uint8Array(8);
      new DataView(header.buffer).setUint16(2, 8 + ke.publicValue.length);
      new DataView(header.buffer).setUint16(4, m.id);
      expect(hex(header) + hex(ke.publicValue)).toBe(v.keiPayload);
      expect(hex(ke.computeSharedSecret(unhex(v.peerPublic)))).toBe(v.sharedSecret);
    },
  );
});

describe('peer value validation', () => {
  it.each(MODP_GROUPS.map((g) => [g.id, g] as const))(
    'MODP group %i rejects 0, 1, p-1, p and all-ones (RFC 7296 §3.4, 1 < y < p-1)',
    (_id, g) => {
      const m = keMethodById(g.id)!;
      const ke = m.initiate(random);
      const len = g.bits / 8;
      const p = BigInt(`0x${g.primeHex}`);
      const enc = (x: bigint) => unhex(x.toString(16).padStart(len * 2, '0'));
      for (const y of [0n, 1n, p - 1n, p, (1n << BigInt(g.bits)) - 1n]) {
        expect(() => ke.computeSharedSecret(enc(y))).toThrow(KeyExchangeError);
      }
      expect(ke.computeSharedSecret(enc(2n)).length).toBe(len);
    },
  );

  it.each([19, 20, 21, 27, 28, 29, 30])('ECP group %i rejects a point off the curve', (id) => {
    for (const backend of ['noble', 'node'] as const) {
      const m = createKeMethods({ modp: backend, ecp: backend, curve: backend }).find(
        (x) => x.id === id,
      )!;
      const peer = m.initiate(random).publicValue.slice();
      peer[peer.length - 1] = peer[peer.length - 1]! ^ 1; // y changed: off the curve
      expect(() => m.initiate(random).computeSharedSecret(peer)).toThrow(KeyExchangeError);
      expect(() => m.initiate(random).computeSharedSecret(new Uint8Array(peer.length))).toThrow(
        KeyExchangeError,
      );
    }
  });

  it.each([31, 32])(
    'group %i rejects the zero u coordinate (all-zero secret, RFC 8031 §2)',
    (id) => {
      for (const backend of ['noble', 'node'] as const) {
        const engine = dhEngine(id, backend);
        const secret = new Uint8Array(engine.publicLen).fill(0x42);
        expect(() => engine.computeShared(secret, new Uint8Array(engine.publicLen))).toThrow(
          KeyExchangeError,
        );
      }
    },
  );

  it('names no secret in the error', () => {
    const m = keMethodById(19)!;
    const ke = m.initiate(random);
    try {
      ke.computeSharedSecret(new Uint8Array(64).fill(0xab));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KeyExchangeError);
      expect((e as Error).message).not.toMatch(/ab{4}/i);
    }
  });
});

describe('both backends agree on fresh keys', () => {
  it.each(DH_GROUPS.map((g) => [g.name, g.id] as const))('%s', (_n, id) => {
    const a = dhEngine(id, 'noble');
    const b = dhEngine(id, 'node');
    const noble = createKeMethods({ modp: 'noble', ecp: 'noble', curve: 'noble' }).find(
      (m) => m.id === id,
    )!;
    // Draw each private key through the method so rejection sampling is exercised too.
    let captured: Uint8Array[] = [];
    const capturing: RandomSource = (n) => {
      const out = random(n);
      captured.push(out);
      return out;
    };
    noble.initiate(capturing);
    const secretA = captured.at(-1)!;
    captured = [];
    noble.initiate(capturing);
    const secretB = captured.at(-1)!;
    const pubA = a.publicFromSecret(fixTop(id, secretA));
    expect(hex(b.publicFromSecret(fixTop(id, secretA)))).toBe(hex(pubA));
    const pubB = b.publicFromSecret(fixTop(id, secretB));
    expect(hex(a.computeShared(fixTop(id, secretA), pubB))).toBe(
      hex(b.computeShared(fixTop(id, secretB), pubA)),
    );
  });
});

/** P-521 scalars are masked to 521 bits when drawn; apply the same mask here. */
function fixTop(id: number, secret: Uint8Array): Uint8Array {
  if (id !== 21) return secret;
  const s = secret.slice();
  s[0] = s[0]! & 0x01;
  return s;
}
