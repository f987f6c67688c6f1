/**
 * The auth decoders take hostile input (EAP, EAP-TLS frames, DER names and
 * AlgorithmIdentifiers from AUTH payloads, CERTREQ, CERT, notify data): they
 * return a value or an error and never throw, and valid encodings round-trip.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAlgorithmId, parsePssParams } from '../../src/auth/algorithm-ids.js';
import { certificatesFromPayloads, parseCertReqData } from '../../src/auth/certreq.js';
import { decodeDn, encodeDn, formatDn } from '../../src/auth/dn.js';
import { decodeEap, type EapPacket, encodeEap } from '../../src/auth/eap/packet.js';
import { decodeTlsFrame } from '../../src/auth/eap/tls-fragments.js';
import { verifyAuth } from '../../src/auth/signature.js';
import {
  decodeSignatureHashAlgorithms,
  encodeSignatureHashAlgorithms,
} from '../../src/auth/signature-hash.js';
import { cert } from './test-pki.js';

const bytes = fc.uint8Array({ maxLength: 300 });

describe('decoders are total', () => {
  it.each([
    ['decodeEap', decodeEap],
    ['decodeTlsFrame', decodeTlsFrame],
    ['decodeDn', decodeDn],
    ['parseAlgorithmId', parseAlgorithmId],
    ['parsePssParams', parsePssParams],
    ['parseCertReqData', parseCertReqData],
    ['decodeSignatureHashAlgorithms', decodeSignatureHashAlgorithms],
  ] as const)('%s never throws', (_, fn) => {
    fc.assert(
      fc.property(bytes, (b) => {
        (fn as (x: Uint8Array) => unknown)(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('certificatesFromPayloads and verifyAuth never throw on garbage', () => {
    const pub = cert('sun-p256').publicKey;
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 255 }), (b, method) => {
        certificatesFromPayloads([{ encoding: 4, data: b }]);
        verifyAuth(pub, method, b, Uint8Array.of(1, 2, 3));
        verifyAuth(pub, 14, b, Uint8Array.of(1, 2, 3));
      }),
      { numRuns: 500 },
    );
  });

  it('DER Names with a truncated or extended tail are rejected, never misread', () => {
    const der = cert('moon-rsa').subject.der;
    for (let cut = 0; cut < der.length; cut++)
      expect(decodeDn(der.subarray(0, cut))).toBeUndefined();
    expect(decodeDn(Uint8Array.from([...der, 0]))).toBeUndefined();
  });
});

describe('round trips', () => {
  it('EAP packets', () => {
    const packet = fc.oneof(
      fc.record({
        code: fc.constantFrom(1, 2),
        identifier: fc.integer({ min: 0, max: 255 }),
        eapType: fc.integer({ min: 0, max: 255 }),
        data: bytes,
      }),
      fc.record({
        code: fc.constantFrom(3, 4),
        identifier: fc.integer({ min: 0, max: 255 }),
        data: fc.constant(new Uint8Array()),
      }),
    );
    fc.assert(
      fc.property(packet, (p: EapPacket) => {
        expect(decodeEap(encodeEap(p))).toEqual(p);
      }),
    );
  });

  it('SIGNATURE_HASH_ALGORITHMS', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 }), (hashes) => {
        expect(decodeSignatureHashAlgorithms(encodeSignatureHashAlgorithms(hashes))).toEqual(
          hashes,
        );
      }),
    );
  });

  it('configured DNs encode to DER that decodes to the same text', () => {
    const value = fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((s) => s.trim() === s && !/[,;+\\"=]/.test(s) && s.length > 0);
    const rdn = fc.record({ type: fc.constantFrom('C', 'O', 'OU', 'CN', 'E', 'DC', 'L'), value });
    fc.assert(
      fc.property(fc.array(rdn, { minLength: 1, maxLength: 6 }), (rdns) => {
        const dn = decodeDn(encodeDn(rdns)!);
        expect(dn && formatDn(dn)).toBe(rdns.map((r) => `${r.type}=${r.value}`).join(', '));
      }),
    );
  });
});
