/**
 * A manual clock for deterministic tests and the simulator: time moves only
 * when `advance` is called, and timers fire in due order (ties in the order
 * they were set).
 */

import type { ClockPort, TimerHandle } from '../ikev2/ports.js';

interface PendingTimer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements ClockPort {
  private current = 0;
  private seq = 0;
  private timers: PendingTimer[] = [];

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const t: PendingTimer = {
      due: this.current + Math.max(0, ms),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }

  /** Milliseconds until the next live timer, or `undefined` when none is pending. */
  nextDueIn(): number | undefined {
    const next = this.popOrder()[0];
    return next ? next.due - this.current : undefined;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.popOrder()[0];
      if (!next || next.due > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.due;
      next.fn();
    }
    this.current = target;
  }

  private popOrder(): PendingTimer[] {
    this.timers = this.timers.filter((t) => !t.cancelled);
    return [...this.timers].sort((a, b) => a.due - b.due || a.seq - b.seq);
  }
}
