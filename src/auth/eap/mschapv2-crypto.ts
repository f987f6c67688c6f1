/**
 * The MS-CHAPv2 computations of RFC 2759 §8 (NT-Response, authenticator
 * response) and the MPPE master keys of RFC 3079 §3.4, from which the EAP MSK
 * is built. Checked against RFC 2759 §9.2 and RFC 3079 §3.5.3.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { des3CbcEncrypt } from '../../crypto/backend/des.js';
import { md4 } from './md4.js';

const sha1 = (...parts: Uint8Array[]) => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const ascii = (s: string) => new TextEncoder().encode(s);

/** RFC 2759 §8.7 and §8.2: the password is UTF-16LE ("Unicode") before hashing. */
export function utf16le(password: Uint8Array | string): Uint8Array {
  const text = typeof password === 'string' ? password : new TextDecoder().decode(password);
  return new Uint8Array(Buffer.from(text, 'utf16le'));
}

/** NtPasswordHash (RFC 2759 §8.3): MD4 of the UTF-16LE password. */
export function ntPasswordHash(password: Uint8Array | string): Uint8Array {
  const unicode = utf16le(password);
  const hash = md4(unicode);
  unicode.fill(0);
  return hash;
}

/** HashNtPasswordHash (§8.4). */
export const hashNtPasswordHash = (hash: Uint8Array) => md4(hash);

/** ChallengeHash (§8.2): first 8 octets of SHA1(PeerChallenge | AuthenticatorChallenge | UserName). */
export function challengeHash(
  peerChallenge: Uint8Array,
  authChallenge: Uint8Array,
  userName: string,
): Uint8Array {
  return sha1(peerChallenge, authChallenge, ascii(userName)).slice(0, 8);
}

/** A 7-octet key spread over 8 DES key octets (parity bits unused), §8.6. */
function desKey(seven: Uint8Array): Uint8Array {
  const k = new Uint8Array(8);
  let acc = 0n;
  for (const b of seven) acc = (acc << 8n) | BigInt(b);
  for (let i = 0; i < 8; i++) k[i] = Number((acc >> BigInt(49 - 7 * i)) & 0x7fn) << 1;
  return k;
}

/** DesEncrypt (§8.6): one DES block; 3DES with K1=K2=K3 is single DES. */
function desEncrypt(block: Uint8Array, seven: Uint8Array): Uint8Array {
  const k = desKey(seven);
  const triple = new Uint8Array(24);
  triple.set(k, 0);
  triple.set(k, 8);
  triple.set(k, 16);
  const out = des3CbcEncrypt(triple, new Uint8Array(8), block);
  triple.fill(0);
  k.fill(0);
  return out;
}

/** ChallengeResponse (§8.5): the 21-octet padded hash split into three DES keys. */
export function challengeResponse(challenge: Uint8Array, passwordHash: Uint8Array): Uint8Array {
  const z = new Uint8Array(21);
  z.set(passwordHash);
  const out = new Uint8Array(24);
  for (let i = 0; i < 3; i++) out.set(desEncrypt(challenge, z.subarray(7 * i, 7 * i + 7)), 8 * i);
  z.fill(0);
  return out;
}

/** GenerateNTResponse (§8.1). */
export function generateNtResponse(
  authChallenge: Uint8Array,
  peerChallenge: Uint8Array,
  userName: string,
  passwordHash: Uint8Array,
): Uint8Array {
  return challengeResponse(challengeHash(peerChallenge, authChallenge, userName), passwordHash);
}

const MAGIC1 = ascii('Magic server to client signing constant');
const MAGIC2 = ascii('Pad to make it do more than one iteration');

/** GenerateAuthenticatorResponse (§8.7): "S=" and 40 upper-case hex digits. */
export function authenticatorResponse(
  passwordHash: Uint8Array,
  ntResponse: Uint8Array,
  peerChallenge: Uint8Array,
  authChallenge: Uint8Array,
  userName: string,
): string {
  const hashHash = hashNtPasswordHash(passwordHash);
  const digest = sha1(hashHash, ntResponse, MAGIC1);
  const result = sha1(digest, challengeHash(peerChallenge, authChallenge, userName), MAGIC2);
  hashHash.fill(0);
  return `S=${Buffer.from(result).toString('hex').toUpperCase()}`;
}

/** Constant-time comparison of authenticator responses (text of equal format). */
export function sameAuthenticatorResponse(a: string, b: string): boolean {
  const x = Buffer.from(a.toUpperCase());
  const y = Buffer.from(b.toUpperCase());
  return x.length === y.length && timingSafeEqual(x, y);
}

const MASTER_MAGIC = ascii('This is the MPPE Master Key');
const SEND_MAGIC_CLIENT = ascii(
  'On the client side, this is the send key; on the server side, it is the receive key.',
);
const RECV_MAGIC_CLIENT = ascii(
  'On the client side, this is the receive key; on the server side, it is the send key.',
);
const SHS_PAD1 = new Uint8Array(40);
const SHS_PAD2 = new Uint8Array(40).fill(0xf2);

/** GetMasterKey (RFC 3079 §3.4). */
export function getMasterKey(passwordHashHash: Uint8Array, ntResponse: Uint8Array): Uint8Array {
  return sha1(passwordHashHash, ntResponse, MASTER_MAGIC).slice(0, 16);
}

/** GetAsymmetricStartKey (RFC 3079 §3.4), 16 octets (128-bit keys). */
export function getAsymmetricStartKey(
  masterKey: Uint8Array,
  isSend: boolean,
  isServer: boolean,
): Uint8Array {
  // Magic2 is the client's send key = the server's receive key; Magic3 the other direction.
  const magic = isSend === isServer ? RECV_MAGIC_CLIENT : SEND_MAGIC_CLIENT;
  return sha1(masterKey, SHS_PAD1, magic, SHS_PAD2).slice(0, 16);
}

/**
 * The EAP-MSCHAPv2 MSK: MasterReceiveKey | MasterSendKey as the server names
 * them (the client's send key first), then 32 zero octets to the 64 octets
 * RFC 3748 §7.10 requires, as strongSwan builds it.
 */
export function mschapv2Msk(passwordHash: Uint8Array, ntResponse: Uint8Array): Uint8Array {
  const hashHash = hashNtPasswordHash(passwordHash);
  const master = getMasterKey(hashHash, ntResponse);
  const msk = new Uint8Array(64);
  msk.set(getAsymmetricStartKey(master, false, true), 0);
  msk.set(getAsymmetricStartKey(master, true, true), 16);
  master.fill(0);
  hashHash.fill(0);
  return msk;
}
