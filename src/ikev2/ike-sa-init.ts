/**
 * IKE_SA_INIT (RFC 7296 §1.2): proposal and key exchange, nonces, NAT
 * detection (§2.23), cookies (§2.6), INVALID_KE_PAYLOAD retries (§1.2) and the
 * fragmentation announcement (RFC 7383 §2.3). Both roles.
 */

import { deriveIkeSaKeys, skeyseed } from '../crypto/kdf/index.js';
import { getEncr, getInteg, getKe, getPrf } from '../crypto/registry.js';
import type { KeyExchange } from '../crypto/types.js';
import {
  ExchangeType,
  encodeIkeMessage,
  type IkeMessage,
  type IkePayload,
  NotifyType,
  nameOf,
} from '../wire/ikev2/index.js';
import { certReqPayloads, notePeerAuthHints, signatureHashNotifies } from './auth-pubkey.js';
import type { IkeConnection } from './connection.js';
import type { EngineContext } from './context.js';
import type { CookieJar } from './cookies.js';
import { IkeSa } from './ike-sa.js';
import { detectNat, natDetectionHash } from './nat-detection.js';
import {
  findErrorNotify,
  findNotifies,
  findNotify,
  findPayload,
  notify,
  readU16,
  u16,
} from './payloads.js';
import type { Datagram, Endpoint } from './ports.js';
import { acceptChosenProposal, type Proposal, selectProposal } from './proposals.js';
import { proposalsFromWire, proposalsToWire, proposalToWire } from './wire-convert.js';

const ZERO_SPI = new Uint8Array(8);

function natNotifies(
  spiI: Uint8Array,
  spiR: Uint8Array,
  local: Endpoint,
  remote: Endpoint,
  forceEncap = false,
) {
  // nat_traversal: force (strongSwan's encap = yes): a source hash that cannot
  // match makes the peer see a NAT in front of us, so ESP goes into UDP.
  const source = forceEncap ? { address: '0.0.0.0', port: 0 } : local;
  return [
    notify(NotifyType.NAT_DETECTION_SOURCE_IP, natDetectionHash(spiI, spiR, source)),
    notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natDetectionHash(spiI, spiR, remote)),
  ];
}

function isAead(e: { id: number; keyLen?: number }): boolean {
  return getEncr(e.id, e.keyLen)?.aead === true;
}

function clearMessage(
  sa: { spiI: Uint8Array; spiR: Uint8Array },
  response: boolean,
  initiator: boolean,
  payloads: IkePayload[],
): Uint8Array {
  const msg: IkeMessage = {
    header: {
      initiatorSpi: sa.spiI,
      responderSpi: sa.spiR,
      majorVersion: 2,
      minorVersion: 0,
      exchangeType: ExchangeType.IKE_SA_INIT,
      flags: { initiator, higherVersion: false, response },
      messageId: 0,
    },
    payloads,
  };
  return encodeIkeMessage(msg);
}

// ------------------------------------------------------------------ initiator

/** Creates an initiator IKE_SA with a key exchange for the first configured group. */
export function createInitiatorSa(
  ctx: EngineContext,
  conn: IkeConnection,
  local: Endpoint,
  remote: Endpoint,
): IkeSa {
  const sa = new IkeSa('initiator', ctx.ports.random(8), local, remote);
  sa.conn = conn;
  sa.ni = ctx.ports.random(ctx.options.nonceLength);
  startKeyExchange(ctx, sa, conn.proposals[0]?.ke[0] ?? 0);
  return sa;
}

function startKeyExchange(ctx: EngineContext, sa: IkeSa, group: number): void {
  const method = getKe(group);
  if (!method) throw new Error(`key exchange method ${group} is not supported`);
  sa.keGroup = group;
  sa.ke = method.initiate(ctx.ports.random);
}

/** The IKE_SA_INIT request as bytes (also RealMessage1 for AUTH). */
export function buildInitRequest(sa: IkeSa): Uint8Array {
  const conn = sa.conn!;
  const payloads: IkePayload[] = [];
  if (sa.cookie) payloads.push(notify(NotifyType.COOKIE, sa.cookie));
  payloads.push(
    {
      kind: 'SA',
      proposals: proposalsToWire(orderForGroup(conn.proposals, sa.keGroup), new Uint8Array(0)),
    },
    { kind: 'KE', group: sa.keGroup, data: sa.ke!.publicValue },
    { kind: 'Nonce', nonce: sa.ni },
    ...natNotifies(sa.spiI, ZERO_SPI, sa.local, sa.remote, conn.forceEncap === true),
  );
  if (conn.fragmentation) payloads.push(notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
  payloads.push(...signatureHashNotifies([conn]));
  sa.initRequest = clearMessage(sa, false, true, payloads);
  return sa.initRequest;
}

/** Puts the group we send a KE for first in each proposal, as peers pick by KE. */
function orderForGroup(proposals: readonly Proposal[], group: number): Proposal[] {
  return proposals.map((p) =>
    p.ke.includes(group) ? { ...p, ke: [group, ...p.ke.filter((g) => g !== group)] } : p,
  );
}

export type InitResponseOutcome =
  | { readonly kind: 'resend' }
  /** A repeated answer to a request we have already replaced: drop it. */
  | { readonly kind: 'ignore' }
  | { readonly kind: 'established-keys' }
  | { readonly kind: 'failed'; readonly reason: string };

/** Handles the responder's IKE_SA_INIT answer. */
export function processInitResponse(
  ctx: EngineContext,
  sa: IkeSa,
  msg: IkeMessage,
  datagram: Datagram,
): InitResponseOutcome {
  const conn = sa.conn!;
  const p = msg.payloads;
  const cookie = findNotify(p, NotifyType.COOKIE);
  if (cookie) {
    // A duplicate of the answer we already followed (RFC 7296 §2.1: datagrams repeat).
    if (sa.cookie && sameBytes(sa.cookie, cookie.data)) return { kind: 'ignore' };
    if (sa.cookie) return { kind: 'failed', reason: 'responder asked for a cookie twice' };
    sa.cookie = cookie.data;
    return { kind: 'resend' };
  }
  const invalidKe = findNotify(p, NotifyType.INVALID_KE_PAYLOAD);
  if (invalidKe) {
    const group = readU16(invalidKe.data);
    const offered = conn.proposals.some((pr) => group !== undefined && pr.ke.includes(group));
    // Already retrying with that group: this is a repeated answer to the earlier request.
    if (group !== undefined && group === sa.keGroup && sa.keRetried) return { kind: 'ignore' };
    if (group === undefined || !offered || group === sa.keGroup) {
      return { kind: 'failed', reason: `peer asked for key exchange method ${group}, not offered` };
    }
    ctx.ports.logger.log('info', sa.label, `peer asked for key exchange method ${group}, retrying`);
    startKeyExchange(ctx, sa, group);
    sa.keRetried = true;
    return { kind: 'resend' };
  }
  const error = findErrorNotify(p);
  if (error) return { kind: 'failed', reason: `peer answered ${notifyName(error.notifyType)}` };

  const saPayload = findPayload(p, 'SA');
  const ke = findPayload(p, 'KE');
  const nonce = findPayload(p, 'Nonce');
  if (!saPayload || !ke || !nonce)
    return { kind: 'failed', reason: 'IKE_SA_INIT response lacks SA, KE or Nr' };
  const reply = proposalsFromWire(saPayload.proposals);
  const chosen =
    reply.length === 1
      ? acceptChosenProposal(
          orderForGroup(conn.proposals, sa.keGroup).map((x, i) => ({ ...x, num: i + 1 })),
          reply[0]!,
          { isAead },
        )
      : null;
  if (!chosen) return { kind: 'failed', reason: 'response chose a proposal we did not offer' };
  if (chosen.ke !== sa.keGroup || ke.group !== sa.keGroup) {
    return { kind: 'failed', reason: 'response key exchange method does not match ours' };
  }
  sa.spiR = msg.header.responderSpi;
  sa.nr = nonce.nonce;
  sa.chosen = chosen;
  sa.initResponse = datagram.data;
  sa.fragmentation =
    conn.fragmentation && !!findNotify(p, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED);
  sa.peerMultipleAuth = !!findNotify(p, NotifyType.MULTIPLE_AUTH_SUPPORTED);
  if (conn.children.length === 0 && !findNotify(p, NotifyType.CHILDLESS_IKEV2_SUPPORTED)) {
    // RFC 6023 §3: an IKE_AUTH without a CHILD_SA needs the responder's consent.
    return {
      kind: 'failed',
      reason: 'peer does not support IKE_SAs without a CHILD_SA (RFC 6023)',
    };
  }
  applyNat(sa, sa.spiR, p);
  notePeerAuthHints(ctx, sa, p);
  const err = deriveKeys(sa, sa.ke!, ke.data);
  if (err) return { kind: 'failed', reason: err };
  return { kind: 'established-keys' };
}

/** `spiR` as the message carried it: zero in the request (RFC 7296 §2.23). */
function applyNat(sa: IkeSa, spiR: Uint8Array, p: readonly IkePayload[]): void {
  const src = findNotifies(p, NotifyType.NAT_DETECTION_SOURCE_IP).map((n) => n.data);
  const dst = findNotify(p, NotifyType.NAT_DETECTION_DESTINATION_IP)?.data;
  const nat = detectNat(sa.spiI, spiR, sa.local, sa.remote, src, dst);
  const forced = sa.conn?.forceEncap === true || sa.candidates.some((c) => c.forceEncap === true);
  sa.natLocal = nat.local || forced;
  sa.natRemote = nat.remote;
}

/** SKEYSEED and the seven keys (RFC 7296 §2.14); returns an error text or undefined. */
function deriveKeys(sa: IkeSa, ke: KeyExchange, peerValue: Uint8Array): string | undefined {
  const chosen = sa.chosen!;
  const prf = chosen.prf !== undefined ? getPrf(chosen.prf) : undefined;
  const encr = chosen.encr ? getEncr(chosen.encr.id, chosen.encr.keyLen) : undefined;
  const integ = chosen.integ !== undefined ? getInteg(chosen.integ) : undefined;
  if (!prf || !encr || (!encr.aead && !integ)) return 'negotiated algorithms are not supported';
  let shared: Uint8Array;
  try {
    shared = ke.computeSharedSecret(peerValue);
  } catch {
    return 'peer key exchange value is invalid';
  }
  const seed = skeyseed(prf, sa.ni, sa.nr, shared);
  shared.fill(0);
  sa.keys = deriveIkeSaKeys(prf, seed, sa.ni, sa.nr, sa.spiI, sa.spiR, {
    integKeyLen: encr.aead ? 0 : integ!.keyLen,
    encrKeyLen: encr.keyLen + encr.saltLen,
  });
  seed.fill(0);
  sa.prf = prf;
  sa.suite = encr.aead ? { encr } : { encr, integ: integ! };
  return undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function notifyName(type: number): string {
  return nameOf(NotifyType, type);
}

// ------------------------------------------------------------------ responder

export interface ResponderServices {
  candidatesFor(local: Endpoint, remote: Endpoint): IkeConnection[];
  readonly cookies: CookieJar;
  halfOpenCount(): number;
}

export type InitRequestOutcome =
  | { readonly kind: 'answered'; readonly sa: IkeSa }
  | { readonly kind: 'refused'; readonly reason: string };

/** Handles a first IKE_SA_INIT request: answers it and returns the new SA, or refuses. */
export function processInitRequest(
  ctx: EngineContext,
  svc: ResponderServices,
  msg: IkeMessage,
  d: Datagram,
): InitRequestOutcome {
  const p = msg.payloads;
  const spiI = msg.header.initiatorSpi;
  const sendClear = (payloads: IkePayload[]) =>
    ctx.ports.network.send(
      clearMessage({ spiI, spiR: ZERO_SPI }, true, false, payloads),
      d.local,
      d.remote,
    );
  const saPayload = findPayload(p, 'SA');
  const ke = findPayload(p, 'KE');
  const nonce = findPayload(p, 'Nonce');
  if (!saPayload || !ke || !nonce) {
    sendClear([notify(NotifyType.INVALID_SYNTAX)]);
    return { kind: 'refused', reason: 'IKE_SA_INIT request lacks SA, KE or Ni' };
  }
  // RFC 7296 §2.6: check the cookie before any key exchange work.
  if (svc.halfOpenCount() >= ctx.options.cookieThreshold) {
    const cookie = findNotify(p, NotifyType.COOKIE);
    if (!cookie || !svc.cookies.verify(cookie.data, nonce.nonce, d.remote.address, spiI)) {
      sendClear([notify(NotifyType.COOKIE, svc.cookies.make(nonce.nonce, d.remote.address, spiI))]);
      return { kind: 'refused', reason: 'asked for a cookie' };
    }
  }
  const candidates = svc.candidatesFor(d.local, d.remote);
  if (candidates.length === 0) {
    sendClear([notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
    return {
      kind: 'refused',
      reason: `no connection for ${d.remote.address} to ${d.local.address}`,
    };
  }
  const configured = candidates.flatMap((c) => c.proposals);
  const chosen = selectProposal(configured, proposalsFromWire(saPayload.proposals), { isAead });
  if (!chosen) {
    sendClear([notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
    return { kind: 'refused', reason: 'no acceptable proposal' };
  }
  if (chosen.ke === undefined || !getKe(chosen.ke)) {
    sendClear([notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
    return { kind: 'refused', reason: 'no supported key exchange method' };
  }
  if (ke.group !== chosen.ke) {
    // RFC 7296 §1.2: tell the initiator which group we want.
    sendClear([notify(NotifyType.INVALID_KE_PAYLOAD, u16(chosen.ke))]);
    return {
      kind: 'refused',
      reason: `asked for key exchange method ${chosen.ke} instead of ${ke.group}`,
    };
  }
  const sa = new IkeSa('responder', spiI, d.local, d.remote);
  sa.requestsHeld = true;
  sa.candidates = candidates;
  sa.conn = candidates[0];
  sa.spiR = ctx.ports.random(8);
  sa.ni = nonce.nonce;
  sa.nr = ctx.ports.random(ctx.options.nonceLength);
  sa.chosen = chosen;
  sa.keGroup = chosen.ke;
  let exchange: KeyExchange;
  try {
    exchange = getKe(chosen.ke)!.respond(ctx.ports.random, ke.data);
  } catch {
    sendClear([notify(NotifyType.INVALID_SYNTAX)]);
    return { kind: 'refused', reason: 'invalid key exchange value' };
  }
  applyNat(sa, ZERO_SPI, p);
  const err = deriveKeys(sa, exchange, ke.data);
  if (err) {
    sendClear([notify(NotifyType.NO_PROPOSAL_CHOSEN)]);
    return { kind: 'refused', reason: err };
  }
  const fragOffered = !!findNotify(p, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED);
  sa.fragmentation = fragOffered && candidates.some((c) => c.fragmentation);
  const payloads: IkePayload[] = [
    {
      kind: 'SA',
      proposals: [proposalToWire(chosenAsProposal(chosen), chosen.num, new Uint8Array(0))],
    },
    { kind: 'KE', group: chosen.ke, data: exchange.publicValue },
    { kind: 'Nonce', nonce: sa.nr },
    // RFC 7296 §1.2: HDR, SAr1, KEr, Nr, [CERTREQ].
    ...certReqPayloads(candidates),
    ...natNotifies(
      sa.spiI,
      sa.spiR,
      d.local,
      d.remote,
      candidates.some((c) => c.forceEncap === true),
    ),
  ];
  if (sa.fragmentation) payloads.push(notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
  notePeerAuthHints(ctx, sa, p);
  payloads.push(...signatureHashNotifies(candidates));
  // RFC 6023 §3: we accept IKE_AUTH without a CHILD_SA.
  payloads.push(notify(NotifyType.CHILDLESS_IKEV2_SUPPORTED));
  // RFC 4739 §3.1: an initiator may authenticate in several rounds.
  payloads.push(notify(NotifyType.MULTIPLE_AUTH_SUPPORTED));
  sa.initRequest = d.data;
  sa.initResponse = clearMessage(sa, true, false, payloads);
  sa.lastResponse = { messageId: 0, packets: [sa.initResponse] };
  sa.expectedPeerRequestId = 1;
  ctx.ports.network.send(sa.initResponse, d.local, d.remote);
  return { kind: 'answered', sa };
}

/** The chosen transforms as a one-alternative-per-type proposal. */
export function chosenAsProposal(c: {
  protocol: Proposal['protocol'];
  encr?: { id: number; keyLen?: number };
  prf?: number;
  integ?: number;
  ke?: number;
  esn?: number;
}): Proposal {
  return {
    protocol: c.protocol,
    encr: c.encr ? [c.encr] : [],
    prf: c.prf !== undefined ? [c.prf] : [],
    integ: c.integ !== undefined ? [c.integ] : [],
    ke: c.ke !== undefined ? [c.ke] : [],
    esn: c.esn !== undefined ? [c.esn] : [],
  };
}
