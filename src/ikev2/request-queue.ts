/**
 * Our requests on each IKE_SA, one at a time (RFC 7296 §2.3, a window of
 * one): queued, built when their turn comes (so they see the SA as it is
 * then), sealed under the next message ID, transmitted with retransmissions,
 * and handed their answer. Requests can carry a tag (to drop them) and a
 * retarget (to move them to the IKE_SA a rekey replaced theirs with).
 */

import type { IkePayload } from '../wire/ikev2/index.js';
import type { EngineContext, ResponseHandler } from './context.js';
import { sealPayloads, transmitRequest } from './exchange-io.js';
import type { IkeSa } from './ike-sa.js';

export interface QueuedRequest {
  readonly exchangeType: number;
  readonly build: () => Promise<IkePayload[]> | IkePayload[];
  readonly onResponse: ResponseHandler;
  /** Runs when the request went unanswered after all retransmissions (default: close the SA). */
  readonly onGiveUp?: () => Promise<void>;
  readonly tag?: string;
  readonly retarget?: (to: IkeSa) => void;
}

/** Runs `fn` in the engine's work queue (after what is queued there now). */
export type Serial = <T>(fn: () => Promise<T>) => Promise<T>;

export class RequestQueues {
  readonly #queues = new Map<IkeSa, QueuedRequest[]>();
  readonly #awaiting = new Map<IkeSa, QueuedRequest>();
  /** SAs whose next request is being built: it counts as outstanding. */
  readonly #building = new Set<IkeSa>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly serial: Serial,
  ) {}

  add(sa: IkeSa, request: QueuedRequest): void {
    const q = this.#queues.get(sa) ?? [];
    q.push(request);
    this.#queues.set(sa, q);
    if (!sa.outstanding) void this.pump(sa);
  }

  /** Drops the queued (not yet sent) requests with `tag`. */
  drop(sa: IkeSa, tag: string): void {
    const q = this.#queues.get(sa);
    if (q)
      this.#queues.set(
        sa,
        q.filter((r) => r.tag !== tag),
      );
  }

  /** Hands the queued requests that can follow a rekey over to the new IKE_SA. */
  move(from: IkeSa, to: IkeSa): void {
    const q = this.#queues.get(from);
    if (!q) return;
    const moving = q.filter((r) => r.retarget);
    this.#queues.set(
      from,
      q.filter((r) => !r.retarget),
    );
    for (const r of moving) r.retarget!(to);
  }

  /** The request the SA's outstanding message ID belongs to, once its answer arrived. */
  takeAnswered(sa: IkeSa): QueuedRequest | undefined {
    const r = this.#awaiting.get(sa);
    this.#awaiting.delete(sa);
    return r;
  }

  /** Forgets everything of a closed SA. */
  forget(sa: IkeSa): void {
    this.#queues.delete(sa);
    this.#awaiting.delete(sa);
  }

  /** Sends the next queued request when none is outstanding. */
  async pump(sa: IkeSa): Promise<void> {
    // A request being built counts as outstanding, or a second pump would reuse its message ID.
    if (sa.outstanding || this.#building.has(sa) || sa.state === 'closed') return;
    if (sa.requestsHeld) return;
    const next = this.#queues.get(sa)?.shift();
    if (!next) return;
    const { ctx } = this;
    let payloads: IkePayload[];
    this.#building.add(sa);
    try {
      payloads = await next.build();
    } catch (e) {
      await ctx.closeSa(sa, `cannot build request: ${(e as Error).message}`, 'failed');
      return;
    } finally {
      this.#building.delete(sa);
    }
    // The SA may have been closed while the request was being built.
    if ((sa.state as string) === 'closed') return;
    const packets = sealPayloads(ctx, sa, next.exchangeType, sa.nextRequestId, false, payloads);
    this.#awaiting.set(sa, next);
    transmitRequest(ctx, sa, next.exchangeType, packets, () => {
      void this.serial(async () => {
        ctx.ports.logger.log(
          'warn',
          sa.label,
          `request ${sa.outstanding?.messageId} not answered, giving up`,
        );
        sa.outstanding = undefined;
        if (next.onGiveUp) await next.onGiveUp();
        else await ctx.closeSa(sa, 'peer did not answer (retransmission limit reached)', 'failed');
        // Whatever was queued behind the abandoned request goes out now.
        void this.pump(sa);
      });
    });
  }
}
