/**
 * ML-KEM-512/768/1024 (groups 35-37) through the KeMethod API against the
 * Wycheproof sample (FIPS 203 and C2SP CCTV cases): the initiator's KE data from
 * the seed d || z, decapsulation of the responder's ciphertext, and the
 * responder's encapsulation with a fixed message m.
 */

import { describe, expect, it } from 'vitest';
import { keMethodById, MLKEM_MESSAGE_LEN, MLKEM_SEED_LEN } from '../../../src/crypto/ke/index.js';
import { KeyExchangeError } from '../../../src/crypto/types.js';
import { hex, type MlKemVector, readVectorFile, scriptedRandom, unhex } from './vector-files.js';

const { vectors } = readVectorFile<MlKemVector>('wycheproof-mlkem-sample.json');

function method(v: MlKemVector) {
  const m = keMethodById(v.group);
  if (m?.kind !== 'kem') throw new Error(`group ${v.group} is not a KEM`);
  return m;
}

describe('ML-KEM key generation (FIPS 203 §7.1)', () => {
  it.each(vectors.filter((v) => v.kind === 'keygen').map((v) => [v.name, v] as const))(
    '%s',
    (_n, v) => {
      const seed = unhex(v.seed!);
      expect(seed.length).toBe(MLKEM_SEED_LEN);
      const ke = method(v).initiate(scriptedRandom(seed));
      expect(hex(ke.publicValue)).toBe(v.ek);
      expect(ke.publicValue.length).toBe(method(v).initiatorValueLen);
    },
  );
});

describe('ML-KEM decapsulation by the initiator (FIPS 203 §7.3)', () => {
  it.each(vectors.filter((v) => v.kind === 'decaps').map((v) => [v.name, v] as const))(
    '%s',
    (_n, v) => {
      const ke = method(v).initiate(scriptedRandom(unhex(v.seed!)));
      expect(hex(ke.publicValue)).toBe(v.ek);
      if (v.result === 'valid') {
        expect(hex(ke.computeSharedSecret(unhex(v.c!)))).toBe(v.K);
      } else {
        expect(() => ke.computeSharedSecret(unhex(v.c!))).toThrow(KeyExchangeError);
      }
    },
  );
});

describe('ML-KEM encapsulation by the responder (FIPS 203 §7.2)', () => {
  it.each(vectors.filter((v) => v.kind === 'encaps').map((v) => [v.name, v] as const))(
    '%s',
    (_n, v) => {
      const m = unhex(v.m!);
      expect(m.length).toBe(MLKEM_MESSAGE_LEN);
      const ek = unhex(v.ek!);
      if (v.result === 'valid') {
        const ke = method(v).respond(scriptedRandom(m), ek);
        expect(hex(ke.publicValue)).toBe(v.c);
        expect(ke.publicValue.length).toBe(method(v).responderValueLen);
        expect(hex(ke.computeSharedSecret(ek))).toBe(v.K);
      } else {
        expect(() => method(v).respond(scriptedRandom(m), ek)).toThrow(KeyExchangeError);
      }
    },
  );
});

describe('ML-KEM both sides', () => {
  it.each([35, 36, 37])('group %i agrees end to end and binds the responder to its ek', (id) => {
    const m = keMethodById(id)!;
    const seed = new Uint8Array(MLKEM_SEED_LEN).fill(7);
    const initiator = m.initiate(scriptedRandom(seed));
    const responder = m.respond(
      scriptedRandom(new Uint8Array(MLKEM_MESSAGE_LEN).fill(9)),
      initiator.publicValue,
    );
    expect(hex(initiator.computeSharedSecret(responder.publicValue))).toBe(
      hex(responder.computeSharedSecret(initiator.publicValue)),
    );
    const otherEk = initiator.publicValue.slice();
    otherEk[0] = otherEk[0]! ^ 1;
    expect(() => responder.computeSharedSecret(otherEk)).toThrow(KeyExchangeError);
  });
});
