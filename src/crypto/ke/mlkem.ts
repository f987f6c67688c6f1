/**
 * ML-KEM-512/768/1024 (FIPS 203) as IKEv2 key exchange methods 35-37
 * (draft-ietf-ipsecme-ikev2-mlkem, used as additional key exchanges per RFC 9370).
 *
 * A KEM is not symmetric: the initiator's KE data is its encapsulation key `ek`,
 * the responder encapsulates to it and answers with the ciphertext `c`, and both
 * end with the 32-octet shared secret K. The responder runs the FIPS 203 §7.2
 * input checks on `ek` (length and modulus); the initiator checks the length of
 * `c` (§7.3) and otherwise relies on implicit rejection, which yields a
 * pseudo-random K for a forged ciphertext so that the exchange fails later at AUTH.
 *
 * Only `@noble/post-quantum` implements ML-KEM here: Node.js 20 has none.
 */

import { ml_kem512, ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import type { KeMethod, RandomSource } from '../types.js';
import { assertPeerLength, invalidPeerValue, withPeerValidation } from './engine.js';

type MlKem = typeof ml_kem768;

interface MlKemSpec {
  readonly id: number;
  readonly name: string;
  readonly keyword: string;
  readonly kem: MlKem;
  readonly ekLen: number;
  readonly ctLen: number;
}

/** FIPS 203 §7.1: key generation is deterministic in the 64-octet seed d || z. */
export const MLKEM_SEED_LEN = 64;
/** FIPS 203 §7.2: encapsulation is deterministic in the 32-octet message m. */
export const MLKEM_MESSAGE_LEN = 32;

const SPECS: readonly MlKemSpec[] = [
  { id: 35, name: 'ML_KEM_512', keyword: 'mlkem512', kem: ml_kem512, ekLen: 800, ctLen: 768 },
  { id: 36, name: 'ML_KEM_768', keyword: 'mlkem768', kem: ml_kem768, ekLen: 1184, ctLen: 1088 },
  {
    id: 37,
    name: 'ML_KEM_1024',
    keyword: 'mlkem1024',
    kem: ml_kem1024,
    ekLen: 1568,
    ctLen: 1568,
  },
];

function createMlKemMethod(spec: MlKemSpec): KeMethod {
  return {
    id: spec.id,
    name: spec.name,
    keyword: spec.keyword,
    usages: ['ike', 'esp'],
    kind: 'kem',
    initiatorValueLen: spec.ekLen,
    responderValueLen: spec.ctLen,
    initiate(random: RandomSource) {
      const { publicKey, secretKey } = spec.kem.keygen(random(MLKEM_SEED_LEN));
      return {
        publicValue: publicKey,
        computeSharedSecret(peerValue) {
          assertPeerLength(peerValue, spec.ctLen);
          return withPeerValidation('ciphertext rejected', () =>
            spec.kem.decapsulate(peerValue, secretKey),
          );
        },
      };
    },
    respond(random: RandomSource, peerValue: Uint8Array) {
      assertPeerLength(peerValue, spec.ekLen);
      const ek = peerValue.slice();
      const { cipherText, sharedSecret } = withPeerValidation(
        'encapsulation key fails the FIPS 203 modulus check',
        () => spec.kem.encapsulate(ek, random(MLKEM_MESSAGE_LEN)),
      );
      return {
        publicValue: cipherText,
        computeSharedSecret(initiatorValue) {
          // The responder's secret is fixed at encapsulation; it is only released
          // for the encapsulation key it was made for.
          if (!sameBytes(initiatorValue, ek)) throw invalidPeerValue('not the encapsulated key');
          return sharedSecret;
        },
      };
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const MLKEM_METHODS: readonly KeMethod[] = SPECS.map(createMlKemMethod);
