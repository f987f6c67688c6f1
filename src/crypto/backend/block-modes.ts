/**
 * Modes built from AES-CBC and AES-CTR, used where a library lacks them:
 * CMAC for `node:crypto` (OpenSSL's CMAC is not exposed by Node) and CCM for
 * `@noble/ciphers` (which has no CCM). Each follows its specification directly.
 */

import { assertAesKey, concatBytes, constantTimeEqual, xorInto } from './bytes.js';
import { CryptoInputError } from './types.js';

type Cbc = (key: Uint8Array, iv: Uint8Array, data: Uint8Array) => Uint8Array;
type Ctr = (key: Uint8Array, counterBlock: Uint8Array, data: Uint8Array) => Uint8Array;

const BLOCK = 16;
const ZERO_BLOCK = new Uint8Array(BLOCK);

/** The last block of the CBC encryption of `data` under a zero IV: the CBC-MAC. */
export function cbcMac(cbc: Cbc, key: Uint8Array, data: Uint8Array): Uint8Array {
  return cbc(key, ZERO_BLOCK, data).slice(data.length - BLOCK);
}

/** Doubling in GF(2^128) with R_128 = 0x87 (RFC 4493 §2.3 "Generate_Subkey"). */
function gfDouble(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    out[i] = ((block[i]! << 1) | ((block[i + 1] ?? 0) >>> 7)) & 0xff;
  }
  if (block[0]! & 0x80) out[BLOCK - 1]! ^= 0x87;
  return out;
}

/**
 * Formats the last block per RFC 4493 §2.4 / RFC 3566 §4: a complete last block is
 * XORed with `completeKey`, an incomplete (or empty) one is padded with 10* and
 * XORed with `paddedKey`.
 */
export function macFinalBlocks(
  data: Uint8Array,
  completeKey: Uint8Array,
  paddedKey: Uint8Array,
): Uint8Array {
  const complete = data.length > 0 && data.length % BLOCK === 0;
  const paddedLen = complete ? data.length : (Math.floor(data.length / BLOCK) + 1) * BLOCK;
  const m = new Uint8Array(paddedLen);
  m.set(data);
  if (!complete) m[data.length] = 0x80;
  xorInto(m, complete ? completeKey : paddedKey, paddedLen - BLOCK);
  return m;
}

/** AES-CMAC (RFC 4493 §2.4) over a CBC primitive. */
export function cmacFromCbc(cbc: Cbc, key: Uint8Array, data: Uint8Array): Uint8Array {
  assertAesKey(key);
  const l = cbc(key, ZERO_BLOCK, ZERO_BLOCK);
  const k1 = gfDouble(l);
  const k2 = gfDouble(k1);
  return cbcMac(cbc, key, macFinalBlocks(data, k1, k2));
}

/** CCM parameters checked per SP 800-38C §A.1. */
function checkCcmParams(nonce: Uint8Array, tagLen: number): number {
  if (nonce.length < 7 || nonce.length > 13) {
    throw new CryptoInputError(`CCM nonce must be 7..13 octets, got ${nonce.length}`);
  }
  if (tagLen < 4 || tagLen > 16 || tagLen % 2 !== 0) {
    throw new CryptoInputError(`CCM tag length ${tagLen} is not one of 4, 6, ..., 16`);
  }
  return 15 - nonce.length;
}

/** Encodes an integer big-endian into `len` octets of `out` at `offset`. */
function putLength(out: Uint8Array, offset: number, len: number, value: number): void {
  let v = value;
  for (let i = len - 1; i >= 0; i--) {
    out[offset + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  if (v !== 0) throw new CryptoInputError('CCM message too long for the nonce length');
}

/** B_0 || encoded AAD || padded payload (SP 800-38C §A.2; RFC 3610 §2.2). */
function ccmMacInput(
  nonce: Uint8Array,
  aad: Uint8Array,
  payload: Uint8Array,
  tagLen: number,
  q: number,
): Uint8Array {
  const b0 = new Uint8Array(BLOCK);
  b0[0] = (aad.length > 0 ? 0x40 : 0) | (((tagLen - 2) / 2) << 3) | (q - 1);
  b0.set(nonce, 1);
  putLength(b0, 1 + nonce.length, q, payload.length);
  let aadBlock: Uint8Array = new Uint8Array(0);
  if (aad.length > 0) {
    // RFC 3610 §2.2: 2-octet length below 2^16 - 2^8, else 0xFFFE || 4-octet length.
    const header = aad.length < 0xff00 ? 2 : 6;
    const raw = new Uint8Array(header + aad.length);
    if (header === 2) putLength(raw, 0, 2, aad.length);
    else {
      raw[0] = 0xff;
      raw[1] = 0xfe;
      putLength(raw, 2, 4, aad.length);
    }
    raw.set(aad, header);
    aadBlock = zeroPad(raw);
  }
  return concatBytes(b0, aadBlock, zeroPad(payload));
}

function zeroPad(data: Uint8Array): Uint8Array {
  const rem = data.length % BLOCK;
  if (rem === 0) return data;
  const out = new Uint8Array(data.length + BLOCK - rem);
  out.set(data);
  return out;
}

/** A_0: flags = q - 1, nonce, counter 0 (SP 800-38C §A.3). */
function ccmCounterZero(nonce: Uint8Array, q: number): Uint8Array {
  const a0 = new Uint8Array(BLOCK);
  a0[0] = q - 1;
  a0.set(nonce, 1);
  return a0;
}

export function ccmSeal(
  cbc: Cbc,
  ctr: Ctr,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  tagLen: number,
): Uint8Array {
  assertAesKey(key);
  const q = checkCcmParams(nonce, tagLen);
  const tag = cbcMac(cbc, key, ccmMacInput(nonce, aad, plaintext, tagLen, q));
  // Counter block 0 encrypts the tag, blocks 1.. the payload: one CTR pass over both.
  const stream = new Uint8Array(BLOCK + plaintext.length);
  stream.set(tag);
  stream.set(plaintext, BLOCK);
  const out = ctr(key, ccmCounterZero(nonce, q), stream);
  return concatBytes(out.subarray(BLOCK), out.subarray(0, tagLen));
}

export function ccmOpen(
  cbc: Cbc,
  ctr: Ctr,
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
  tagLen: number,
): Uint8Array | null {
  assertAesKey(key);
  const q = checkCcmParams(nonce, tagLen);
  if (sealed.length < tagLen) return null;
  const ctLen = sealed.length - tagLen;
  const stream = new Uint8Array(BLOCK + ctLen);
  stream.set(sealed.subarray(ctLen));
  stream.set(sealed.subarray(0, ctLen), BLOCK);
  const out = ctr(key, ccmCounterZero(nonce, q), stream);
  const plaintext = out.slice(BLOCK);
  const expected = cbcMac(cbc, key, ccmMacInput(nonce, aad, plaintext, tagLen, q));
  if (!constantTimeEqual(expected.subarray(0, tagLen), out.subarray(0, tagLen))) return null;
  return plaintext;
}

const XCBC_CONSTANTS = [1, 2, 3].map((b) => new Uint8Array(BLOCK).fill(b));

/** AES-XCBC-MAC (RFC 3566 §4) with a 128-bit key, full 16-octet output. */
export function xcbcMacFromCbc(cbc: Cbc, key: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new CryptoInputError('AES-XCBC-MAC key must be 16 octets');
  // K1, K2, K3 = E(K, 0x01..), E(K, 0x02..), E(K, 0x03..): one CBC call per constant,
  // so each is an independent ECB block encryption.
  const [k1, k2, k3] = XCBC_CONSTANTS.map((c) => cbc(key, ZERO_BLOCK, c)) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  return cbcMac(cbc, k1, macFinalBlocks(data, k2, k3));
}
