/**
 * strongSwan proposal keywords and the IANA transforms they stand for (RFC 7296
 * §3.3.2, IANA "IKEv2 Transform Type N Values", RFC 9370 for ML-KEM).
 *
 * This is the configuration's table until the crypto registry
 * (`src/crypto/registry.ts`) exposes keyword lookup; then `lookupKeyword`
 * should read the registry so each algorithm exists once (architecture
 * principle 3).
 */
import type { TransformSpec } from './types.js';

export type Usage = 'ike' | 'esp' | 'ah';

export interface KeywordEntry extends Omit<TransformSpec, 'keyword'> {
  readonly usages: readonly Usage[];
}

const table = new Map<string, KeywordEntry>();
const IKE_ESP: readonly Usage[] = ['ike', 'esp'];
const ALL: readonly Usage[] = ['ike', 'esp', 'ah'];

function add(keywords: readonly string[], entry: KeywordEntry): void {
  for (const keyword of keywords) table.set(keyword, entry);
}

// ENCR (type 1). AES-CBC = 12, AES-CTR = 13, CCM 14/15/16, GCM 18/19/20.
for (const bits of [128, 192, 256]) {
  const encr = (id: number, aead: boolean, usages = IKE_ESP): KeywordEntry => ({
    type: 'encr',
    id,
    keyBits: bits,
    aead,
    usages,
  });
  add(bits === 128 ? ['aes', 'aes128'] : [`aes${bits}`], encr(12, false));
  add([`aes${bits}ctr`], encr(13, false));
  add([`aes${bits}ccm8`, `aes${bits}ccm64`], encr(14, true));
  add([`aes${bits}ccm12`, `aes${bits}ccm96`], encr(15, true));
  add([`aes${bits}ccm16`, `aes${bits}ccm128`], encr(16, true));
  add([`aes${bits}gcm8`, `aes${bits}gcm64`], encr(18, true));
  add([`aes${bits}gcm12`, `aes${bits}gcm96`], encr(19, true));
  add([`aes${bits}gcm16`, `aes${bits}gcm128`], encr(20, true));
  add([`camellia${bits}`], encr(23, false));
}
add(['camellia'], { type: 'encr', id: 23, keyBits: 128, aead: false, usages: IKE_ESP });
add(['3des'], { type: 'encr', id: 3, aead: false, usages: IKE_ESP });
add(['chacha20poly1305'], { type: 'encr', id: 28, keyBits: 256, aead: true, usages: IKE_ESP });
// ENCR_NULL (RFC 2410): ESP with integrity only; never for IKE.
add(['null'], { type: 'encr', id: 11, aead: false, usages: ['esp'] });

// INTEG (type 3).
add(['md5'], { type: 'integ', id: 1, usages: ALL });
add(['sha1', 'sha'], { type: 'integ', id: 2, usages: ALL });
add(['aesxcbc'], { type: 'integ', id: 5, usages: ALL });
add(['aescmac'], { type: 'integ', id: 8, usages: ALL });
add(['sha256', 'sha2_256'], { type: 'integ', id: 12, usages: ALL });
add(['sha384', 'sha2_384'], { type: 'integ', id: 13, usages: ALL });
add(['sha512', 'sha2_512'], { type: 'integ', id: 14, usages: ALL });

// PRF (type 2), IKE only.
add(['prfmd5'], { type: 'prf', id: 1, usages: ['ike'] });
add(['prfsha1'], { type: 'prf', id: 2, usages: ['ike'] });
add(['prfaesxcbc'], { type: 'prf', id: 4, usages: ['ike'] });
add(['prfsha256'], { type: 'prf', id: 5, usages: ['ike'] });
add(['prfsha384'], { type: 'prf', id: 6, usages: ['ike'] });
add(['prfsha512'], { type: 'prf', id: 7, usages: ['ike'] });
add(['prfaescmac'], { type: 'prf', id: 8, usages: ['ike'] });

// KE (type 4): MODP (RFC 3526, RFC 5114), ECP (RFC 5903), Brainpool (RFC 6954),
// Curve25519/448 (RFC 8031), ML-KEM (RFC 9370 / draft-ietf-ipsecme-ikev2-mlkem).
const ke: readonly (readonly [string[], number])[] = [
  [['modp768'], 1],
  [['modp1024'], 2],
  [['modp1536'], 5],
  [['modp2048'], 14],
  [['modp3072'], 15],
  [['modp4096'], 16],
  [['modp6144'], 17],
  [['modp8192'], 18],
  [['ecp256'], 19],
  [['ecp384'], 20],
  [['ecp521'], 21],
  [['modp1024s160'], 22],
  [['modp2048s224'], 23],
  [['modp2048s256'], 24],
  [['ecp192'], 25],
  [['ecp224'], 26],
  [['ecp224bp'], 27],
  [['ecp256bp'], 28],
  [['ecp384bp'], 29],
  [['ecp512bp'], 30],
  [['x25519', 'curve25519'], 31],
  [['x448', 'curve448'], 32],
  [['mlkem512'], 35],
  [['mlkem768'], 36],
  [['mlkem1024'], 37],
];
for (const [keywords, id] of ke) add(keywords, { type: 'ke', id, usages: ALL });

// ESN (type 5).
add(['noesn'], { type: 'esn', id: 0, usages: ['esp', 'ah'] });
add(['esn'], { type: 'esn', id: 1, usages: ['esp', 'ah'] });

export function lookupKeyword(keyword: string): KeywordEntry | undefined {
  return table.get(keyword);
}

export function allKeywords(): string[] {
  return [...table.keys()];
}

/** strongSwan derives the IKE PRF from the integrity algorithm when none is given. */
export const PRF_FOR_INTEG: Readonly<Record<number, string>> = {
  1: 'prfmd5',
  2: 'prfsha1',
  5: 'prfaesxcbc',
  8: 'prfaescmac',
  12: 'prfsha256',
  13: 'prfsha384',
  14: 'prfsha512',
};
