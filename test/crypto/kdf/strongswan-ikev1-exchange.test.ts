/**
 * IKEv1 key derivation against real strongSwan 5.9.8 exchanges
 * (test-vectors/kdf/strongswan-5.9.8-ikev1-*.json): from the Main Mode messages on
 * the wire, the PSK and the DH secret charon logged, Styx must derive the same
 * SKEYID, SKEYID_d/a/e, the App. B encryption key Ka, HASH_I and HASH_R
 * (RFC 2409 §5), and the same Quick Mode KEYMAT with and without PFS (§5.5).
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deriveIkev1SaKeys,
  ikev1EncryptionKey,
  ikev1HashI,
  ikev1HashR,
  ikev1QuickModeKeymat,
  skeyidPreSharedKey,
} from '../../../src/crypto/kdf/index.js';
import { getEncr, getInteg, getPrf } from '../../../src/crypto/registry.js';
import { hex, KDF_VECTOR_DIR, unhex } from './test-prfs.js';

interface Capture {
  transforms: {
    encr: number;
    encrKeyBits: number;
    prf: number;
    esp: { encr: number; encrKeyBits: number; integ: number; ke?: number };
  };
  preSharedKey: string;
  messages: { name: string; hex: string }[];
  logged: Record<string, string>;
}

const ISAKMP_HEADER_LEN = 28;
const PAYLOAD = { SA: 1, KE: 4, NONCE: 10 } as const;
/** ESP's protocol ID in the KEYMAT seed (RFC 2407 §4.4.1). */
const PROTO_IPSEC_ESP = 3;

/** ISAKMP payload chain (RFC 2408 §3.2): [type, body][]. */
function payloads(message: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let type = message[16]!;
  let at = ISAKMP_HEADER_LEN;
  while (type !== 0) {
    const length = (message[at + 2]! << 8) | message[at + 3]!;
    out.push([type, message.subarray(at + 4, at + length)]);
    type = message[at]!;
    at += length;
  }
  return out;
}

const body = (list: [number, Uint8Array][], type: number) => {
  const found = list.find(([t]) => t === type);
  if (!found) throw new Error(`payload ${type} missing`);
  return found[1];
};

/** ID payload body for ID_USER_FQDN with protocol and port 0 (RFC 2407 §4.6.2). */
const fqdnId = (id: string) => new Uint8Array([3, 0, 0, 0, ...new TextEncoder().encode(id)]);

const files = readdirSync(KDF_VECTOR_DIR).filter((f) => f.startsWith('strongswan-5.9.8-ikev1-'));

it('has IKEv1 strongSwan captures with and without Quick Mode PFS', () => {
  const pfs = files.map(
    (f) =>
      (JSON.parse(readFileSync(join(KDF_VECTOR_DIR, f), 'utf8')) as Capture).logged
        .quickModeSharedSecret !== '',
  );
  expect(new Set(pfs)).toEqual(new Set([true, false]));
});

describe.each(files)('%s', (file) => {
  const c = JSON.parse(readFileSync(join(KDF_VECTOR_DIR, file), 'utf8')) as Capture;
  const prf = getPrf(c.transforms.prf)!;
  const mm = c.messages.filter((m) => m.name.startsWith('MAIN_MODE')).map((m) => unhex(m.hex));
  const [m1, , m3, m4] = [mm[0]!, mm[1]!, mm[2]!, mm[3]!];
  const ckyI = m4.subarray(0, 8);
  const ckyR = m4.subarray(8, 16);
  const saIB = body(payloads(m1), PAYLOAD.SA);
  const [gxi, niB] = [body(payloads(m3), PAYLOAD.KE), body(payloads(m3), PAYLOAD.NONCE)];
  const [gxr, nrB] = [body(payloads(m4), PAYLOAD.KE), body(payloads(m4), PAYLOAD.NONCE)];
  const psk = new TextEncoder().encode(c.preSharedKey);
  const skeyid = skeyidPreSharedKey(prf, psk, niB, nrB);
  const keys = deriveIkev1SaKeys(prf, {
    skeyid,
    sharedSecret: unhex(c.logged.sharedSecret!),
    ckyI,
    ckyR,
  });

  it('derives SKEYID (PSK), SKEYID_d, SKEYID_a, SKEYID_e and Ka', () => {
    expect(hex(skeyid)).toBe(c.logged.skeyid);
    expect(hex(keys.skeyidD)).toBe(c.logged.skeyidD);
    expect(hex(keys.skeyidA)).toBe(c.logged.skeyidA);
    expect(hex(keys.skeyidE)).toBe(c.logged.skeyidE);
    const encr = getEncr(c.transforms.encr, c.transforms.encrKeyBits)!;
    expect(hex(ikev1EncryptionKey(prf, keys.skeyidE, encr.keyLen))).toBe(c.logged.encryptionKeyKa);
  });

  it('computes HASH_I and HASH_R over the values on the wire', () => {
    const input = { skeyid, gxi, gxr, ckyI, ckyR, saIB };
    const idii = fqdnId('alice@styx.test');
    const idir = fqdnId('bob@styx.test');
    expect(hex(Buffer.concat([gxi, gxr, ckyI, ckyR, saIB, idii]))).toBe(c.logged.hashIData);
    expect(hex(ikev1HashI(prf, input, idii))).toBe(c.logged.hashI);
    expect(hex(Buffer.concat([gxr, gxi, ckyR, ckyI, saIB, idir]))).toBe(c.logged.hashRData);
    expect(hex(ikev1HashR(prf, input, idir))).toBe(c.logged.hashR);
  });

  it('derives the Quick Mode KEYMAT of both SAs', () => {
    const esp = c.transforms.esp;
    const encrLen = esp.encrKeyBits / 8;
    const integLen = getInteg(esp.integ)!.keyLen;
    const pfs = c.logged.quickModeSharedSecret ? unhex(c.logged.quickModeSharedSecret) : undefined;
    for (const [seedHex, encrKey, integKey] of [
      [c.logged.initiatorSaSeed!, c.logged.encryptionInitiatorKey, c.logged.integrityInitiatorKey],
      [c.logged.responderSaSeed!, c.logged.encryptionResponderKey, c.logged.integrityResponderKey],
    ] as const) {
      // The seed strongSwan logged: [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b.
      const seed = unhex(seedHex);
      const rest = seed.subarray(pfs?.length ?? 0);
      if (pfs) expect(hex(seed.subarray(0, pfs.length))).toBe(hex(pfs));
      expect(rest[0]).toBe(PROTO_IPSEC_ESP);
      const spi = rest.subarray(1, 5);
      const nonces = rest.subarray(5);
      const [qmNi, qmNr] = [
        nonces.subarray(0, nonces.length / 2),
        nonces.subarray(nonces.length / 2),
      ];
      const keymat = ikev1QuickModeKeymat(
        prf,
        keys.skeyidD,
        PROTO_IPSEC_ESP,
        spi,
        qmNi,
        qmNr,
        encrLen + integLen,
        pfs,
      );
      expect(hex(keymat)).toBe(`${encrKey}${integKey}`);
    }
  });
});
