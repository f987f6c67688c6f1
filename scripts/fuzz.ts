/**
 * Fuzzes the wire codecs: mutated valid messages (bit flips, byte writes,
 * truncation, extension, length-field corruption, splices, duplicated spans)
 * and random bytes go to the IKEv2 decoders and to the ISAKMP decoder. Any
 * exception other than a WireError is a bug, as is a decoded message whose
 * re-encoding does not decode back to the same bytes.
 *
 * Usage: npx tsx scripts/fuzz.ts --iterations N [--seed S]
 * Exit code 1 when any input misbehaved; the first offenders are printed as hex.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isWireError } from '../src/wire/errors.js';
import {
  decodeIkeMessage,
  decodePayloadChain,
  encodeIkeMessage,
  encodePayloadChain,
  PayloadType,
  payloadTypeOf,
} from '../src/wire/ikev2/index.js';
import { ikeAuthInnerPayloads, sampleMessages } from '../test/wire/ikev2/fixtures.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  iterations: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { iterations: 10_000, seed: (Date.now() ^ (process.pid << 16)) >>> 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (
      (arg === '--iterations' || arg === '--seed') &&
      value !== undefined &&
      /^\d+$/.test(value)
    ) {
      opts[arg === '--iterations' ? 'iterations' : 'seed'] =
        arg === '--seed' ? Number(value) >>> 0 : Number(value);
      i++;
    } else if (arg === '--') {
      // npm run fuzz -- --iterations N passes a literal separator through
    } else {
      console.error(`usage: tsx scripts/fuzz.ts --iterations N [--seed S] (bad argument ${arg})`);
      process.exit(2);
    }
  }
  return opts;
}

/** xorshift32: small, seedable, good enough to pick mutations. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

type Target = 'ikev2' | 'ikev2-inner' | 'isakmp';

interface Seed {
  target: Target;
  bytes: Uint8Array;
  /** Offsets of 16- or 32-bit length fields worth corrupting. */
  lengthFields: number[];
  /** For inner chains: the type of the first payload. */
  firstType?: number;
}

interface Input {
  target: Target;
  bytes: Uint8Array;
  firstType?: number;
}

const hexToBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

function loadVectorHex(dir: string): string[] {
  const out: string[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return out;
  }
  for (const f of files) {
    const data = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      messages?: { hex?: string }[];
    };
    for (const m of data.messages ?? []) if (typeof m.hex === 'string') out.push(m.hex);
  }
  return out;
}

/** Length fields of a generic payload chain: each payload's 16-bit length. */
function chainLengthFields(buf: Uint8Array, start: number): number[] {
  const fields: number[] = [];
  let pos = start;
  while (pos + 4 <= buf.length) {
    fields.push(pos + 2);
    const len = (buf[pos + 2]! << 8) | buf[pos + 3]!;
    if (len < 4) break;
    pos += len;
  }
  return fields;
}

function buildSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const ikev2 = [
    ...sampleMessages().map((m) => encodeIkeMessage(m)),
    ...loadVectorHex(join(root, 'test-vectors/wire/ikev2')).map(hexToBytes),
  ];
  for (const b of ikev2) {
    seeds.push({ target: 'ikev2', bytes: b, lengthFields: [24, ...chainLengthFields(b, 28)] });
  }
  // Decrypted SK contents: every inner payload kind, and a rotation of them so
  // that each kind also heads a chain.
  const innerPayloads = ikeAuthInnerPayloads();
  innerPayloads.forEach((_, i) => {
    const rotated = [...innerPayloads.slice(i), ...innerPayloads.slice(0, i)];
    const bytes = encodePayloadChain(rotated);
    seeds.push({
      target: 'ikev2-inner',
      bytes,
      lengthFields: chainLengthFields(bytes, 0),
      firstType: payloadTypeOf(rotated[0]!),
    });
  });
  for (const h of loadVectorHex(join(root, 'test-vectors/wire/isakmp'))) {
    const b = hexToBytes(h);
    seeds.push({ target: 'isakmp', bytes: b, lengthFields: [24, ...chainLengthFields(b, 28)] });
  }
  return seeds;
}

function mutate(rng: Rng, seed: Seed, seeds: readonly Seed[]): Uint8Array {
  let b = Uint8Array.from(seed.bytes);
  // Mostly one mutation, so that most inputs stay close to valid and reach deep.
  const rounds = rng.int(4) === 0 ? 2 + rng.int(3) : 1;
  for (let r = 0; r < rounds; r++) {
    switch (rng.int(8)) {
      case 0: {
        const flips = 1 + rng.int(8);
        for (let i = 0; i < flips && b.length > 0; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8);
        break;
      }
      case 1:
        // An interesting value, or a small step from the old one, at one octet.
        if (b.length > 0) {
          const at = rng.int(b.length);
          const old = b[at]!;
          b[at] =
            rng.pick([0, 1, 0xff, 0x80, 0x7f, old + 1, old - 1, old + 4, old - 4, rng.int(256)]) &
            0xff;
        }
        break;
      case 2:
        b = b.slice(0, rng.int(b.length + 1));
        break;
      case 3: {
        const extra = rng.bytes(1 + rng.int(64));
        const out = new Uint8Array(b.length + extra.length);
        out.set(b);
        out.set(extra, b.length);
        b = out;
        break;
      }
      case 4:
      case 5: {
        // Length-field corruption: small, off-by-one, huge or zero values.
        const at =
          seed.lengthFields.length > 0 && rng.int(4) !== 0
            ? rng.pick(seed.lengthFields)
            : rng.int(b.length);
        if (at + 1 < b.length) {
          const old = (b[at]! << 8) | b[at + 1]!;
          const v =
            rng.pick([
              0,
              1,
              3,
              4,
              5,
              0xffff,
              old + 1,
              old - 1,
              old + 4,
              old - 4,
              rng.int(0x10000),
            ]) & 0xffff;
          b[at] = v >>> 8;
          b[at + 1] = v & 0xff;
        }
        break;
      }
      case 6: {
        // Splice: a prefix of this input and a suffix of another seed.
        const other = rng.pick(seeds).bytes;
        const cut = rng.int(b.length + 1);
        const from = rng.int(other.length + 1);
        const out = new Uint8Array(cut + other.length - from);
        out.set(b.subarray(0, cut));
        out.set(other.subarray(from), cut);
        b = out;
        break;
      }
      default: {
        // Duplicate a span in place (repeated payloads, repeated substructures).
        if (b.length === 0) break;
        const s = rng.int(b.length);
        const e = s + 1 + rng.int(Math.min(64, b.length - s));
        const out = new Uint8Array(b.length + (e - s));
        out.set(b.subarray(0, e));
        out.set(b.subarray(s), e);
        b = out;
      }
    }
  }
  // Keep the header Length honest half the time so the chain decoder is reached.
  if (seed.target !== 'ikev2-inner' && b.length >= 28 && rng.int(2) === 0) {
    new DataView(b.buffer, b.byteOffset).setUint32(24, b.length);
  }
  return b;
}

function randomInput(rng: Rng): Input {
  const target = rng.pick<Target>(['ikev2', 'ikev2-inner', 'isakmp']);
  const b = rng.bytes(rng.int(400));
  if (target !== 'ikev2-inner' && b.length >= 28 && rng.int(2) === 0) {
    b[17] = target === 'ikev2' ? 0x20 : 0x10;
    new DataView(b.buffer).setUint32(24, b.length);
  }
  return { target, bytes: b, firstType: rng.pick(INNER_FIRST_TYPES) };
}

/** A quarter of the mutated inputs start from decrypted SK contents. */
function mutatedInput(rng: Rng, seeds: readonly Seed[]): Input {
  const inner = seeds.filter((s) => s.target === 'ikev2-inner');
  const outer = seeds.filter((s) => s.target !== 'ikev2-inner');
  const seed = rng.int(4) === 0 ? rng.pick(inner) : rng.pick(outer);
  // Mostly the seed's own first type; sometimes another, to misparse on purpose.
  const firstType = rng.int(8) === 0 ? rng.pick(INNER_FIRST_TYPES) : seed.firstType;
  return { target: seed.target, bytes: mutate(rng, seed, seeds), firstType };
}

const INNER_FIRST_TYPES = [
  PayloadType.SA,
  PayloadType.KE,
  PayloadType.IDi,
  PayloadType.IDr,
  PayloadType.CERT,
  PayloadType.CERTREQ,
  PayloadType.AUTH,
  PayloadType.NONCE,
  PayloadType.NOTIFY,
  PayloadType.DELETE,
  PayloadType.VENDOR_ID,
  PayloadType.TSi,
  PayloadType.TSr,
  PayloadType.CP,
  PayloadType.EAP,
  PayloadType.SK,
  PayloadType.SKF,
  1,
  99,
  255,
];

type IsakmpDecode = (b: Uint8Array) => unknown;

async function loadIsakmp(): Promise<IsakmpDecode | undefined> {
  try {
    const mod = (await import('../src/wire/isakmp/index.js')) as {
      decodeIsakmpMessage?: IsakmpDecode;
    };
    return typeof mod.decodeIsakmpMessage === 'function' ? mod.decodeIsakmpMessage : undefined;
  } catch (e) {
    console.log(
      `note: ISAKMP target skipped, src/wire/isakmp/index.ts not loadable (${(e as Error).message})`,
    );
    return undefined;
  }
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Runs one decoder; returns a description of the misbehaviour, if any. The
 * decoder may only throw WireError; once it accepted an input, re-encoding and
 * decoding again must not throw at all and must give the same bytes.
 */
function runOne(
  target: Target,
  b: Uint8Array,
  innerFirstType: number,
  isakmp: IsakmpDecode | undefined,
): string | undefined {
  let roundTrip: (() => string | undefined) | undefined;
  try {
    if (target === 'ikev2') {
      const decoded = decodeIkeMessage(b);
      roundTrip = () => {
        const first = encodeIkeMessage(decoded);
        const second = encodeIkeMessage(decodeIkeMessage(first));
        return equalBytes(first, second) ? undefined : 're-encoding is not stable';
      };
    } else if (target === 'ikev2-inner') {
      const firstType = innerFirstType;
      const decoded = decodePayloadChain(b, firstType, 0, 'inner');
      roundTrip = () => {
        const first = encodePayloadChain(decoded);
        const second = encodePayloadChain(decodePayloadChain(first, firstType, 0, 'inner'));
        return equalBytes(first, second)
          ? undefined
          : 're-encoding of an inner chain is not stable';
      };
    } else if (isakmp) {
      isakmp(b);
    }
  } catch (e) {
    if (isWireError(e)) {
      const codes = outcomes[target].errors;
      codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      return undefined;
    }
    return `decoder threw ${describe(e)}`;
  }
  outcomes[target].accepted++;
  try {
    return roundTrip?.();
  } catch (e) {
    return `re-encoding an accepted input threw ${describe(e)}`;
  }
}

const describe = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : `a non-Error value: ${String(e)}`;

/** How the decoders answered, to show that mutations reach past the header. */
const outcomes: Record<Target, { accepted: number; errors: Map<string, number> }> = {
  ikev2: { accepted: 0, errors: new Map() },
  'ikev2-inner': { accepted: 0, errors: new Map() },
  isakmp: { accepted: 0, errors: new Map() },
};

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const isakmp = await loadIsakmp();
  const seeds = buildSeeds().filter((s) => s.target !== 'isakmp' || isakmp);
  const rng = new Rng(opts.seed);
  const counts: Record<Target, number> = { ikev2: 0, 'ikev2-inner': 0, isakmp: 0 };
  const offenders: { target: Target; why: string; hex: string; iteration: number }[] = [];
  let bad = 0;
  const started = Date.now();
  for (let i = 0; i < opts.iterations; i++) {
    const input = rng.int(5) === 0 ? randomInput(rng) : mutatedInput(rng, seeds);
    // Every input also goes to the other IKE decoder: both must cope with either.
    const targets: Target[] =
      input.target === 'ikev2-inner' ? ['ikev2-inner'] : ['ikev2', 'isakmp'];
    if (!isakmp && targets.includes('isakmp')) targets.pop();
    for (const t of targets) {
      counts[t]++;
      const why = runOne(t, input.bytes, input.firstType ?? PayloadType.IDi, isakmp);
      if (why !== undefined) {
        bad++;
        if (offenders.length < 5)
          offenders.push({ target: t, why, hex: toHex(input.bytes), iteration: i });
      }
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`seed ${opts.seed}: ${opts.iterations} inputs in ${seconds} s`);
  console.log(
    `decoder runs: ikev2 ${counts.ikev2}, ikev2-inner ${counts['ikev2-inner']}, isakmp ${isakmp ? counts.isakmp : 'skipped'}`,
  );
  for (const [target, o] of Object.entries(outcomes)) {
    if (target === 'isakmp' && !isakmp) continue;
    const codes = [...o.errors].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`);
    console.log(`  ${target}: accepted ${o.accepted}; WireError ${codes.join(', ')}`);
  }
  console.log(`untyped failures or unstable re-encodings: ${bad}`);
  for (const o of offenders) {
    console.log(`  #${o.iteration} ${o.target}: ${o.why}\n    ${o.hex}`);
  }
  process.exit(bad === 0 ? 0 : 1);
}

await main();
