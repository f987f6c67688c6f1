/**
 * IKEv1 encryption state and the Quick Mode hashes against the strongSwan 5.9.8
 * captures: the Phase 1 IV from hash(g^xi | g^xr), CBC chaining across Main Mode
 * messages 5 and 6, the Phase 2 IV from hash(last block | M-ID) (RFC 2409 App. B),
 * HASH_I/HASH_R inside the encrypted messages (§5), HASH(1)/HASH(2) of Quick Mode
 * (§5.5), and that the Quick Mode KEYMAT seeds strongSwan logged carry the SPIs
 * and nonces of the Quick Mode messages.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deriveIkev1SaKeys,
  ikev1EncryptionKey,
  ikev1Hash1,
  ikev1Hash2,
  ikev1Phase1Iv,
  ikev1Phase2Iv,
  skeyidPreSharedKey,
} from '../../../src/crypto/kdf/index.js';
import { getEncr, getPrf } from '../../../src/crypto/registry.js';
import type { CipherAlgorithm } from '../../../src/crypto/types.js';
import { hex, KDF_VECTOR_DIR, unhex } from './test-prfs.js';

interface Capture {
  transforms: { encr: number; encrKeyBits: number; prf: number };
  preSharedKey: string;
  messages: { name: string; hex: string }[];
  logged: Record<string, string>;
}

const HDR = 28;
const P = { SA: 1, KE: 4, ID: 5, HASH: 8, NONCE: 10 } as const;
const HASH_NAMES: Record<number, string> = { 2: 'sha1', 5: 'sha256', 6: 'sha384', 7: 'sha512' };

/** [type, whole payload with header][] of a decrypted ISAKMP body, and where the chain ends. */
function chain(first: number, data: Uint8Array): { list: [number, Uint8Array][]; end: number } {
  const list: [number, Uint8Array][] = [];
  let type = first;
  let at = 0;
  while (type !== 0) {
    const length = (data[at + 2]! << 8) | data[at + 3]!;
    list.push([type, data.subarray(at, at + length)]);
    type = data[at]!;
    at += length;
  }
  return { list, end: at };
}
const bodyOf = (list: [number, Uint8Array][], type: number, nth = 0) =>
  list.filter(([t]) => t === type)[nth]![1].subarray(4);

const files = readdirSync(KDF_VECTOR_DIR).filter((f) => f.startsWith('strongswan-5.9.8-ikev1-'));

describe.each(files)('%s', (file) => {
  const c = JSON.parse(readFileSync(join(KDF_VECTOR_DIR, file), 'utf8')) as Capture;
  const prf = getPrf(c.transforms.prf)!;
  const hash = (d: Uint8Array) =>
    new Uint8Array(createHash(HASH_NAMES[c.transforms.prf]!).update(d).digest());
  const cipher = getEncr(c.transforms.encr, c.transforms.encrKeyBits) as CipherAlgorithm;
  const msgs = c.messages.map((m) => unhex(m.hex));
  const [m1, , m3, m4, m5, m6] = msgs as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
  const plain = (m: Uint8Array) => chain(m[16]!, m.subarray(HDR)).list;
  const gxi = bodyOf(plain(m3), P.KE);
  const gxr = bodyOf(plain(m4), P.KE);
  const skeyid = skeyidPreSharedKey(
    prf,
    new TextEncoder().encode(c.preSharedKey),
    bodyOf(plain(m3), P.NONCE),
    bodyOf(plain(m4), P.NONCE),
  );
  const keys = deriveIkev1SaKeys(prf, {
    skeyid,
    sharedSecret: unhex(c.logged.sharedSecret!),
    ckyI: m4.subarray(0, 8),
    ckyR: m4.subarray(8, 16),
  });
  const ka = ikev1EncryptionKey(prf, keys.skeyidE, cipher.keyLen);
  const decrypt = (m: Uint8Array, iv: Uint8Array) => cipher.decrypt(ka, iv, m.subarray(HDR));
  const lastBlock = (m: Uint8Array) => m.subarray(m.length - cipher.blockSize);

  it('has the messages this test walks through', () => {
    expect(m1[18]).toBe(2); // Identity Protection (Main Mode)
    expect(m5[19]! & 1).toBe(1); // encrypted
    expect(msgs[6]![18]).toBe(32); // Quick Mode
  });

  it('derives the Phase 1 IV and decrypts Main Mode messages 5 and 6 to the IDs and HASH_I/HASH_R', () => {
    const iv = ikev1Phase1Iv(hash, gxi, gxr, cipher.blockSize);
    expect(hex(iv)).toBe(c.logged.initialIv);
    const five = chain(m5[16]!, decrypt(m5, iv)).list;
    expect(new TextDecoder().decode(bodyOf(five, P.ID).subarray(4))).toBe('alice@styx.test');
    expect(hex(bodyOf(five, P.HASH))).toBe(c.logged.hashI);
    // RFC 2409 App. B: the next IV is the last ciphertext block of the previous message.
    const six = chain(m6[16]!, decrypt(m6, lastBlock(m5))).list;
    expect(new TextDecoder().decode(bodyOf(six, P.ID).subarray(4))).toBe('bob@styx.test');
    expect(hex(bodyOf(six, P.HASH))).toBe(c.logged.hashR);
  });

  it('derives the Quick Mode IV, verifies HASH(1) and HASH(2) and finds the KEYMAT seeds on the wire', () => {
    const [q1, q2] = [msgs[6]!, msgs[7]!];
    const mid = new DataView(q1.buffer, q1.byteOffset).getUint32(20);
    const iv = ikev1Phase2Iv(hash, lastBlock(m6), mid, cipher.blockSize);
    const d1 = decrypt(q1, iv);
    const one = chain(q1[16]!, d1);
    const hashPayloadLen = one.list[0]![1].length;
    expect(one.list[0]![0]).toBe(P.HASH);
    expect(hex(bodyOf(one.list, P.HASH))).toBe(
      hex(ikev1Hash1(prf, keys.skeyidA, mid, d1.subarray(hashPayloadLen, one.end))),
    );
    const d2 = decrypt(q2, lastBlock(q1));
    const two = chain(q2[16]!, d2);
    const niB = bodyOf(one.list, P.NONCE);
    const nrB = bodyOf(two.list, P.NONCE);
    expect(hex(bodyOf(two.list, P.HASH))).toBe(
      hex(ikev1Hash2(prf, keys.skeyidA, mid, niB, d2.subarray(two.list[0]![1].length, two.end))),
    );
    // SA body: DOI, situation, then the first Proposal: header(4) number protocol spiSize count SPI.
    const spiOf = (sa: Uint8Array) => sa.subarray(8 + 8, 8 + 8 + sa[8 + 6]!);
    const spis = [spiOf(bodyOf(one.list, P.SA)), spiOf(bodyOf(two.list, P.SA))].map(hex);
    for (const seed of [c.logged.initiatorSaSeed!, c.logged.responderSaSeed!]) {
      const tail = seed.slice(seed.length - 2 * (1 + 4 + niB.length + nrB.length));
      expect(tail.slice(0, 2)).toBe('03');
      expect(spis).toContain(tail.slice(2, 10));
      expect(tail.slice(10)).toBe(hex(niB) + hex(nrB));
    }
  });
});
