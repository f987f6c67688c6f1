/**
 * EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2-02 framing of RFC 2759):
 * OpCode, MS-CHAPv2-ID, MS-Length, then the opcode's data. The server sends
 * Challenge, the peer Response; the server answers Success (with its
 * authenticator response "S=...") or Failure ("E=691 ..."), the peer
 * acknowledges with the same opcode, and the EAP Success/Failure follows.
 * The MSK is built per RFC 3079 (see mschapv2-crypto.ts). No retries
 * (R=0), no password change.
 */
import { timingSafeEqual } from 'node:crypto';
import type {
  EapPeerMethod,
  EapServerMethod,
  EapStep,
  Password,
  PasswordLookup,
  RandomBytes,
} from './method.js';
import { passwordBytes } from './method.js';
import {
  authenticatorResponse,
  generateNtResponse,
  mschapv2Msk,
  ntPasswordHash,
  sameAuthenticatorResponse,
} from './mschapv2-crypto.js';
import { type EapPacket, EapType, request, response } from './packet.js';

export const MsChapV2OpCode = {
  CHALLENGE: 1,
  RESPONSE: 2,
  SUCCESS: 3,
  FAILURE: 4,
  CHANGE_PASSWORD: 7,
} as const;

const CHALLENGE_LENGTH = 16;
const RESPONSE_LENGTH = 49;
/** RFC 2759 §6: ERROR_AUTHENTICATION_FAILURE. */
const ERROR_AUTHENTICATION_FAILURE = 691;
export const MSCHAPV2_SERVER_NAME = 'styx';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function packet(opCode: number, msChapId: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = opCode;
  out[1] = msChapId;
  // MS-Length: the MS-CHAPv2 packet from OpCode on, i.e. the EAP Length minus 5.
  out[2] = out.length >> 8;
  out[3] = out.length & 0xff;
  out.set(body, 4);
  return out;
}

interface Parsed {
  readonly opCode: number;
  readonly msChapId: number;
  readonly body: Uint8Array;
}

function parse(data: Uint8Array): Parsed | undefined {
  if (data.length === 1) return { opCode: data[0]!, msChapId: 0, body: new Uint8Array() }; // short ack
  if (data.length < 4) return undefined;
  const msLength = (data[2]! << 8) | data[3]!;
  // Some peers set MS-Length loosely; never read past what was received.
  const end = Math.min(data.length, Math.max(4, msLength));
  return { opCode: data[0]!, msChapId: data[1]!, body: data.subarray(4, end) };
}

/** RFC 2759 §4: the user name without a "DOMAIN\" prefix goes into ChallengeHash. */
export function mschapUserName(identity: string): string {
  const slash = identity.indexOf('\\');
  return slash >= 0 ? identity.slice(slash + 1) : identity;
}

/** "S=<hex> M=<text>" or "E=691 R=0 C=<hex> V=3 M=<text>" fields. */
function messageFields(body: Uint8Array): Map<string, string> {
  const fields = new Map<string, string>();
  const s = text(body);
  const mAt = s.indexOf('M=');
  const head = mAt >= 0 ? s.slice(0, mAt) : s;
  if (mAt >= 0) fields.set('M', s.slice(mAt + 2));
  for (const token of head.split(' ')) {
    const eq = token.indexOf('=');
    if (eq > 0) fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  return fields;
}

type ServerState = 'challenge-sent' | 'success-sent' | 'failure-sent';

export class MsChapV2Server implements EapServerMethod {
  readonly eapType = EapType.MSCHAPV2;
  #state: ServerState = 'challenge-sent';
  #challenge: Uint8Array = new Uint8Array();
  #msChapId = 0;
  #msk?: Uint8Array;
  #failure = '';

  constructor(
    private readonly identity: string,
    private readonly lookup: PasswordLookup,
    private readonly random: RandomBytes,
  ) {}

  get pendingFailure(): string | undefined {
    return this.#state === 'failure-sent' ? this.#failure : undefined;
  }

  start(identifier: number): EapPacket {
    this.#challenge = this.random(CHALLENGE_LENGTH);
    this.#msChapId = identifier;
    const name = utf8(MSCHAPV2_SERVER_NAME);
    const body = new Uint8Array(1 + CHALLENGE_LENGTH + name.length);
    body[0] = CHALLENGE_LENGTH;
    body.set(this.#challenge, 1);
    body.set(name, 1 + CHALLENGE_LENGTH);
    return request(
      identifier,
      this.eapType,
      packet(MsChapV2OpCode.CHALLENGE, this.#msChapId, body),
    );
  }

  process(p: EapPacket, nextIdentifier: number): EapStep {
    const parsed = parse(p.data);
    if (!parsed) return { done: { success: false, reason: 'malformed EAP-MSCHAPv2 packet' } };
    switch (this.#state) {
      case 'challenge-sent':
        if (parsed.opCode !== MsChapV2OpCode.RESPONSE)
          return {
            done: {
              success: false,
              reason: `EAP-MSCHAPv2 OpCode ${parsed.opCode} where a Response was expected`,
            },
          };
        return this.#checkResponse(parsed, nextIdentifier);
      case 'success-sent':
        if (parsed.opCode !== MsChapV2OpCode.SUCCESS)
          return {
            done: { success: false, reason: 'EAP-MSCHAPv2 peer did not acknowledge Success' },
          };
        return { done: { success: true, ...(this.#msk && { msk: this.#msk }) } };
      case 'failure-sent':
        return { done: { success: false, reason: this.#failure } };
    }
  }

  #checkResponse(parsed: Parsed, nextIdentifier: number): EapStep {
    const body = parsed.body;
    if (body[0] !== RESPONSE_LENGTH || body.length < 1 + RESPONSE_LENGTH)
      return { done: { success: false, reason: 'malformed EAP-MSCHAPv2 Response' } };
    const peerChallenge = body.subarray(1, 17);
    const ntResponse = body.subarray(25, 49);
    const name = text(body.subarray(1 + RESPONSE_LENGTH));
    const password = this.lookup(this.identity);
    if (password === undefined)
      return this.#fail(`no EAP password for "${this.identity}"`, nextIdentifier);
    const pw = passwordBytes(password);
    const hash = ntPasswordHash(pw);
    pw.fill(0);
    const userName = mschapUserName(name || this.identity);
    const expected = generateNtResponse(this.#challenge, peerChallenge, userName, hash);
    if (!timingSafeEqual(expected, ntResponse)) {
      hash.fill(0);
      return this.#fail(
        `EAP-MSCHAPv2 NT-Response of "${this.identity}" is wrong (wrong password?)`,
        nextIdentifier,
      );
    }
    const auth = authenticatorResponse(hash, ntResponse, peerChallenge, this.#challenge, userName);
    this.#msk = mschapv2Msk(hash, ntResponse);
    hash.fill(0);
    this.#state = 'success-sent';
    const message = utf8(`${auth} M=Welcome to Styx`);
    return {
      send: request(
        nextIdentifier,
        this.eapType,
        packet(MsChapV2OpCode.SUCCESS, this.#msChapId, message),
      ),
    };
  }

  #fail(reason: string, nextIdentifier: number): EapStep {
    this.#failure = reason;
    this.#state = 'failure-sent';
    const hex = Buffer.from(this.#challenge).toString('hex').toUpperCase();
    const message = utf8(
      `E=${ERROR_AUTHENTICATION_FAILURE} R=0 C=${hex} V=3 M=Authentication failed`,
    );
    return {
      send: request(
        nextIdentifier,
        this.eapType,
        packet(MsChapV2OpCode.FAILURE, this.#msChapId, message),
      ),
    };
  }
}

export class MsChapV2Peer implements EapPeerMethod {
  readonly eapType = EapType.MSCHAPV2;
  #expectedAuth?: string;
  #msk?: Uint8Array;
  #verified = false;

  constructor(
    /** The EAP identity (may be "DOMAIN\user"). */
    private readonly identity: string,
    private readonly password: Password,
    private readonly random: RandomBytes,
  ) {}

  process(p: EapPacket): EapStep {
    const parsed = parse(p.data);
    if (!parsed) return { done: { success: false, reason: 'malformed EAP-MSCHAPv2 packet' } };
    switch (parsed.opCode) {
      case MsChapV2OpCode.CHALLENGE:
        return this.#answerChallenge(p.identifier, parsed);
      case MsChapV2OpCode.SUCCESS: {
        const s = messageFields(parsed.body).get('S');
        if (!this.#expectedAuth || !s || !sameAuthenticatorResponse(`S=${s}`, this.#expectedAuth))
          return {
            done: {
              success: false,
              reason: 'EAP-MSCHAPv2 server authenticator response does not verify',
            },
          };
        this.#verified = true;
        return {
          send: response(p.identifier, this.eapType, Uint8Array.of(MsChapV2OpCode.SUCCESS)),
        };
      }
      case MsChapV2OpCode.FAILURE: {
        const f = messageFields(parsed.body);
        const reason =
          `EAP-MSCHAPv2 failed with error ${f.get('E') ?? '?'}: ${f.get('M') ?? ''}`.trim();
        return {
          send: response(p.identifier, this.eapType, Uint8Array.of(MsChapV2OpCode.FAILURE)),
          done: { success: false, reason },
        };
      }
      default:
        return {
          done: { success: false, reason: `EAP-MSCHAPv2 OpCode ${parsed.opCode} is not supported` },
        };
    }
  }

  #answerChallenge(identifier: number, parsed: Parsed): EapStep {
    const body = parsed.body;
    if (body[0] !== CHALLENGE_LENGTH || body.length < 1 + CHALLENGE_LENGTH)
      return { done: { success: false, reason: 'malformed EAP-MSCHAPv2 Challenge' } };
    const authChallenge = body.slice(1, 17);
    const peerChallenge = this.random(CHALLENGE_LENGTH);
    const userName = mschapUserName(this.identity);
    const pw = passwordBytes(this.password);
    const hash = ntPasswordHash(pw);
    pw.fill(0);
    const nt = generateNtResponse(authChallenge, peerChallenge, userName, hash);
    this.#expectedAuth = authenticatorResponse(hash, nt, peerChallenge, authChallenge, userName);
    this.#msk = mschapv2Msk(hash, nt);
    hash.fill(0);
    const name = utf8(this.identity);
    const out = new Uint8Array(1 + RESPONSE_LENGTH + name.length);
    out[0] = RESPONSE_LENGTH;
    out.set(peerChallenge, 1);
    out.set(nt, 25); // after 16 octets of peer challenge and 8 reserved zero octets; Flags stay 0
    out.set(name, 1 + RESPONSE_LENGTH);
    return {
      send: response(
        identifier,
        this.eapType,
        packet(MsChapV2OpCode.RESPONSE, parsed.msChapId, out),
      ),
    };
  }

  result() {
    if (!this.#verified || !this.#msk)
      return {
        success: false,
        reason: 'EAP-Success before the EAP-MSCHAPv2 server proved it knows the password',
      };
    return { success: true, msk: this.#msk };
  }
}
