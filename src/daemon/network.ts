/**
 * The engine's network port over the native IKE sockets: one socket per
 * family and port (500 and the NAT-T port), bound to the wildcard address so
 * the local address of each datagram comes from IP_PKTINFO and replies leave
 * from the address the request arrived on.
 */

import type { Datagram, Endpoint, NetworkPort } from '../ikev2/ports.js';
import { type IkeSocket, openIkeEndpoint } from '../net/ike-socket.js';

export interface SocketSetOptions {
  readonly ikePort: number;
  readonly nattPort: number;
  readonly onDatagram: (d: Datagram) => void;
  readonly onError: (message: string) => void;
}

export class IkeSocketSet implements NetworkPort {
  private readonly sockets: IkeSocket[] = [];

  constructor(private readonly options: SocketSetOptions) {
    for (const address of ['0.0.0.0', '::']) {
      for (const [port, natt] of [
        [options.ikePort, false],
        [options.nattPort, true],
      ] as const) {
        try {
          const s = openIkeEndpoint({ address, port, natt });
          s.on('message', (m) =>
            options.onDatagram({
              data: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength),
              remote: { address: m.remoteAddress, port: m.remotePort },
              local: { address: m.localAddress, port: m.localPort },
            }),
          );
          s.on('error', (e) => options.onError(`socket ${address}[${port}]: ${e.message}`));
          this.sockets.push(s);
        } catch (e) {
          // A host without IPv6 keeps running on IPv4 only.
          options.onError(`cannot open ${address}[${port}]: ${(e as Error).message}`);
        }
      }
    }
    if (this.sockets.length === 0) throw new Error('no IKE socket could be opened');
  }

  send(data: Uint8Array, local: Endpoint, remote: Endpoint): void {
    const family = remote.address.includes(':') ? 6 : 4;
    const natt = local.port === this.options.nattPort;
    const socket = this.sockets.find((s) => s.family === family && s.natt === natt);
    if (!socket) {
      this.options.onError(`no socket for ${remote.address}[${remote.port}]`);
      return;
    }
    const wildcard = local.address === '0.0.0.0' || local.address === '::';
    try {
      socket.send(data, {
        to: remote.address,
        port: remote.port,
        ...(wildcard ? {} : { from: local.address }),
      });
    } catch (e) {
      this.options.onError(
        `send to ${remote.address}[${remote.port}] failed: ${(e as Error).message}`,
      );
    }
  }

  sendNatKeepalive(local: Endpoint, remote: Endpoint): void {
    const family = remote.address.includes(':') ? 6 : 4;
    const socket = this.sockets.find((s) => s.family === family && s.natt);
    const wildcard = local.address === '0.0.0.0' || local.address === '::';
    try {
      socket?.sendNatKeepalive({
        to: remote.address,
        port: remote.port,
        ...(wildcard ? {} : { from: local.address }),
      });
    } catch (e) {
      this.options.onError(
        `keepalive to ${remote.address}[${remote.port}] failed: ${(e as Error).message}`,
      );
    }
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}
