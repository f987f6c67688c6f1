/**
 * DES and Triple DES (TDEA, EDE with three keys) in pure TypeScript, for the
 * `@noble` backend, which has no DES. Written from FIPS 46-3 and SP 800-67 Rev. 2;
 * it works on arrays of bits for clarity, not speed: 3DES is only here for legacy
 * peers, and the registry uses whichever backend the benchmark found faster.
 */

import { assertBlockMultiple, assertLength } from './bytes.js';

// FIPS 46-3 tables: 1-based bit positions, bit 1 is the most significant.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64,
  56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53,
  45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37,
  5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12, 52, 20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2,
  42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19,
  20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13,
  30, 6, 22, 11, 4, 25,
];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60,
  52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21,
  13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
  31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
// S-boxes S1..S8, each 4 rows of 16 entries.
const S = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11,
    9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5,
    11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10,
    6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2,
    11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12,
    11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4,
    15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1,
    10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9,
    4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10,
    3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6,
    15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14,
    0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10,
    11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12,
    2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9,
    5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11,
    0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13,
    15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

type Bits = Uint8Array; // one bit per element, index 0 = bit 1 of the standard

function toBits(bytes: Uint8Array): Bits {
  const bits = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < bits.length; i++) bits[i] = (bytes[i >>> 3]! >>> (7 - (i & 7))) & 1;
  return bits;
}

function fromBits(bits: Bits): Uint8Array {
  const bytes = new Uint8Array(bits.length / 8);
  for (let i = 0; i < bits.length; i++) bytes[i >>> 3]! |= bits[i]! << (7 - (i & 7));
  return bytes;
}

function permute(input: Bits, table: readonly number[]): Bits {
  const out = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = input[table[i]! - 1]!;
  return out;
}

/** The 16 round keys of FIPS 46-3 "Key Schedule Calculation". */
function keySchedule(key: Uint8Array): Bits[] {
  const cd = permute(toBits(key), PC1);
  let c: Bits = cd.slice(0, 28);
  let d: Bits = cd.slice(28);
  const keys: Bits[] = [];
  for (const shift of SHIFTS) {
    c = rotateLeft(c, shift);
    d = rotateLeft(d, shift);
    const joined = new Uint8Array(56);
    joined.set(c);
    joined.set(d, 28);
    keys.push(permute(joined, PC2));
  }
  return keys;
}

function rotateLeft(bits: Bits, n: number): Bits {
  const out = new Uint8Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[(i + n) % bits.length]!;
  return out;
}

/** The cipher function f(R, K) of FIPS 46-3. */
function feistel(r: Bits, k: Bits): Bits {
  const x = permute(r, E);
  for (let i = 0; i < 48; i++) x[i]! ^= k[i]!;
  const sOut = new Uint8Array(32);
  for (let box = 0; box < 8; box++) {
    const b = x.subarray(box * 6, box * 6 + 6);
    const row = (b[0]! << 1) | b[5]!;
    const col = (b[1]! << 3) | (b[2]! << 2) | (b[3]! << 1) | b[4]!;
    const v = S[box]![row * 16 + col]!;
    for (let j = 0; j < 4; j++) sOut[box * 4 + j] = (v >>> (3 - j)) & 1;
  }
  return permute(sOut, P);
}

function desBlock(block: Uint8Array, roundKeys: Bits[], decrypt: boolean): Uint8Array {
  const lr = permute(toBits(block), IP);
  let l = lr.slice(0, 32);
  let r = lr.slice(32);
  for (let round = 0; round < 16; round++) {
    const k = roundKeys[decrypt ? 15 - round : round]!;
    const f = feistel(r, k);
    const next = l;
    for (let i = 0; i < 32; i++) next[i]! ^= f[i]!;
    l = r;
    r = next;
  }
  const preOutput = new Uint8Array(64);
  preOutput.set(r); // the last round's halves are swapped: R16 L16
  preOutput.set(l, 32);
  return fromBits(permute(preOutput, FP));
}

/** TDEA block encryption E_K3(D_K2(E_K1(x))) (SP 800-67 §3.2) and its inverse. */
class TripleDes {
  private readonly k1: Bits[];
  private readonly k2: Bits[];
  private readonly k3: Bits[];
  constructor(key: Uint8Array) {
    assertLength('3DES key', key, 24);
    this.k1 = keySchedule(key.subarray(0, 8));
    this.k2 = keySchedule(key.subarray(8, 16));
    this.k3 = keySchedule(key.subarray(16, 24));
  }
  encrypt(block: Uint8Array): Uint8Array {
    return desBlock(desBlock(desBlock(block, this.k1, false), this.k2, true), this.k3, false);
  }
  decrypt(block: Uint8Array): Uint8Array {
    return desBlock(desBlock(desBlock(block, this.k3, true), this.k2, false), this.k1, true);
  }
}

export function des3CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  assertLength('3DES IV', iv, 8);
  assertBlockMultiple('3DES plaintext', data, 8);
  const cipher = new TripleDes(key);
  const out = new Uint8Array(data.length);
  let chain: Uint8Array = Uint8Array.from(iv);
  for (let off = 0; off < data.length; off += 8) {
    // A copy: `data` may be a Buffer, whose slice() is a view we must not modify.
    const block = Uint8Array.from(data.subarray(off, off + 8));
    for (let i = 0; i < 8; i++) block[i]! ^= chain[i]!;
    chain = cipher.encrypt(block);
    out.set(chain, off);
  }
  return out;
}

export function des3CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  assertLength('3DES IV', iv, 8);
  assertBlockMultiple('3DES ciphertext', data, 8);
  const cipher = new TripleDes(key);
  const out = new Uint8Array(data.length);
  let chain: Uint8Array = Uint8Array.from(iv);
  for (let off = 0; off < data.length; off += 8) {
    // A copy: `data` may be a Buffer, whose slice() is a view we must not modify.
    const block = Uint8Array.from(data.subarray(off, off + 8));
    const plain = cipher.decrypt(block);
    for (let i = 0; i < 8; i++) plain[i]! ^= chain[i]!;
    out.set(plain, off);
    chain = block;
  }
  return out;
}
