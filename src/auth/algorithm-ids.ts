/**
 * Signature AlgorithmIdentifiers (RFC 5280 §4.1.1.2) as they appear in
 * certificates, CRLs and RFC 7427 AUTH payloads: OIDs, the hash each implies,
 * and the RSASSA-PSS parameters (RFC 4055 §3.1).
 */
import { concatAll, derTlv, readDerElement, readDerSequence } from './der.js';
import { decodeOid, encodeOid } from './dn.js';

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

const HASH_OIDS: Record<HashName, string> = {
  sha1: OID.sha1,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

export const HASH_LENGTH: Record<HashName, number> = {
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

function hashByOid(oid: string | undefined): HashName | undefined {
  return (Object.keys(HASH_OIDS) as HashName[]).find((h) => HASH_OIDS[h] === oid);
}

export interface PssParams {
  readonly hash: HashName;
  readonly mgfHash: HashName;
  readonly saltLength: number;
}

/** AlgorithmIdentifier { hash OID, NULL }: RFC 4055 §2.1 says SHOULD include NULL for SHA-2. */
function hashAlgorithmId(hash: HashName): Uint8Array {
  return derTlv(
    0x30,
    concatAll([derTlv(0x06, encodeOid(HASH_OIDS[hash])), Uint8Array.of(0x05, 0x00)]),
  );
}

/** DER RSASSA-PSS AlgorithmIdentifier with explicit hash, MGF1 and salt length (RFC 4055 §3.1). */
export function encodePssAlgorithmId(p: PssParams): Uint8Array {
  const mgf = derTlv(
    0x30,
    concatAll([derTlv(0x06, encodeOid(OID.mgf1)), hashAlgorithmId(p.mgfHash)]),
  );
  const params = derTlv(
    0x30,
    concatAll([
      derTlv(0xa0, hashAlgorithmId(p.hash)),
      derTlv(0xa1, mgf),
      derTlv(0xa2, derTlv(0x02, Uint8Array.of(p.saltLength))),
    ]),
  );
  return derTlv(0x30, concatAll([derTlv(0x06, encodeOid(OID.rsassaPss)), params]));
}

function readHashAlgorithm(bytes: Uint8Array, offset: number, end: number): HashName | undefined {
  const items = readDerSequence(bytes, offset, end);
  const oid = items?.[0];
  if (oid?.tag !== 0x06) return undefined;
  return hashByOid(decodeOid(bytes.subarray(oid.start, oid.end)));
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1) from the DER parameters element (or
 * undefined/empty for "all defaults": SHA-1, MGF1-SHA-1, salt 20).
 */
export function parsePssParams(params: Uint8Array | undefined): PssParams | undefined {
  let hash: HashName = 'sha1';
  let mgfHash: HashName = 'sha1';
  let saltLength = 20;
  if (!params || params.length === 0) return { hash, mgfHash, saltLength };
  const items = readDerSequence(params);
  if (!items) return undefined;
  for (const item of items) {
    const inner = readDerElement(params, item.start);
    if (!inner || inner.end !== item.end) return undefined;
    switch (item.tag) {
      case 0xa0: {
        const h = readHashAlgorithm(params, inner.offset, inner.end);
        if (!h) return undefined;
        hash = h;
        break;
      }
      case 0xa1: {
        const mgf = readDerSequence(params, inner.offset, inner.end);
        const mgfOid = mgf?.[0];
        const mgfParams = mgf?.[1];
        if (
          !mgfOid ||
          !mgfParams ||
          decodeOid(params.subarray(mgfOid.start, mgfOid.end)) !== OID.mgf1
        )
          return undefined;
        const h = readHashAlgorithm(params, mgfParams.offset, mgfParams.end);
        if (!h) return undefined;
        mgfHash = h;
        break;
      }
      case 0xa2: {
        if (inner.tag !== 0x02 || inner.end - inner.start > 2) return undefined;
        saltLength = 0;
        for (let i = inner.start; i < inner.end; i++) saltLength = saltLength * 256 + params[i]!;
        break;
      }
      case 0xa3: // trailerField: only 1 (trailerFieldBC) exists
        if (inner.tag !== 0x02 || inner.end - inner.start !== 1 || params[inner.start] !== 1)
          return undefined;
        break;
      default:
        return undefined;
    }
  }
  return { hash, mgfHash, saltLength };
}

export interface ParsedAlgorithmId {
  readonly oid: string;
  /** The DER parameters element, absent when there are none or they are NULL. */
  readonly params?: Uint8Array;
}

/** Splits a DER AlgorithmIdentifier into OID and parameters. */
export function parseAlgorithmId(der: Uint8Array): ParsedAlgorithmId | undefined {
  const items = readDerSequence(der);
  const oidEl = items?.[0];
  if (!items || !oidEl || oidEl.tag !== 0x06 || items.length > 2) return undefined;
  const oid = decodeOid(der.subarray(oidEl.start, oidEl.end));
  if (!oid) return undefined;
  const p = items[1];
  if (!p || (p.tag === 0x05 && p.end === p.start)) return { oid };
  return { oid, params: der.slice(p.offset, p.end) };
}

/** Hash of a certificate/CRL signature algorithm; null for EdDSA (no prehash). */
export const SIGNATURE_HASHES: Readonly<Record<string, HashName | null>> = {
  [OID.sha1WithRSA]: 'sha1',
  [OID.sha256WithRSA]: 'sha256',
  [OID.sha384WithRSA]: 'sha384',
  [OID.sha512WithRSA]: 'sha512',
  [OID.ecdsaWithSha1]: 'sha1',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
  [OID.ed25519]: null,
  [OID.ed448]: null,
};
