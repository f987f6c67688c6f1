/**
 * Key derivation against NSS's IKE PRF vectors, made by NSS's independent
 * implementation: AES-XCBC-PRF-128 as the IKE PRF (SKEYSEED/SKEYID, SKEYID_d/a/e,
 * prf+), the RFC 2409 App. B key expansion and the §5.5 Quick Mode expansion.
 */

import { describe, expect, it } from 'vitest';
import {
  deriveIkev1SaKeys,
  ikev1EncryptionKey,
  ikev1ExpandKeymat,
  prfPlus,
  skeyidPreSharedKey,
  skeyseed,
} from '../../../src/crypto/kdf/index.js';
import { hex, readKdfVectors, testPrf, unhex } from './test-prfs.js';

interface NssVector {
  prf: number;
  id: number;
  type: string;
  ikm: string;
  gxykm: string;
  prevkm: string;
  okm: string;
  ni: string;
  nr: string;
  seed: string;
  keyNumber: number;
  size: number;
}

function run(v: NssVector): string {
  const prf = testPrf(v.prf);
  switch (v.type) {
    case 'ikeGxy':
      // SKEYSEED = prf(Ni | Nr, g^ir), SKEYID = prf(Ni_b | Nr_b, g^xy).
      return hex(skeyseed(prf, unhex(v.ni), unhex(v.nr), unhex(v.ikm)));
    case 'ikeV1Psk':
      return hex(skeyidPreSharedKey(prf, unhex(v.ikm), unhex(v.ni), unhex(v.nr)));
    case 'ikeV1': {
      const keys = deriveIkev1SaKeys(prf, {
        skeyid: unhex(v.ikm),
        sharedSecret: unhex(v.gxykm),
        ckyI: unhex(v.ni),
        ckyR: unhex(v.nr),
      });
      return hex([keys.skeyidD, keys.skeyidA, keys.skeyidE][v.keyNumber]!);
    }
    case 'ikePlus':
      return hex(prfPlus(prf, unhex(v.ikm), unhex(v.seed), v.size));
    case 'ikeV1AppB':
      return hex(ikev1EncryptionKey(prf, unhex(v.ikm), v.size));
    case 'ikeV1AppBQuick':
      return hex(ikev1ExpandKeymat(prf, unhex(v.ikm), unhex(v.seed), v.size));
    default:
      throw new Error(`unknown NSS vector type ${v.type}`);
  }
}

for (const file of ['nss-ike-aes-xcbc.json', 'nss-ikev1-appendix-b.json']) {
  const vectors = readKdfVectors<NssVector>(file);
  describe(file, () => {
    it.each(vectors.map((v) => [`prf ${v.prf} #${v.id} ${v.type} (${v.size || ''})`, v] as const))(
      '%s',
      (_n, v) => {
        expect(run(v)).toBe(v.okm);
      },
    );
  });
}
