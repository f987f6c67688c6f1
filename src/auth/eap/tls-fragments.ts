/**
 * EAP-TLS framing (RFC 5216 §3.1, kept by RFC 9190): Flags (L: length
 * included, M: more fragments, S: start), the 4-octet TLS Message Length when
 * L is set, then TLS data. Long TLS flights are cut into fragments, each
 * acknowledged by an empty packet from the other side.
 */

export const TlsFlag = { LENGTH: 0x80, MORE: 0x40, START: 0x20 } as const;

/** strongSwan's default EAP-TLS fragment size; fits the 1280-octet IPv6 minimum MTU with IKE overhead. */
export const DEFAULT_FRAGMENT_SIZE = 1024;
/** Upper bound for one reassembled TLS flight (certificate chains included). */
export const MAX_TLS_MESSAGE = 65536;

export interface TlsFrame {
  readonly flags: number;
  readonly totalLength?: number;
  readonly data: Uint8Array;
}

export function encodeTlsFrame(f: TlsFrame): Uint8Array {
  const withLength = f.totalLength !== undefined;
  const out = new Uint8Array(1 + (withLength ? 4 : 0) + f.data.length);
  out[0] = f.flags | (withLength ? TlsFlag.LENGTH : 0);
  if (withLength) new DataView(out.buffer).setUint32(1, f.totalLength!);
  out.set(f.data, withLength ? 5 : 1);
  return out;
}

export function decodeTlsFrame(data: Uint8Array): TlsFrame | { error: string } {
  if (data.length < 1) return { error: 'EAP-TLS packet without Flags' };
  const flags = data[0]!;
  if (!(flags & TlsFlag.LENGTH)) return { flags, data: data.subarray(1) };
  if (data.length < 5) return { error: 'EAP-TLS L flag without a TLS Message Length' };
  const totalLength = new DataView(data.buffer, data.byteOffset).getUint32(1);
  return { flags, totalLength, data: data.subarray(5) };
}

/** Cuts one outgoing TLS flight into fragments; the first carries the total length. */
export function fragmentTlsMessage(
  message: Uint8Array,
  fragmentSize = DEFAULT_FRAGMENT_SIZE,
): TlsFrame[] {
  if (message.length === 0) return [{ flags: 0, data: message }];
  const frames: TlsFrame[] = [];
  for (let off = 0; off < message.length; off += fragmentSize) {
    const more = off + fragmentSize < message.length;
    frames.push({
      flags: more ? TlsFlag.MORE : 0,
      ...(off === 0 && { totalLength: message.length }),
      data: message.subarray(off, off + fragmentSize),
    });
  }
  return frames;
}

/** Collects incoming fragments until one without M; bounded by MAX_TLS_MESSAGE. */
export class TlsReassembly {
  #parts: Uint8Array[] = [];
  #size = 0;
  #expected?: number;

  /** Adds a fragment; returns the whole message when complete, or an error. */
  add(frame: TlsFrame): { complete: Uint8Array } | { more: true } | { error: string } {
    if (frame.totalLength !== undefined) {
      if (frame.totalLength > MAX_TLS_MESSAGE)
        return { error: `EAP-TLS message of ${frame.totalLength} octets is too long` };
      if (this.#expected === undefined) this.#expected = frame.totalLength;
    }
    this.#size += frame.data.length;
    if (this.#size > (this.#expected ?? MAX_TLS_MESSAGE))
      return {
        error: `EAP-TLS fragments exceed the announced ${this.#expected ?? MAX_TLS_MESSAGE} octets`,
      };
    this.#parts.push(Uint8Array.from(frame.data));
    if (frame.flags & TlsFlag.MORE) return { more: true };
    const out = new Uint8Array(this.#size);
    let off = 0;
    for (const p of this.#parts) {
      out.set(p, off);
      off += p.length;
    }
    this.#parts = [];
    this.#size = 0;
    this.#expected = undefined;
    return { complete: out };
  }
}
