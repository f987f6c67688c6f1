/**
 * Key derivation, PSK AUTH and SK payload protection against real exchanges of
 * strongSwan 5.9.8 (test-vectors/kdf/strongswan-5.9.8-ikev2-*.json): from the DH
 * secret charon logged and the nonces and SPIs on the wire, Styx must derive the
 * same SKEYSEED and SK_* (RFC 7296 §2.14, with the half-nonce rule for
 * AES-XCBC-PRF-128), decrypt every SK payload of the capture (§3.14, RFC 5282 for
 * GCM), find the identities and AUTH values charon used, and compute the same
 * PSK AUTH (§2.15).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  authSignedOctets,
  deriveIkeSaKeys,
  sharedKeyAuth,
  skeyseed,
} from '../../../src/crypto/kdf/index.js';
import { getEncr, getInteg, getPrf } from '../../../src/crypto/registry.js';
import { type SkTransform, unprotectSk } from '../../../src/crypto/sk.js';
import { hex, KDF_VECTOR_DIR, unhex } from './test-prfs.js';

interface Capture {
  source: string;
  transforms: { encr: number; encrKeyBits: number; integ?: number; prf: number; ke: number };
  preSharedKey: string;
  messages: { name: string; hex: string }[];
  logged: {
    sharedSecret: string;
    skeyseed: string;
    skD: string;
    skAi: string;
    skAr: string;
    skEi: string;
    skEr: string;
    skPi: string;
    skPr: string;
    initiatorAuth: { idBody: string; signedOctets: string; auth: string };
    responderAuth: { idBody: string; signedOctets: string; auth: string };
  };
}

const IKE_HEADER_LEN = 28;
const PAYLOAD = { KE: 34, IDi: 35, IDr: 36, AUTH: 39, NONCE: 40, SK: 46 } as const;

/** The payloads of a chain starting at `offset` with type `first`: [type, body][] (RFC 7296 §3.2). */
function payloads(bytes: Uint8Array, first: number, offset: number): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let type = first;
  let at = offset;
  while (type !== 0) {
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    out.push([type, bytes.subarray(at + 4, at + length)]);
    type = bytes[at]!;
    at += length;
  }
  return out;
}

const body = (list: [number, Uint8Array][], type: number) => {
  const found = list.find(([t]) => t === type);
  if (!found) throw new Error(`payload ${type} missing`);
  return found[1];
};

const files = readdirSync(KDF_VECTOR_DIR).filter((f) => f.startsWith('strongswan-5.9.8-ikev2-'));

it('has strongSwan captures for an HMAC PRF, an AEAD and AES-XCBC-PRF-128', () => {
  const prfs = files.map(
    (f) => (JSON.parse(readFileSync(join(KDF_VECTOR_DIR, f), 'utf8')) as Capture).transforms.prf,
  );
  expect(new Set(prfs)).toEqual(new Set([4, 5, 6]));
});

describe.each(files)('%s', (file) => {
  const c = JSON.parse(readFileSync(join(KDF_VECTOR_DIR, file), 'utf8')) as Capture;
  const prf = getPrf(c.transforms.prf)!;
  const encr = getEncr(c.transforms.encr, c.transforms.encrKeyBits)!;
  const integ = c.transforms.integ === undefined ? undefined : getInteg(c.transforms.integ)!;
  const transform: SkTransform = integ ? { encr, integ } : { encr };
  const msgs = c.messages.map((m) => ({ name: m.name, bytes: unhex(m.hex) }));
  const init = msgs.filter((m) => m.name.startsWith('IKE_SA_INIT'));
  const [request, response] = [init[0]!.bytes, init.at(-1)!.bytes];
  const reqPayloads = payloads(request, request[16]!, IKE_HEADER_LEN);
  const respPayloads = payloads(response, response[16]!, IKE_HEADER_LEN);
  const ni = body(reqPayloads, PAYLOAD.NONCE);
  const nr = body(respPayloads, PAYLOAD.NONCE);
  const spiI = response.subarray(0, 8);
  const spiR = response.subarray(8, 16);
  const keys = deriveIkeSaKeys(
    prf,
    skeyseed(prf, ni, nr, unhex(c.logged.sharedSecret)),
    ni,
    nr,
    spiI,
    spiR,
    {
      integKeyLen: integ?.keyLen ?? 0,
      encrKeyLen: encr.keyLen + encr.saltLen,
    },
  );

  it('negotiated the KE method on the wire that the file names', () => {
    const ke = body(respPayloads, PAYLOAD.KE);
    expect((ke[0]! << 8) | ke[1]!).toBe(c.transforms.ke);
  });

  it('derives the same SKEYSEED and SK_d, SK_ai, SK_ar, SK_ei, SK_er, SK_pi, SK_pr', () => {
    expect(hex(skeyseed(prf, ni, nr, unhex(c.logged.sharedSecret)))).toBe(c.logged.skeyseed);
    expect(hex(keys.skD)).toBe(c.logged.skD);
    expect(hex(keys.skAi)).toBe(c.logged.skAi);
    expect(hex(keys.skAr)).toBe(c.logged.skAr);
    expect(hex(keys.skEi)).toBe(c.logged.skEi);
    expect(hex(keys.skEr)).toBe(c.logged.skEr);
    expect(hex(keys.skPi)).toBe(c.logged.skPi);
    expect(hex(keys.skPr)).toBe(c.logged.skPr);
  });

  const decrypt = (m: Uint8Array) => {
    expect(m[16]).toBe(PAYLOAD.SK);
    // The I(nitiator) flag says which side's keys protect the message (RFC 7296 §3.1).
    const fromInitiator = (m[19]! & 0x08) !== 0;
    return unprotectSk({
      transform,
      keys: fromInitiator
        ? { encryptionKey: keys.skEi, integrityKey: keys.skAi }
        : { encryptionKey: keys.skEr, integrityKey: keys.skAr },
      header: m.subarray(0, IKE_HEADER_LEN + 4),
      body: m.subarray(IKE_HEADER_LEN + 4),
    });
  };

  it.each(msgs.filter((m) => !m.name.startsWith('IKE_SA_INIT')).map((m) => [m.name, m] as const))(
    'decrypts %s into a well-formed payload chain',
    (_n, m) => {
      const inner = decrypt(m.bytes);
      const skFirst = m.bytes[IKE_HEADER_LEN]!;
      const chain = payloads(inner, skFirst, 0);
      expect(chain.reduce((n, [, b]) => n + b.length + 4, 0)).toBe(inner.length);
    },
  );

  it('computes the AUTH values strongSwan sent and verified (RFC 7296 §2.15)', () => {
    const psk = new TextEncoder().encode(c.preSharedKey);
    const authRequest = msgs.find((m) => m.name.startsWith('IKE_AUTH request'))!.bytes;
    const authResponse = msgs.find((m) => m.name.startsWith('IKE_AUTH response'))!.bytes;
    for (const [message, own, peerNonce, skP, idType, logged] of [
      [authRequest, request, nr, keys.skPi, PAYLOAD.IDi, c.logged.initiatorAuth],
      [authResponse, response, ni, keys.skPr, PAYLOAD.IDr, c.logged.responderAuth],
    ] as const) {
      const inner = payloads(decrypt(message), message[IKE_HEADER_LEN]!, 0);
      const idBody = body(inner, idType);
      expect(hex(idBody)).toBe(logged.idBody);
      const octets = authSignedOctets(prf, own, peerNonce, skP, idBody);
      expect(hex(octets)).toBe(logged.signedOctets);
      const auth = body(inner, PAYLOAD.AUTH);
      expect(auth[0]).toBe(2); // Shared Key Message Integrity Code
      const computed = sharedKeyAuth(prf, psk, octets);
      expect(hex(computed)).toBe(logged.auth);
      expect(hex(auth.subarray(4))).toBe(hex(computed));
    }
  });
});
