/**
 * Netlink transport and request/response channel.
 *
 * The transport is the `netlink` npm package's raw socket layer (a prebuilt
 * N-API binary; see docs/kernel.md for why): it only sends and receives bytes.
 * Everything above it is ours: sequence numbers, matching answers to requests,
 * dumps (NLM_F_MULTI ... NLMSG_DONE), error replies, and timeouts.
 *
 * A channel never throws on bad input from the kernel: a datagram that does not
 * parse is reported through `onUnparsable` (logged and counted by the caller).
 */
import { createRequire } from 'node:module';
import { KernelError } from '../errors.js';
import { NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN } from './constants.js';
import { type NlMessage, parseErrorReply, splitMessages } from './message.js';

/** The byte pipe under a channel; tests can supply their own. */
export interface NetlinkTransport {
  send(bytes: Uint8Array): Promise<void>;
  onDatagram(listener: (bytes: Uint8Array) => void): void;
  onError(listener: (error: Error & { code?: string }) => void): void;
  /** The socket's netlink port id (nlmsg_pid of our requests). */
  readonly port: number;
  close(): void;
}

interface RawSocket {
  send(msg: Uint8Array, options?: { port?: number }, cb?: (e?: Error) => void): void;
  on(event: 'message', l: (msg: Buffer) => void): void;
  on(event: 'error', l: (e: Error & { code?: string }) => void): void;
  address(): { port: number };
  addMembership(group: number): void;
  unref(): void;
  close(): void;
}

export interface RawTransportOptions {
  /** Multicast groups to join (group numbers, not mask bits). */
  groups?: number[];
  recvBufferSize?: number;
  /** Let the process exit while the socket is open (event sockets). */
  unref?: boolean;
}

/** Opens an AF_NETLINK socket of `protocol` (NETLINK_XFRM, NETLINK_ROUTE) through the `netlink` package. */
export function openRawTransport(
  protocol: number,
  opts: RawTransportOptions = {},
): NetlinkTransport {
  // `netlink` is CommonJS; its raw layer loads the prebuilt addon and nothing else.
  const require = createRequire(import.meta.url);
  const { RawNetlinkSocket } = require('netlink/dist/raw.js') as {
    RawNetlinkSocket: new (
      p: number,
      o: { recvBufferSize: number; sendBufferSize: number },
    ) => RawSocket;
  };
  const socket = new RawNetlinkSocket(protocol, {
    recvBufferSize: opts.recvBufferSize ?? 1 << 20,
    sendBufferSize: 0,
  });
  for (const g of opts.groups ?? []) socket.addMembership(g);
  if (opts.unref) socket.unref();
  return {
    port: socket.address().port,
    send: (bytes) =>
      new Promise((resolve, reject) =>
        socket.send(bytes, { port: 0 }, (e) => (e ? reject(e) : resolve())),
      ),
    onDatagram: (l) =>
      socket.on('message', (m: Buffer) => l(new Uint8Array(m.buffer, m.byteOffset, m.length))),
    onError: (l) => socket.on('error', l),
    close: () => socket.close(),
  };
}

export type ReplyMode = 'ack' | 'reply' | 'dump';

interface Pending {
  mode: ReplyMode;
  operation: string;
  subject: string;
  parts: NlMessage[];
  resolve: (msgs: NlMessage[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ChannelHooks {
  onUnparsable(reason: string, offset: number): void;
  /** Messages not answering a pending request (multicast or late answers). */
  onUnsolicited?(msg: NlMessage): void;
  onTransportError?(e: Error & { code?: string }): void;
}

/** Request/response over one transport, matched by sequence number. */
export class NetlinkChannel {
  private seq: number;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** The dump in progress (or done): the next one starts after it. */
  private dumps: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly transport: NetlinkTransport,
    private readonly hooks: ChannelHooks,
    private readonly timeoutMs = 5000,
  ) {
    // Start from a time-derived number, as iproute2 does, so a restarted daemon's
    // late answers are unlikely to match new requests.
    this.seq = Math.floor(Date.now() / 1000) >>> 0;
    transport.onDatagram((bytes) => this.receive(bytes));
    transport.onError((e) => this.hooks.onTransportError?.(e));
  }

  get port(): number {
    return this.transport.port;
  }

  /**
   * Sends the message `build(seq, pid)` returns and waits for its answer:
   * 'ack' resolves on errno 0, 'reply' on the first answering message, 'dump'
   * on NLMSG_DONE with every part. A kernel error rejects with KernelError.
   */
  request(
    build: (seq: number, pid: number) => Uint8Array,
    mode: ReplyMode,
    operation: string,
    subject: string,
  ): Promise<NlMessage[]> {
    if (mode !== 'dump') return this.send(build, mode, operation, subject);
    // The kernel runs one dump per socket at a time and refuses a second one
    // with EBUSY (netlink_dump_start): dumps wait for the one before.
    const next = this.dumps.then(() => this.send(build, mode, operation, subject));
    this.dumps = next.catch(() => undefined);
    return next;
  }

  private send(
    build: (seq: number, pid: number) => Uint8Array,
    mode: ReplyMode,
    operation: string,
    subject: string,
  ): Promise<NlMessage[]> {
    if (this.closed)
      return Promise.reject(
        new KernelError('ECLOSED', 0, operation, subject, 'kernel channel closed'),
      );
    this.seq = (this.seq + 1) >>> 0 || 1;
    const seq = this.seq;
    const bytes = build(seq, this.transport.port);
    return new Promise<NlMessage[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(
          new KernelError('ETIMEDOUT', 0, operation, subject, `no answer in ${this.timeoutMs} ms`),
        );
      }, this.timeoutMs);
      this.pending.set(seq, { mode, operation, subject, parts: [], resolve, reject, timer });
      this.transport.send(bytes).catch((e: Error & { errno?: number; code?: string }) => {
        this.settle(seq);
        reject(new KernelError(e.code ?? 'EIO', e.errno ?? 0, operation, subject, 'send failed'));
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const [seq, p] of this.pending) {
      this.settle(seq);
      p.reject(new KernelError('ECLOSED', 0, p.operation, p.subject, 'kernel channel closed'));
    }
    this.transport.close();
  }

  private settle(seq: number): Pending | undefined {
    const p = this.pending.get(seq);
    if (p) {
      clearTimeout(p.timer);
      this.pending.delete(seq);
    }
    return p;
  }

  private receive(bytes: Uint8Array): void {
    let messages: NlMessage[];
    try {
      messages = splitMessages(bytes);
    } catch (e) {
      this.hooks.onUnparsable(e instanceof Error ? e.message : String(e), 0);
      return;
    }
    for (const msg of messages) {
      try {
        this.dispatch(msg);
      } catch (e) {
        this.hooks.onUnparsable(e instanceof Error ? e.message : String(e), 0);
      }
    }
  }

  private dispatch(msg: NlMessage): void {
    if (msg.type === NLMSG_NOOP || msg.type === NLMSG_OVERRUN) return;
    const p = this.pending.get(msg.seq);
    if (!p || msg.seq === 0) {
      this.hooks.onUnsolicited?.(msg);
      return;
    }
    if (msg.type === NLMSG_ERROR) {
      const err = parseErrorReply(msg);
      this.settle(msg.seq);
      if (err.errno === 0) p.resolve(p.parts);
      else p.reject(KernelError.fromErrno(err.errno, p.operation, p.subject, err.extackMessage));
      return;
    }
    if (msg.type === NLMSG_DONE) {
      this.settle(msg.seq);
      // NLMSG_DONE of a dump may carry an error code (an int) when the dump failed.
      const code = msg.payload.length >= 4 ? msg.payload.i32(0) : 0;
      if (code < 0) p.reject(KernelError.fromErrno(-code, p.operation, p.subject));
      else p.resolve(p.parts);
      return;
    }
    if (p.mode === 'reply') {
      this.settle(msg.seq);
      p.resolve([msg]);
    } else if (p.mode === 'dump') {
      p.parts.push(msg);
    }
  }
}
