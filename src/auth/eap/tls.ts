/**
 * EAP-TLS (RFC 5216 with TLS 1.2, RFC 9190 with TLS 1.3) on `node:tls`, as
 * server and as peer. TLS runs over an in-memory duplex; its flights travel
 * in EAP-TLS fragments. Certificates come from `credentials.ts`; the peer's
 * chain is checked with our own path validation (trust anchors, CRLs,
 * injected time), not OpenSSL's, so the result and its reason match the
 * certificate AUTH path. MSK: RFC 5216 §2.3 (TLS 1.2) and RFC 9190 §2.3 (TLS 1.3).
 */
import { constants as cryptoConstants } from 'node:crypto';
import { connect, createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { validateChain } from '../chain.js';
import type { Crl } from '../crl.js';
import { certificateMatchesIdentity, type IkeIdentity } from '../identity.js';
import type { PrivateKey } from '../keys.js';
import { encodePem } from '../pem.js';
import { type Certificate, parseCertificate } from '../x509.js';
import type { EapOutcome, EapPeerMethod, EapServerMethod, EapStep } from './method.js';
import { type EapPacket, EapType, request, response } from './packet.js';
import {
  DEFAULT_FRAGMENT_SIZE,
  decodeTlsFrame,
  encodeTlsFrame,
  fragmentTlsMessage,
  TlsFlag,
  type TlsFrame,
  TlsReassembly,
} from './tls-fragments.js';
import { MemoryTransport, settle } from './tls-transport.js';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export interface EapTlsOptions {
  /** Our certificate, the intermediates to send with it, and its key. */
  readonly certificate: Certificate;
  readonly intermediates?: readonly Certificate[];
  readonly key: PrivateKey;
  /** CAs that may sign the other side's certificate. */
  readonly trustAnchors: readonly Certificate[];
  readonly crls?: readonly Crl[];
  readonly now: () => Date;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  readonly fragmentSize?: number;
  /**
   * NSS key log lines (secrets!) for tests and decrypting captures in Wireshark;
   * never wire this to a log in production.
   */
  readonly onTlsKeylog?: (line: Buffer) => void;
}

export interface EapTlsPeerOptions extends EapTlsOptions {
  /** When set, the server's certificate must carry this identity (its IKE identity, as strongSwan checks). */
  readonly serverIdentity?: IkeIdentity;
}

/** RFC 5216 §2.3 label (TLS 1.2) and RFC 9190 §2.3 label and context (TLS 1.3, Type-Code 13). */
const TLS12_LABEL = 'client EAP encryption';
const TLS13_LABEL = 'EXPORTER_EAP_TLS_Key_Material';
const KEY_MATERIAL_LENGTH = 128;
const MSK_LENGTH = 64;

/**
 * strongSwan's own TLS stack answers without the renegotiation_info extension
 * (RFC 5746), which OpenSSL 3 refuses as a client ("unsafe legacy
 * renegotiation disabled"). We refuse every renegotiation
 * (SSL_OP_NO_RENEGOTIATION; EAP-TLS has no use for one), so the attack that
 * extension prevents has no opening: the peer side allows such servers.
 */
const LEGACY_SERVER_CONNECT =
  cryptoConstants.SSL_OP_LEGACY_SERVER_CONNECT | cryptoConstants.SSL_OP_NO_RENEGOTIATION;

function secureContext(o: EapTlsOptions, client = false): SecureContext {
  const chain = [o.certificate, ...(o.intermediates ?? [])]
    .map((c) => encodePem('CERTIFICATE', c.der))
    .join('');
  return createSecureContext({
    cert: chain,
    // In memory only, for OpenSSL; it never reaches a log line.
    key: o.key.key.export({ type: 'pkcs8', format: 'pem' }) as string,
    ca: o.trustAnchors.map((c) => encodePem('CERTIFICATE', c.der)).join(''),
    minVersion: o.minVersion ?? 'TLSv1.2',
    maxVersion: o.maxVersion ?? 'TLSv1.3',
    ...(client && { secureOptions: LEGACY_SERVER_CONNECT }),
  });
}

/** The peer's chain as OpenSSL received it: end entity first. */
function peerChain(socket: TLSSocket): Certificate[] {
  const out: Certificate[] = [];
  let c = socket.getPeerCertificate(true) as
    | { raw?: Buffer; issuerCertificate?: unknown }
    | undefined;
  const seen = new Set<unknown>();
  while (c?.raw && !seen.has(c) && out.length < 10) {
    seen.add(c);
    const parsed = parseCertificate(new Uint8Array(c.raw));
    if (!('error' in parsed)) out.push(parsed);
    c = c.issuerCertificate as typeof c;
  }
  return out;
}

/**
 * What both roles share: the TLS socket over memory, fragment queues, the
 * reassembly of incoming flights and the checks once the handshake is done.
 */
abstract class EapTlsEndpoint {
  protected readonly transport = new MemoryTransport();
  protected socket?: TLSSocket;
  protected tlsError?: string;
  protected handshakeDone = false;
  protected peerCertificate?: Certificate;
  protected msk?: Uint8Array;
  readonly #pending: TlsFrame[] = [];
  readonly #reassembly = new TlsReassembly();

  constructor(protected readonly opts: EapTlsOptions) {}

  protected attach(socket: TLSSocket): void {
    this.socket = socket;
    if (this.opts.onTlsKeylog) socket.on('keylog', this.opts.onTlsKeylog);
    socket.on('error', (e: Error) => {
      this.tlsError ??= `TLS failed: ${e.message}`;
    });
  }

  /** Queues a flight and returns its first frame. */
  protected queueFlight(flight: Uint8Array): TlsFrame {
    const frames = fragmentTlsMessage(flight, this.opts.fragmentSize ?? DEFAULT_FRAGMENT_SIZE);
    this.#pending.push(...frames.slice(1));
    return frames[0]!;
  }

  /**
   * Handles framing of an incoming packet: an ACK releases our next fragment, a
   * fragment with M is acknowledged. Returns the frame to send for those cases,
   * or the complete incoming flight to feed to TLS.
   */
  protected receive(
    data: Uint8Array,
  ): { reply: TlsFrame } | { flight: Uint8Array } | { error: string } {
    const frame = decodeTlsFrame(data);
    if ('error' in frame) return frame;
    if (this.#pending.length > 0) {
      if (frame.data.length > 0)
        return { error: 'EAP-TLS data received while our fragments were unacknowledged' };
      return { reply: this.#pending.shift()! };
    }
    const r = this.#reassembly.add(frame);
    if ('error' in r) return r;
    if ('more' in r) return { reply: { flags: 0, data: new Uint8Array() } };
    return { flight: r.complete };
  }

  protected async feed(
    flight: Uint8Array,
    until: () => boolean = () => false,
  ): Promise<Uint8Array> {
    if (flight.length > 0) this.transport.feed(flight);
    await settle(this.transport, () => this.tlsError !== undefined || until());
    return this.transport.collect();
  }

  /** Chain (and optionally identity) check of the other side, then the MSK. */
  protected verifyPeer(expected?: IkeIdentity): string | undefined {
    const socket = this.socket!;
    const [endEntity, ...intermediates] = peerChain(socket);
    if (!endEntity) return 'the TLS peer sent no certificate';
    this.peerCertificate = endEntity;
    const chain = validateChain({
      endEntity,
      intermediates,
      trustAnchors: this.opts.trustAnchors,
      crls: this.opts.crls ?? [],
      now: this.opts.now(),
      skipEndEntityKeyUsage: true,
    });
    if (!chain.ok) return `TLS peer certificate: ${chain.reason}`;
    if (expected) {
      const match = certificateMatchesIdentity(endEntity, expected);
      if (!match.ok) return match.reason;
    }
    const tls13 = socket.getProtocol() === 'TLSv1.3';
    const material = tls13
      ? socket.exportKeyingMaterial(KEY_MATERIAL_LENGTH, TLS13_LABEL, Buffer.of(EapType.TLS))
      : // RFC 5705 distinguishes "no context" (RFC 5216's case) from an empty one; Node's
        // typings require the argument, its implementation treats undefined as none.
        socket.exportKeyingMaterial(
          KEY_MATERIAL_LENGTH,
          TLS12_LABEL,
          undefined as unknown as Buffer,
        );
    this.msk = new Uint8Array(material.subarray(0, MSK_LENGTH));
    material.fill(0);
    return undefined;
  }

  protected get tls13(): boolean {
    return this.socket?.getProtocol() === 'TLSv1.3';
  }

  protected outcome(success: boolean, reason?: string): EapOutcome {
    return {
      success,
      ...(success && this.msk && { msk: this.msk }),
      ...(reason !== undefined && { reason }),
      ...(this.peerCertificate && { peerCertificate: this.peerCertificate.der }),
    };
  }

  close(): void {
    this.socket?.destroy();
  }

  abort(): void {
    this.close();
  }
}

export class EapTlsServer extends EapTlsEndpoint implements EapServerMethod {
  readonly eapType = EapType.TLS;
  #finalSent = false;

  start(identifier: number): EapPacket {
    return request(
      identifier,
      this.eapType,
      encodeTlsFrame({ flags: TlsFlag.START, data: new Uint8Array() }),
    );
  }

  async process(p: EapPacket, nextIdentifier: number): Promise<EapStep> {
    const send = (f: TlsFrame): EapStep => ({
      send: request(nextIdentifier, this.eapType, encodeTlsFrame(f)),
    });
    const got = this.receive(p.data);
    if ('error' in got) return this.#fail(got.error);
    if ('reply' in got) return send(got.reply);
    if (this.#finalSent) {
      this.close();
      return got.flight.length === 0
        ? { done: this.outcome(true) }
        : this.#fail('unexpected TLS data after the handshake');
    }
    if (!this.socket) {
      this.attach(
        new TLSSocket(this.transport, {
          isServer: true,
          secureContext: secureContext(this.opts),
          requestCert: true,
          rejectUnauthorized: false,
        }),
      );
      this.socket!.on('secure', () => {
        this.handshakeDone = true;
      });
    }
    let out = await this.feed(got.flight, () => this.handshakeDone);
    if (this.tlsError) return this.#fail(this.tlsError);
    if (this.handshakeDone) {
      const problem = this.verifyPeer();
      if (problem) return this.#fail(problem);
      if (this.tls13) {
        // RFC 9190 §2.5: one octet 0x00 of application data commits to the end of the handshake.
        this.socket!.write(Buffer.of(0));
        out = new Uint8Array([...out, ...(await this.feed(new Uint8Array()))]);
      }
      this.#finalSent = true;
    }
    if (out.length === 0) return this.#fail('TLS produced no handshake data');
    return send(this.queueFlight(out));
  }

  #fail(reason: string): EapStep {
    this.close();
    return { done: this.outcome(false, reason) };
  }
}

export class EapTlsPeer extends EapTlsEndpoint implements EapPeerMethod {
  readonly eapType = EapType.TLS;
  #committed = false;
  #failure?: string;

  constructor(protected override readonly opts: EapTlsPeerOptions) {
    super(opts);
  }

  async process(p: EapPacket): Promise<EapStep> {
    const send = (f: TlsFrame): EapStep => ({
      send: response(p.identifier, this.eapType, encodeTlsFrame(f)),
    });
    const frame = decodeTlsFrame(p.data);
    if ('error' in frame) return this.#fail(frame.error);
    if (frame.flags & TlsFlag.START) {
      if (this.socket) return this.#fail('EAP-TLS Start in the middle of a handshake');
      this.attach(
        connect({
          socket: this.transport,
          secureContext: secureContext(this.opts, true),
          rejectUnauthorized: false,
          servername: '',
        }),
      );
      this.socket!.on('secureConnect', () => {
        this.handshakeDone = true;
      });
      this.socket!.on('data', (d: Buffer) => {
        if (d.includes(0)) this.#committed = true;
      });
      const hello = await this.feed(new Uint8Array());
      if (this.tlsError) return this.#fail(this.tlsError);
      return send(this.queueFlight(hello));
    }
    if (!this.socket) return this.#fail('EAP-TLS data before the Start');
    const got = this.receive(p.data);
    if ('error' in got) return this.#fail(got.error);
    if ('reply' in got) return send(got.reply);
    const wasDone = this.handshakeDone;
    const out = await this.feed(got.flight, () => this.#committed);
    if (this.tlsError) return this.#fail(this.tlsError);
    if (this.handshakeDone && !wasDone) {
      const problem = this.verifyPeer(this.opts.serverIdentity);
      if (problem) return this.#fail(problem);
    }
    // Our flight if TLS has one; otherwise an empty EAP-TLS Response acknowledges the server's
    // final flight (RFC 5216 §2.1.1, RFC 9190 §2.1.1).
    return send(out.length > 0 ? this.queueFlight(out) : { flags: 0, data: new Uint8Array() });
  }

  result(): EapOutcome {
    this.close();
    if (this.#failure) return this.outcome(false, this.#failure);
    if (!this.handshakeDone || !this.msk)
      return this.outcome(false, 'EAP-Success before the TLS handshake completed');
    if (this.tls13 && !this.#committed)
      return this.outcome(
        false,
        'EAP-Success without the TLS 1.3 commitment message (RFC 9190 §2.5)',
      );
    return this.outcome(true);
  }

  #fail(reason: string): EapStep {
    this.#failure = reason;
    this.close();
    return { done: this.outcome(false, reason) };
  }
}
