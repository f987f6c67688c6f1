/**
 * The EAP server (authenticator) conversation of RFC 3748 as IKEv2 runs it
 * (RFC 7296 §2.16): Identity first unless the identity is already known,
 * then the preferred method; a legacy Nak (§5.3.1) may switch to another
 * method we offer; the last Response is answered with EAP-Success or
 * EAP-Failure carrying the same Identifier (§4.2).
 */
import type { EapOutcome, EapServerMethod, EapStep, RandomBytes } from './method.js';
import {
  EapCode,
  type EapPacket,
  EapType,
  eapTypeName,
  failure,
  request,
  success,
} from './packet.js';

/** Creates a method for an EAP identity; undefined if this method cannot serve it. */
export type EapServerMethodFactory = (identity: string) => EapServerMethod | undefined;

export interface EapServerOptions {
  /** Methods we offer, in order of preference (first is proposed first). */
  readonly methods: readonly {
    readonly eapType: number;
    readonly create: EapServerMethodFactory;
  }[];
  /** The peer's EAP identity when known already (then no Identity round). */
  readonly identity?: string;
  readonly random: RandomBytes;
  /** Bound on Request/Response rounds (EAP-TLS fragments count), against endless conversations. */
  readonly maxRounds?: number;
}

/** The server's verdict, with the EAP identity that was authenticated (or attempted). */
export interface EapServerOutcome extends EapOutcome {
  readonly identity?: string;
  readonly eapType?: number;
}

export interface EapServerStep {
  readonly send?: EapPacket;
  readonly done?: EapServerOutcome;
}

const MAX_IDENTITY_LENGTH = 253;

export class EapServer {
  #identifier: number;
  #identity?: string;
  #method?: EapServerMethod;
  #rounds = 0;
  #finished = false;
  readonly #tried = new Set<number>();

  constructor(private readonly opts: EapServerOptions) {
    this.#identifier = opts.random(1)[0]!;
    if (opts.identity !== undefined) this.#identity = opts.identity;
  }

  get identity(): string | undefined {
    return this.#identity;
  }

  /** The method in progress, once one was chosen. */
  get eapType(): number | undefined {
    return this.#method?.eapType;
  }

  /** Why the method is failing the peer while it waits for the acknowledgement. */
  get pendingFailure(): string | undefined {
    return this.#method?.pendingFailure;
  }

  /** Ends the conversation early (IKE_SA deleted or timed out), releasing method resources. */
  abort(): void {
    this.#finished = true;
    this.#method?.abort?.();
  }

  /** The first Request: Identity, or the preferred method when the identity is known. */
  start(): EapServerStep {
    if (this.#identity === undefined)
      return { send: request(this.#identifier, EapType.IDENTITY, new Uint8Array()) };
    return this.#startMethod(this.opts.methods.map((m) => m.eapType));
  }

  async process(packet: EapPacket): Promise<EapServerStep> {
    if (this.#finished)
      return this.#end({ success: false, reason: 'EAP packet after the conversation ended' });
    if (packet.code !== EapCode.RESPONSE)
      return this.#end({
        success: false,
        reason: `EAP Code ${packet.code} from the peer where a Response was expected`,
      });
    if (packet.identifier !== this.#identifier)
      return this.#end({
        success: false,
        reason: `EAP Response Identifier ${packet.identifier}, expected ${this.#identifier}`,
      });
    if (++this.#rounds > (this.opts.maxRounds ?? 64))
      return this.#end({ success: false, reason: 'too many EAP rounds' });

    if (!this.#method) {
      if (packet.eapType !== EapType.IDENTITY)
        return this.#end({
          success: false,
          reason: `expected an EAP Identity response, got ${eapTypeName(packet.eapType ?? 0)}`,
        });
      if (packet.data.length === 0 || packet.data.length > MAX_IDENTITY_LENGTH)
        return this.#end({ success: false, reason: 'empty or oversized EAP identity' });
      this.#identity = new TextDecoder().decode(packet.data);
      return this.#startMethod(this.opts.methods.map((m) => m.eapType));
    }
    if (packet.eapType === EapType.NAK) return this.#nak(packet.data);
    if (packet.eapType !== this.#method.eapType)
      return this.#end({
        success: false,
        reason: `${eapTypeName(packet.eapType ?? 0)} response during ${eapTypeName(this.#method.eapType)}`,
      });
    const step: EapStep = await this.#method.process(packet, this.#next());
    if (step.done) return this.#end(step.done);
    if (!step.send)
      return this.#end({
        success: false,
        reason: `${eapTypeName(this.#method.eapType)} stopped without a verdict`,
      });
    this.#identifier = step.send.identifier;
    return { send: step.send };
  }

  #next(): number {
    return (this.#identifier + 1) & 0xff;
  }

  #startMethod(candidates: readonly number[]): EapServerStep {
    const identity = this.#identity ?? '';
    for (const type of candidates) {
      const entry = this.opts.methods.find((m) => m.eapType === type);
      if (!entry || this.#tried.has(type)) continue;
      this.#tried.add(type);
      const method = entry.create(identity);
      if (!method) continue;
      this.#method = method;
      this.#identifier = this.#next();
      return { send: method.start(this.#identifier) };
    }
    return this.#end({ success: false, reason: `no EAP method to offer "${identity}"` });
  }

  #nak(data: Uint8Array): EapServerStep {
    const wanted = [...data].filter((t) => t >= 4);
    const current = this.#method ? eapTypeName(this.#method.eapType) : 'EAP';
    const usable = wanted.filter(
      (t) => this.opts.methods.some((m) => m.eapType === t) && !this.#tried.has(t),
    );
    if (usable.length === 0) {
      const offered = wanted.length ? wanted.map(eapTypeName).join(', ') : 'nothing';
      return this.#end({ success: false, reason: `peer rejected ${current} and wants ${offered}` });
    }
    return this.#startMethod(
      this.opts.methods.map((m) => m.eapType).filter((t) => usable.includes(t)),
    );
  }

  #end(outcome: EapOutcome): EapServerStep {
    this.#finished = true;
    const done: EapServerOutcome = {
      ...outcome,
      ...(this.#identity !== undefined && { identity: this.#identity }),
      ...(this.#method && { eapType: this.#method.eapType }),
    };
    // RFC 3748 §4.2: Success/Failure carry the Identifier of the Response they answer.
    return { send: outcome.success ? success(this.#identifier) : failure(this.#identifier), done };
  }
}
