/**
 * The EAP peer conversation of RFC 3748: answer Identity and Notification
 * requests, run the method the server asks for (or Nak it with the types we
 * have, §5.3.1), repeat the last Response for a retransmitted Request (§4.1),
 * and end on EAP-Success or EAP-Failure. EAP-Success counts only when a
 * method ran and considers itself successful, so a server cannot skip
 * authentication by sending Success early.
 */
import type { EapOutcome, EapPeerMethod, EapStep } from './method.js';
import { EapCode, type EapPacket, EapType, eapTypeName, response } from './packet.js';

export interface EapPeerOptions {
  /** Our EAP identity (sent in the Identity Response). */
  readonly identity: string;
  /** Methods we can run, in order of preference (used for Nak). */
  readonly methods: readonly { readonly eapType: number; readonly create: () => EapPeerMethod }[];
}

export class EapPeer {
  #method?: EapPeerMethod;
  #lastRequest?: { identifier: number; eapType: number | undefined };
  #lastResponse?: EapPacket;
  #methodFailure?: string;
  #finished = false;

  constructor(private readonly opts: EapPeerOptions) {}

  /** The EAP type of the method that ran (or runs), once the server chose one. */
  get eapType(): number | undefined {
    return this.#method?.eapType;
  }

  /** Ends the conversation early (IKE_SA deleted or timed out), releasing method resources. */
  abort(): void {
    this.#finished = true;
    this.#method?.abort?.();
  }

  async process(packet: EapPacket): Promise<EapStep> {
    if (this.#finished)
      return { done: { success: false, reason: 'EAP packet after the conversation ended' } };
    switch (packet.code) {
      case EapCode.SUCCESS:
        return this.#end(this.#successOutcome());
      case EapCode.FAILURE:
        return this.#end({
          success: false,
          reason: this.#methodFailure ?? 'EAP-Failure from the server',
        });
      case EapCode.REQUEST:
        break;
      default:
        return this.#end({
          success: false,
          reason: `EAP Code ${packet.code} from the server where a Request was expected`,
        });
    }
    const last = this.#lastRequest;
    if (
      last &&
      this.#lastResponse &&
      last.identifier === packet.identifier &&
      last.eapType === packet.eapType
    )
      return { send: this.#lastResponse };
    this.#lastRequest = { identifier: packet.identifier, eapType: packet.eapType };
    const step = await this.#answer(packet);
    if (step.send) this.#lastResponse = step.send;
    if (step.done && !step.done.success) {
      this.#methodFailure = step.done.reason;
      // A failing method that still answers (MSCHAPv2 Failure Response) waits for EAP-Failure.
      if (step.send) return { send: step.send };
    }
    if (step.done) this.#finished = true;
    return step;
  }

  #answer(packet: EapPacket): EapStep | Promise<EapStep> {
    const type = packet.eapType ?? 0;
    if (type === EapType.IDENTITY)
      return {
        send: response(
          packet.identifier,
          EapType.IDENTITY,
          new TextEncoder().encode(this.opts.identity),
        ),
      };
    if (type === EapType.NOTIFICATION)
      return { send: response(packet.identifier, EapType.NOTIFICATION, new Uint8Array()) };
    if (this.#method && this.#method.eapType !== type)
      return {
        done: {
          success: false,
          reason: `server switched from ${eapTypeName(this.#method.eapType)} to ${eapTypeName(type)}`,
        },
      };
    if (!this.#method) {
      const entry = this.opts.methods.find((m) => m.eapType === type);
      if (!entry) {
        // Legacy Nak: the types we would accept, or 0 for none (RFC 3748 §5.3.1).
        const ours = this.opts.methods.map((m) => m.eapType);
        return {
          send: response(packet.identifier, EapType.NAK, Uint8Array.from(ours.length ? ours : [0])),
        };
      }
      this.#method = entry.create();
    }
    return this.#method.process(packet);
  }

  #successOutcome(): EapOutcome {
    if (!this.#method) return { success: false, reason: 'EAP-Success before any EAP method ran' };
    return this.#method.result();
  }

  #end(outcome: EapOutcome): EapStep {
    this.#finished = true;
    return { done: outcome };
  }
}
