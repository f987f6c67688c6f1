/**
 * The run's event log: one line per event, stamped with the simulated time.
 * Engine labels carry process-wide counters (`conn|#17`, `{4}`); the log
 * renumbers them per run in order of appearance so that two runs of one seed
 * give identical logs even inside one process.
 */

export class EventLog {
  readonly lines: string[] = [];
  private readonly ikeIds = new Map<string, number>();
  private readonly childIds = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  add(who: string, text: string): void {
    const t = (this.now() / 1000).toFixed(3).padStart(9);
    this.lines.push(`[${t}] ${who.padEnd(3)} ${this.normalise(text)}`);
  }

  /** The last `n` lines, for a violation's short trace. */
  tail(n: number): string[] {
    return this.lines.slice(-n);
  }

  private normalise(text: string): string {
    return text
      .replace(/\|#(\d+)/g, (_, id: string) => `|#${renumber(this.ikeIds, id)}`)
      .replace(/\{(\d+)\}/g, (_, id: string) => `{${renumber(this.childIds, id)}}`);
  }
}

function renumber(map: Map<string, number>, id: string): number {
  let n = map.get(id);
  if (n === undefined) {
    n = map.size + 1;
    map.set(id, n);
  }
  return n;
}
