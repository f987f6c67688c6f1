/**
 * Protected message transport for one IKE_SA: sealing requests and responses
 * into SK or, when too large and negotiated, SKF fragments (RFC 7383);
 * retransmitting requests (RFC 7296 §2.1); and opening what arrives, including
 * fragment reassembly with bounded memory (RFC 7383 §2.6).
 */

import { WireError } from '../wire/errors.js';
import {
  decodePayloadChain,
  encodePayloadChain,
  type IkeHeader,
  type IkeMessage,
  type IkePayload,
  payloadTypeOf,
} from '../wire/ikev2/index.js';
import type { EngineContext } from './context.js';
import type { IkeSa } from './ike-sa.js';
import { retransmitDelay } from './retransmit.js';
import { innerCapacity, openSkMessage, sealSkMessage } from './sk-message.js';

function headerFor(
  sa: IkeSa,
  exchangeType: number,
  messageId: number,
  response: boolean,
): IkeHeader {
  return {
    initiatorSpi: sa.spiI,
    responderSpi: sa.spiR,
    majorVersion: 2,
    minorVersion: 0,
    exchangeType,
    flags: { initiator: sa.role === 'initiator', higherVersion: false, response },
    messageId,
  };
}

/** Seals payloads into one SK datagram, or into SKF fragments when it would not fit. */
export function sealPayloads(
  ctx: EngineContext,
  sa: IkeSa,
  exchangeType: number,
  messageId: number,
  response: boolean,
  payloads: readonly IkePayload[],
): Uint8Array[] {
  const suite = sa.suite!;
  const header = headerFor(sa, exchangeType, messageId, response);
  const inner = encodePayloadChain(payloads);
  const firstInnerType = payloads[0] ? payloadTypeOf(payloads[0]) : 0;
  const whole = sealSkMessage(suite, sa.outKeys, ctx.ports.random, {
    header,
    firstInnerType,
    inner,
  });
  // fragmentSize bounds the whole IP datagram, as strongSwan's fragment_size
  // (RFC 7383 §2.5.1): take off the IP and UDP headers and the non-ESP marker.
  const ipHeader = sa.remote.address.includes(':') ? 40 : 20;
  const marker = sa.remote.port === ctx.options.nattPort ? 4 : 0;
  const limit = (sa.conn?.fragmentSize ?? 1280) - ipHeader - 8 - marker;
  if (!sa.fragmentation || whole.length <= limit) return [whole];
  const chunk = innerCapacity(suite, limit, true);
  const total = Math.ceil(inner.length / chunk);
  const out: Uint8Array[] = [];
  for (let i = 0; i < total; i++) {
    out.push(
      sealSkMessage(suite, sa.outKeys, ctx.ports.random, {
        header,
        // RFC 7383 §2.5: only the first fragment names the first inner payload.
        firstInnerType: i === 0 ? firstInnerType : 0,
        inner: inner.subarray(i * chunk, (i + 1) * chunk),
        fragment: { number: i + 1, total },
      }),
    );
  }
  return out;
}

/** Sends datagrams to the SA's peer from the SA's local endpoint. */
export function sendPackets(ctx: EngineContext, sa: IkeSa, packets: readonly Uint8Array[]): void {
  for (const p of packets) ctx.ports.network.send(p, sa.local, sa.remote);
}

/**
 * Sends a request and arms its retransmission; `onGiveUp` runs when the
 * last retransmission went unanswered.
 */
export function transmitRequest(
  ctx: EngineContext,
  sa: IkeSa,
  exchangeType: number,
  packets: Uint8Array[],
  onGiveUp: () => void,
): void {
  const messageId = sa.nextRequestId;
  sa.outstanding = { messageId, exchangeType, packets, attempt: 0 };
  sendPackets(ctx, sa, packets);
  const arm = () => {
    const out = sa.outstanding;
    if (!out || out.messageId !== messageId) return;
    out.timer = ctx.ports.clock.setTimer(
      retransmitDelay(ctx.options.retransmit, out.attempt),
      () => {
        if (sa.outstanding !== out) return;
        if (out.attempt >= ctx.options.retransmit.tries) {
          onGiveUp();
          return;
        }
        out.attempt++;
        ctx.ports.logger.log(
          'debug',
          sa.label,
          `retransmit ${out.attempt} of request ${messageId}`,
        );
        sendPackets(ctx, sa, out.packets);
        arm();
      },
    );
  };
  arm();
}

/** Sends a response and caches it for retransmitted requests (RFC 7296 §2.1). */
export function sendResponse(
  ctx: EngineContext,
  sa: IkeSa,
  exchangeType: number,
  messageId: number,
  payloads: readonly IkePayload[],
): void {
  const packets = sealPayloads(ctx, sa, exchangeType, messageId, true, payloads);
  sa.lastResponse = { messageId, packets };
  sa.expectedPeerRequestId = messageId + 1;
  sendPackets(ctx, sa, packets);
}

export type OpenResult =
  | { readonly kind: 'complete'; readonly payloads: IkePayload[] }
  | { readonly kind: 'partial' };

/**
 * Opens a protected message. SK: verify, decrypt, decode the inner chain.
 * SKF: verify and decrypt this fragment, keep it, and decode once all have
 * arrived. Throws WireError for anything that fails; the caller drops and counts.
 */
export function openProtected(
  ctx: EngineContext,
  sa: IkeSa,
  datagram: Uint8Array,
  msg: IkeMessage,
): OpenResult {
  const last = msg.payloads[msg.payloads.length - 1];
  if (!last || (last.kind !== 'SK' && last.kind !== 'SKF')) {
    throw new WireError('NOT_ALLOWED_IN_CLEAR', 'message is not protected', 28);
  }
  const plain = openSkMessage(sa.suite!, sa.inKeys, datagram, last.body.length);
  const exchangeType = msg.header.exchangeType;
  if (last.kind === 'SK') {
    return {
      kind: 'complete',
      payloads: decodePayloadChain(plain, last.firstInnerType, 0, 'inner', exchangeType),
    };
  }
  return addFragment(ctx, sa, msg.header.messageId, last, plain);
}

function addFragment(
  ctx: EngineContext,
  sa: IkeSa,
  messageId: number,
  frag: { fragmentNumber: number; totalFragments: number; firstInnerType: number },
  plain: Uint8Array,
): OpenResult {
  const { maxFragments, maxReassemblyBytes } = ctx.options;
  if (frag.totalFragments > maxFragments || frag.fragmentNumber > frag.totalFragments) {
    throw new WireError('TOO_LARGE', `fragment ${frag.fragmentNumber}/${frag.totalFragments}`, 28);
  }
  let buf = sa.fragments;
  // RFC 7383 §2.6.2: a different total or message discards what was collected.
  if (!buf || buf.messageId !== messageId || buf.total !== frag.totalFragments) {
    buf = { messageId, total: frag.totalFragments, firstInnerType: 0, parts: new Map(), bytes: 0 };
    sa.fragments = buf;
  }
  if (buf.parts.has(frag.fragmentNumber)) return { kind: 'partial' };
  if (buf.bytes + plain.length > maxReassemblyBytes) {
    sa.fragments = undefined;
    throw new WireError('TOO_LARGE', 'reassembled message too large', 28);
  }
  buf.parts.set(frag.fragmentNumber, plain.slice());
  buf.bytes += plain.length;
  if (frag.fragmentNumber === 1) buf.firstInnerType = frag.firstInnerType;
  if (buf.parts.size < buf.total) return { kind: 'partial' };
  const whole = new Uint8Array(buf.bytes);
  let off = 0;
  for (let i = 1; i <= buf.total; i++) {
    const part = buf.parts.get(i)!;
    whole.set(part, off);
    off += part.length;
  }
  sa.fragments = undefined;
  return { kind: 'complete', payloads: decodePayloadChain(whole, buf.firstInnerType, 0, 'inner') };
}
