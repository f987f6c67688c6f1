/**
 * The SIGNATURE_HASH_ALGORITHMS notify (RFC 7427 §4): a list of 2-octet hash
 * algorithm numbers sent in IKE_SA_INIT by each side that supports Digital
 * Signature authentication (method 14).
 */
import { HashAlgorithm } from '../wire/ikev2/constants.js';

/** What we announce: SHA-2 (RFC 8247 §3.2 MUST/SHOULD) and Identity for EdDSA (RFC 8420 §2). */
export const SUPPORTED_SIGNATURE_HASHES: readonly number[] = [
  HashAlgorithm.SHA2_256,
  HashAlgorithm.SHA2_384,
  HashAlgorithm.SHA2_512,
  HashAlgorithm.IDENTITY,
];

export function encodeSignatureHashAlgorithms(
  hashes: readonly number[] = SUPPORTED_SIGNATURE_HASHES,
): Uint8Array {
  const out = new Uint8Array(hashes.length * 2);
  hashes.forEach((h, i) => {
    out[2 * i] = h >> 8;
    out[2 * i + 1] = h & 0xff;
  });
  return out;
}

/**
 * The peer's list. An odd length is malformed (an error for the log); unknown
 * values are kept, since they only matter if we also know them.
 */
export function decodeSignatureHashAlgorithms(data: Uint8Array): number[] | { error: string } {
  if (data.length % 2 !== 0)
    return { error: `SIGNATURE_HASH_ALGORITHMS data has odd length ${data.length}` };
  const out: number[] = [];
  for (let i = 0; i < data.length; i += 2) out.push((data[i]! << 8) | data[i + 1]!);
  return out;
}

/** The hashes both sides support, in our order (what a Digital Signature may use). */
export function negotiateSignatureHashes(
  peer: readonly number[],
  ours: readonly number[] = SUPPORTED_SIGNATURE_HASHES,
): number[] {
  return ours.filter((h) => peer.includes(h));
}
