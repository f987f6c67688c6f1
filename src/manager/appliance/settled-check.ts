/**
 * Kernel events come in bursts (a link going down removes several routes,
 * keepalived adds several addresses): a check runs once they settle, one at a
 * time, and the events only say "look again".
 */
export class SettledCheck {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly settleMs: number,
    private readonly check: () => Promise<void>,
    private readonly onError: (e: Error) => void,
  ) {}

  /** Runs the check `settleMs` after the last call (after a check still running). */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.check()).catch(this.onError);
    }, this.settleMs);
  }

  /** Cancels a pending check and waits for a running one. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
