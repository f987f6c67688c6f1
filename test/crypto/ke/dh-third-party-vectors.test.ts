/**
 * Every Diffie-Hellman group on both backends against the third-party vectors in
 * test-vectors/ke: RFC 5903 §8, RFC 5114 App. A, RFC 6932 / RFC 7027, RFC 7748
 * §5.2/§6, RFC 8031, Wycheproof samples and strongSwan's MODP vectors.
 */

import { describe, expect, it } from 'vitest';
import { DH_GROUPS, dhEngine, type KeBackendName } from '../../../src/crypto/ke/index.js';
import { KeyExchangeError } from '../../../src/crypto/types.js';
import { type DhVector, dhVectorFiles, hex, unhex } from './vector-files.js';

const BACKENDS: KeBackendName[] = ['noble', 'node'];
const negotiated = new Set(DH_GROUPS.map((g) => g.id));

function check(v: DhVector, backend: KeBackendName): void {
  const engine = dhEngine(v.group, backend);
  const secret = unhex(v.secret);
  if (v.public !== undefined) expect(hex(engine.publicFromSecret(secret))).toBe(v.public);
  if (v.result === 'valid') {
    expect(hex(engine.computeShared(secret, unhex(v.peerPublic)))).toBe(v.sharedSecret);
  } else {
    expect(() => engine.computeShared(secret, unhex(v.peerPublic))).toThrow(KeyExchangeError);
  }
}

for (const { file, vectors } of dhVectorFiles()) {
  describe(file, () => {
    it('only names groups Styx implements', () => {
      for (const v of vectors) expect(negotiated.has(v.group), `${v.name}`).toBe(true);
    });
    for (const backend of BACKENDS) {
      it.each(vectors.map((v) => [v.name, v] as const))(`${backend}: %s`, (_name, v) => {
        check(v, backend);
      });
    }
  });
}
