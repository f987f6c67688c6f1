/**
 * IKE endpoints over the native UDP socket: each received datagram carries the
 * local address it was sent to, and each reply can leave from a chosen source
 * address, which `node:dgram` cannot do (RFC 7296 §2.11: a response goes to the
 * address and port the request came from, and must come from the address it was
 * sent to, or the peer's NAT detection and its matching of the reply fail).
 */
import { EventEmitter } from 'node:events';
import { type NativeUdpSocket, nativeAddon } from './native-addon.js';
import { addNonEspMarker, stripNonEspMarker } from './non-esp-marker.js';

export interface IkeEndpointOptions {
  /** Local address to bind; `0.0.0.0` or `::` takes every address of that family. */
  address: string;
  /** Local port; 0 lets the kernel choose (tests). */
  port: number;
  /**
   * The NAT-T endpoint (port 4500): the kernel decapsulates ESP-in-UDP arriving
   * on it (UDP_ENCAP_ESPINUDP), and IKE messages carry the non-ESP marker,
   * removed on receipt and added on sending (RFC 3948 §2.2).
   */
  natt: boolean;
  /** SO_MARK on outgoing datagrams (routing and firewall marks). */
  mark?: number;
  /**
   * A per-socket IPsec policy "allow, in and out" so that IKE is never caught
   * by the tunnels it negotiates. Default true; needs CAP_NET_ADMIN.
   */
  bypassPolicy?: boolean;
  /**
   * SO_REUSEADDR, default true. On Linux this lets another socket with the flag
   * bind the same address and port; the kernel then gives each datagram to one.
   */
  reuseAddress?: boolean;
  /**
   * SO_RCVBUF in bytes (the kernel doubles it for its bookkeeping); by default
   * net.core.rmem_default, which holds about 256 small datagrams. Beyond
   * net.core.rmem_max only with CAP_NET_ADMIN.
   */
  receiveBufferSize?: number;
}

/** One received IKE datagram; `data` is the IKE message (marker removed). */
export interface IkeDatagram {
  data: Buffer;
  remoteAddress: string;
  remotePort: number;
  /** The address the datagram was sent to: the source for the reply. */
  localAddress: string;
  localPort: number;
  /** The interface it arrived on. */
  ifindex: number;
}

export interface IkeSendOptions {
  to: string;
  port: number;
  /** Source address; by default the kernel picks one from the route. */
  from?: string;
}

export interface IkeSocketStats {
  received: number;
  sent: number;
  /** Datagrams on a NAT-T socket that were neither ESP nor IKE (no marker). */
  droppedWithoutMarker: number;
  /** Datagrams longer than the receive buffer (65,536 octets). */
  truncated: number;
}

interface IkeSocketEvents {
  message: [IkeDatagram];
  error: [Error];
  close: [];
}

/**
 * A bound IKE endpoint. Emits `message` per IKE datagram, `error` for receive
 * failures after opening, `close` once closed. Keeps the process alive while
 * open unless {@link IkeSocket.unref} is called.
 */
export class IkeSocket extends EventEmitter<IkeSocketEvents> {
  readonly natt: boolean;
  readonly family: 4 | 6;
  readonly localAddress: string;
  readonly localPort: number;
  #native: NativeUdpSocket | undefined;
  #received = 0;
  #sent = 0;
  #droppedWithoutMarker = 0;

  constructor(options: IkeEndpointOptions) {
    super();
    this.natt = options.natt;
    const { UdpSocket } = nativeAddon();
    // Throws a SystemError (code, errno, syscall) when a step fails.
    const native = new UdpSocket(
      {
        address: options.address,
        port: options.port,
        encapEspInUdp: options.natt,
        bypassPolicy: options.bypassPolicy ?? true,
        reuseAddress: options.reuseAddress ?? true,
        ...(options.mark === undefined ? {} : { mark: options.mark }),
        ...(options.receiveBufferSize === undefined
          ? {}
          : { receiveBufferSize: options.receiveBufferSize }),
      },
      (data, remoteAddress, remotePort, localAddress, ifindex) =>
        this.#onDatagram(data, remoteAddress, remotePort, localAddress, ifindex),
      (error) => this.emit('error', error),
    );
    this.#native = native;
    let bound: ReturnType<NativeUdpSocket['address']>;
    try {
      bound = native.address();
    } catch (error) {
      native.close();
      throw error;
    }
    this.family = bound.family;
    this.localAddress = bound.address;
    this.localPort = bound.port;
  }

  get closed(): boolean {
    return this.#native === undefined;
  }

  /**
   * Sends one IKE message. Throws a SystemError when the kernel refuses it
   * (no route, source address not local, send buffer full: EAGAIN is not
   * queued, IKE retransmits), or ERR_SOCKET_CLOSED once closed.
   */
  send(message: Uint8Array, options: IkeSendOptions): void {
    const native = this.#native;
    if (native === undefined) {
      throw Object.assign(new Error('the socket is closed'), { code: 'ERR_SOCKET_CLOSED' });
    }
    const datagram = this.natt ? addNonEspMarker(message) : message;
    native.send(datagram, options.to, options.port, options.from);
    this.#sent++;
  }

  /**
   * Sends a NAT-keepalive (RFC 3948 §2.3): one octet 0xFF, without the
   * non-ESP marker, on the NAT-T socket. Errors are thrown as for send().
   */
  sendNatKeepalive(options: IkeSendOptions): void {
    const native = this.#native;
    if (native === undefined || !this.natt) return;
    native.send(new Uint8Array([0xff]), options.to, options.port, options.from);
  }

  /** Closes the socket; `close` is emitted on the next tick. Idempotent. */
  close(): void {
    const native = this.#native;
    if (native === undefined) return;
    this.#native = undefined;
    native.close();
    process.nextTick(() => this.emit('close'));
  }

  ref(): this {
    this.#native?.ref();
    return this;
  }

  unref(): this {
    this.#native?.unref();
    return this;
  }

  stats(): IkeSocketStats {
    return {
      received: this.#received,
      sent: this.#sent,
      droppedWithoutMarker: this.#droppedWithoutMarker,
      truncated: this.#native?.stats().truncated ?? 0,
    };
  }

  #onDatagram(
    datagram: Buffer,
    remoteAddress: string,
    remotePort: number,
    localAddress: string | undefined,
    ifindex: number,
  ): void {
    let data: Buffer | undefined = datagram;
    if (this.natt) {
      data = stripNonEspMarker(datagram);
      if (data === undefined) {
        this.#droppedWithoutMarker++;
        return;
      }
    }
    this.#received++;
    this.emit('message', {
      data,
      remoteAddress,
      remotePort,
      // pktinfo is always requested; the bound address is only a fallback.
      localAddress: localAddress ?? this.localAddress,
      localPort: this.localPort,
      ifindex,
    });
  }
}

/** Opens and binds an IKE endpoint; throws a SystemError on failure. */
export function openIkeEndpoint(options: IkeEndpointOptions): IkeSocket {
  return new IkeSocket(options);
}
