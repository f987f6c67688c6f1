/**
 * An in-memory duplex under a `node:tls` socket: bytes the TLS engine writes
 * are collected for the next EAP-TLS packet, bytes from the peer are pushed
 * in. OpenSSL runs inside Node's event loop, so after feeding input we wait
 * until the engine has gone quiet before taking its output.
 */
import { Duplex } from 'node:stream';

export class MemoryTransport extends Duplex {
  #out: Buffer[] = [];
  #written = 0;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#out.push(chunk);
    this.#written += chunk.length;
    cb();
  }

  override _read(): void {}

  /** Total octets the TLS engine has written so far (a progress counter for settle()). */
  get written(): number {
    return this.#written;
  }

  feed(bytes: Uint8Array): void {
    this.push(Buffer.from(bytes));
  }

  /** Everything written since the last collect(). */
  collect(): Uint8Array {
    const out = new Uint8Array(Buffer.concat(this.#out));
    this.#out = [];
    return out;
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Waits until the TLS engine stops producing output: several event-loop turns
 * in a row without new bytes, or `until()` holds. Bounded, so a stuck engine
 * ends the EAP method instead of hanging the IKE_SA.
 */
export async function settle(
  transport: MemoryTransport,
  until: () => boolean = () => false,
): Promise<void> {
  let last = transport.written;
  let quiet = 0;
  for (let i = 0; i < 2000 && quiet < 8; i++) {
    await turn();
    if (until()) return;
    if (transport.written !== last) {
      last = transport.written;
      quiet = 0;
    } else {
      quiet++;
    }
  }
}
