/**
 * EAP-MD5 Challenge (RFC 3748 §5.4, with the CHAP computation of RFC 1994
 * §4.1): Response Value = MD5(Identifier || secret || Challenge). It derives
 * no MSK, so IKEv2 computes AUTH with SK_pi/SK_pr instead (RFC 7296 §2.16).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  EapPeerMethod,
  EapServerMethod,
  EapStep,
  Password,
  PasswordLookup,
  RandomBytes,
} from './method.js';
import { passwordBytes } from './method.js';
import { type EapPacket, EapType, request, response } from './packet.js';

const CHALLENGE_LENGTH = 16;
const MD5_LENGTH = 16;

function md5Response(identifier: number, secret: Uint8Array, challenge: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHash('md5').update(Uint8Array.of(identifier)).update(secret).update(challenge).digest(),
  );
}

/** Value-Size, Value, Name (RFC 3748 §5.4). */
function encodeValue(value: Uint8Array, name: Uint8Array = new Uint8Array()): Uint8Array {
  const out = new Uint8Array(1 + value.length + name.length);
  out[0] = value.length;
  out.set(value, 1);
  out.set(name, 1 + value.length);
  return out;
}

function decodeValue(data: Uint8Array): Uint8Array | undefined {
  const size = data[0];
  if (size === undefined || size === 0 || 1 + size > data.length) return undefined;
  return data.subarray(1, 1 + size);
}

export class Md5Server implements EapServerMethod {
  readonly eapType = EapType.MD5_CHALLENGE;
  #challenge: Uint8Array = new Uint8Array();
  #identifier = -1;

  constructor(
    private readonly identity: string,
    private readonly lookup: PasswordLookup,
    private readonly random: RandomBytes,
  ) {}

  start(identifier: number): EapPacket {
    this.#challenge = this.random(CHALLENGE_LENGTH);
    this.#identifier = identifier;
    return request(identifier, this.eapType, encodeValue(this.#challenge));
  }

  process(packet: EapPacket): EapStep {
    const value = decodeValue(packet.data);
    if (!value || value.length !== MD5_LENGTH)
      return { done: { success: false, reason: 'malformed EAP-MD5 response' } };
    const password = this.lookup(this.identity);
    if (password === undefined)
      return { done: { success: false, reason: `no EAP password for "${this.identity}"` } };
    const secret = passwordBytes(password);
    const expected = md5Response(this.#identifier, secret, this.#challenge);
    secret.fill(0);
    if (!timingSafeEqual(expected, value))
      return {
        done: {
          success: false,
          reason: `EAP-MD5 response of "${this.identity}" is wrong (wrong password?)`,
        },
      };
    return { done: { success: true } };
  }
}

export class Md5Peer implements EapPeerMethod {
  readonly eapType = EapType.MD5_CHALLENGE;
  #answered = false;

  constructor(private readonly password: Password) {}

  process(packet: EapPacket): EapStep {
    const challenge = decodeValue(packet.data);
    if (!challenge) return { done: { success: false, reason: 'malformed EAP-MD5 challenge' } };
    const secret = passwordBytes(this.password);
    const value = md5Response(packet.identifier, secret, challenge);
    secret.fill(0);
    this.#answered = true;
    return { send: response(packet.identifier, this.eapType, encodeValue(value)) };
  }

  result() {
    return this.#answered
      ? { success: true }
      : { success: false, reason: 'EAP-Success before the EAP-MD5 challenge' };
  }
}
