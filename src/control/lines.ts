/**
 * Newline-delimited JSON framing with a bound on line length, so a client
 * that never sends a newline cannot make the reader buffer without limit.
 */

export class LineReader {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #failed = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.#failed) return;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (this.#pendingBytes + piece.length > this.maxLineBytes) {
        this.#fail();
        return;
      }
      const line = Buffer.concat([...this.#pending, piece]).toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      start = nl + 1;
      if (line.trim() !== '') this.onLine(line);
    }
    const rest = chunk.subarray(start);
    this.#pendingBytes += rest.length;
    if (this.#pendingBytes > this.maxLineBytes) {
      this.#fail();
      return;
    }
    if (rest.length > 0) this.#pending.push(Buffer.from(rest));
  }

  #fail(): void {
    this.#failed = true;
    this.#pending = [];
    this.onTooLong();
  }
}
