// What must hold after a step, as in strongSwan's evaltest.dat: patterns over
// the text of a command (`ip xfrm state`, a tcpdump decode, a driver's output).
// Pure functions: unit-tested in test/interop/expect.test.ts.

export interface CountExpectation {
  readonly pattern: RegExp;
  readonly min?: number;
  readonly max?: number;
}

export interface TextExpectation {
  /** Each must match somewhere in the text. */
  readonly match?: readonly RegExp[];
  /** None may match anywhere in the text. */
  readonly noMatch?: readonly RegExp[];
  /** The number of lines each pattern matches must lie within [min, max]. */
  readonly count?: readonly CountExpectation[];
}

/** The reasons `text` does not meet `expected`; empty when it does. */
export function evaluateText(text: string, expected: TextExpectation): string[] {
  const failures: string[] = [];
  for (const re of expected.match ?? []) {
    if (!re.test(text)) failures.push(`no match for ${re}`);
  }
  for (const re of expected.noMatch ?? []) {
    const m = re.exec(text);
    if (m) failures.push(`unexpected match for ${re}: "${lineAround(text, m.index)}"`);
  }
  for (const c of expected.count ?? []) {
    const n = countMatchingLines(text, c.pattern);
    if (c.min !== undefined && n < c.min) {
      failures.push(`${n} lines match ${c.pattern}, expected at least ${c.min}`);
    }
    if (c.max !== undefined && n > c.max) {
      failures.push(`${n} lines match ${c.pattern}, expected at most ${c.max}`);
    }
  }
  return failures;
}

export function countMatchingLines(text: string, pattern: RegExp): number {
  // A global or sticky regex keeps lastIndex between test() calls: use a copy.
  const re = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return text.split('\n').filter((line) => re.test(line)).length;
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

export interface PingSummary {
  readonly transmitted: number;
  readonly received: number;
}

/** Reads iputils ping's "N packets transmitted, M received" line. */
export function parsePingSummary(output: string): PingSummary | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  if (!m) return undefined;
  return { transmitted: Number(m[1]), received: Number(m[2]) };
}

/**
 * The scenarios `npm run lab -- PATTERN` runs: PATTERN is a case-insensitive
 * regular expression searched in the name (so a plain word selects by substring);
 * an empty pattern selects all.
 */
export function selectByPattern<T extends { readonly name: string }>(
  items: readonly T[],
  pattern: string,
): T[] {
  if (pattern === '') return [...items];
  const re = new RegExp(pattern, 'i');
  return items.filter((s) => re.test(s.name));
}

/** One entry of the lab's work queue: a scenario and its bound in seconds. */
export interface QueueEntry {
  readonly name: string;
  readonly boundS: number;
}

/**
 * The order the boots take scenarios in: longest bound first (a long scenario
 * started last would leave every other boot idle while it runs), then by name,
 * so that two runs of one selection queue alike.
 */
export function queueOrder(entries: readonly QueueEntry[]): QueueEntry[] {
  return [...entries].sort((a, b) => b.boundS - a.boundS || a.name.localeCompare(b.name));
}

/** queue.txt as written by `main.js --queue`: "name boundS" per line; malformed lines are skipped. */
export function parseQueue(text: string): QueueEntry[] {
  const entries: QueueEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line.trim());
    if (m) entries.push({ name: m[1]!, boundS: Number(m[2]) });
  }
  return entries;
}

/** queue.txt's text for these entries, in queue order. */
export function formatQueue(entries: readonly QueueEntry[]): string {
  return queueOrder(entries)
    .map((e) => `${e.name} ${e.boundS}\n`)
    .join('');
}

/**
 * The entries of `ip xfrm state` / `ip xfrm policy` output, each with its
 * indented continuation lines, leaving out per-socket policies ("socket in",
 * "socket out"): those belong to open sockets and go with them.
 */
export function xfrmEntries(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) entries.push(line);
    else if (entries.length > 0 && line.trim() !== '') entries[entries.length - 1] += `\n${line}`;
  }
  return entries.filter((e) => !/^\s+socket (in|out) /m.test(e));
}

export function formatDuration(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function resultLine(name: string, failure: string | undefined, ms: number): string {
  return failure === undefined
    ? `PASS ${name} (${formatDuration(ms)})`
    : `FAIL ${name}: ${failure.replace(/\s*\n\s*/g, '; ')}`;
}

export function summaryLine(passed: number, failed: number): string {
  return `${passed} passed, ${failed} failed`;
}

/** `text` as a regular expression source matching itself literally (for addresses in patterns). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The output of `ip -all netns exec CMD`, by namespace ("netns: NAME" headers). */
export function splitPerNamespace(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^netns: (\S+)$/.exec(line);
    if (header) {
      current = header[1]!;
      out.set(current, '');
    } else if (current !== undefined && line !== '') {
      out.set(current, `${out.get(current)}${line}\n`);
    }
  }
  return out;
}
