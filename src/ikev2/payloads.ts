/** Small helpers to build and find payloads in a decoded chain. */

import type { IkePayload, NotifyPayload, PayloadKind } from '../wire/ikev2/index.js';

/** The payload type whose `kind` may be K (TSi/TSr and IDi/IDr share one interface). */
type PayloadOf<K extends PayloadKind> = Distribute<IkePayload, K>;
type Distribute<P, K> = P extends { kind: infer PK } ? (K extends PK ? P : never) : never;

export function notify(notifyType: number, data: Uint8Array = new Uint8Array(0)): NotifyPayload {
  return { kind: 'N', protocolId: 0, spi: new Uint8Array(0), notifyType, data };
}

export function findPayload<K extends PayloadKind>(
  payloads: readonly IkePayload[],
  kind: K,
): PayloadOf<K> | undefined {
  return payloads.find((p): p is PayloadOf<K> => p.kind === kind);
}

export function findNotify(
  payloads: readonly IkePayload[],
  type: number,
): NotifyPayload | undefined {
  return payloads.find((p): p is NotifyPayload => p.kind === 'N' && p.notifyType === type);
}

export function findNotifies(payloads: readonly IkePayload[], type: number): NotifyPayload[] {
  return payloads.filter((p): p is NotifyPayload => p.kind === 'N' && p.notifyType === type);
}

/** The first error notify (types below 16384, RFC 7296 §3.10.1), if any. */
export function findErrorNotify(payloads: readonly IkePayload[]): NotifyPayload | undefined {
  return payloads.find((p): p is NotifyPayload => p.kind === 'N' && p.notifyType < 16384);
}

export function u16(value: number): Uint8Array {
  return new Uint8Array([(value >> 8) & 0xff, value & 0xff]);
}

export function readU16(data: Uint8Array): number | undefined {
  return data.length >= 2 ? (data[0]! << 8) | data[1]! : undefined;
}

export function spiToNumber(spi: Uint8Array): number {
  return spi.length === 4 ? new DataView(spi.buffer, spi.byteOffset, 4).getUint32(0) : 0;
}

export function numberToSpi(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}
