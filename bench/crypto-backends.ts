/**
 * Measures the `@noble/*` and `node:crypto` backends side by side for every
 * primitive the transform registry uses, checks that both give the same bytes,
 * and prints a Markdown table plus the per-primitive winners.
 *
 *   npx tsx bench/crypto-backends.ts [--ms 200]
 *
 * The winners are recorded in src/crypto/backend/index.ts (PRIMITIVE_CHOICE) and
 * src/crypto/ke/index.ts (KE_BACKEND_CHOICE); the table goes to bench/README.md.
 * The script exits non-zero if the two backends disagree on any output.
 */

import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { BACKENDS, PRIMITIVE_CHOICE } from '../src/crypto/backend/index.js';
import type { BackendName, Primitive, SymmetricBackend } from '../src/crypto/backend/types.js';
import { prfPlus } from '../src/crypto/kdf/prf-plus.js';
import { DH_GROUPS, dhEngine, KE_BACKEND_CHOICE, KE_METHODS } from '../src/crypto/ke/index.js';
import { buildRegistry } from '../src/crypto/registry.js';

const msArg = process.argv.indexOf('--ms');
const MIN_MS = msArg > 0 ? Number(process.argv[msArg + 1]) : 200;
/** Rounds per operation, alternating backends; the best round counts (least disturbed by GC/JIT). */
const ROUNDS = 3;
const SIZES = [100, 1400] as const;

interface Timing {
  readonly usPerOp: number;
  readonly opsPerSec: number;
}

/** The best of ROUNDS measurements of each function, interleaved so both see the same machine state. */
function measureBoth<K extends string>(fns: Record<K, () => unknown>): Record<K, Timing> {
  const best = {} as Record<K, Timing>;
  for (let round = 0; round < ROUNDS; round++) {
    for (const k of Object.keys(fns) as K[]) {
      const t = measure(fns[k]);
      if (!best[k] || t.usPerOp < best[k].usPerOp) best[k] = t;
    }
  }
  return best;
}

/** Runs `fn` until MIN_MS have passed (after a warm-up) and returns the mean time per call. */
function measure(fn: () => unknown): Timing {
  const warmUntil = performance.now() + MIN_MS / 4;
  while (performance.now() < warmUntil) fn();
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < MIN_MS) {
    for (let i = 0; i < 16; i++) fn();
    ops += 16;
    now = performance.now();
  }
  const usPerOp = ((now - start) * 1000) / ops;
  return { usPerOp, opsPerSec: 1e6 / usPerOp };
}

interface Row {
  readonly operation: string;
  /** The primitive whose backend choice this row informs, if any. */
  readonly primitive?: Primitive;
  readonly keKind?: 'modp' | 'ecp' | 'curve';
  readonly noble?: Timing;
  readonly node?: Timing;
}

const rows: Row[] = [];
let disagreements = 0;

function hex(b: unknown): string {
  return b instanceof Uint8Array ? Buffer.from(b).toString('hex') : JSON.stringify(b);
}

/** Times one operation on both backends after checking they produce the same output. */
function compare(
  operation: string,
  primitive: Primitive | undefined,
  make: (b: SymmetricBackend) => () => unknown,
): void {
  const fns = { noble: make(BACKENDS.noble), node: make(BACKENDS.node) };
  if (hex(fns.noble()) !== hex(fns.node())) {
    disagreements++;
    console.error(`DISAGREE: ${operation}`);
  }
  rows.push({ operation, primitive, ...measureBoth(fns) });
}

function symmetricRows(): void {
  const key32 = randomBytes(32);
  const key16 = randomBytes(16);
  const key24 = randomBytes(24);
  const iv16 = randomBytes(16);
  const nonce12 = randomBytes(12);
  const aad = randomBytes(8); // an ESP header's SPI and sequence number
  for (const size of SIZES) {
    const msg = randomBytes(size);
    const padded = randomBytes(Math.ceil(size / 16) * 16);
    const sealedGcm = BACKENDS.node.aesGcmSeal(key32, nonce12, aad, msg, 16);
    compare(
      `AES-GCM-256 seal, ${size} B`,
      'aesGcmSeal',
      (b) => () => b.aesGcmSeal(key32, nonce12, aad, msg, 16),
    );
    compare(
      `AES-GCM-256 open, ${size} B`,
      'aesGcmOpen',
      (b) => () => b.aesGcmOpen(key32, nonce12, aad, sealedGcm, 16),
    );
    compare(`AES-CBC-256 + HMAC-SHA-256-128, ${size} B`, undefined, (b) => () => {
      const ct = b.aesCbcEncrypt(key32, iv16, padded);
      return b.hmac('sha256', key32, ct).subarray(0, 16);
    });
    compare(
      `AES-CBC-256 encrypt, ${size} B`,
      'aesCbcEncrypt',
      (b) => () => b.aesCbcEncrypt(key32, iv16, padded),
    );
    compare(
      `AES-CBC-256 decrypt, ${size} B`,
      'aesCbcDecrypt',
      (b) => () => b.aesCbcDecrypt(key32, iv16, padded),
    );
    compare(`HMAC-SHA-256, ${size} B`, 'hmac', (b) => () => b.hmac('sha256', key32, msg));
    compare(`AES-CTR-256, ${size} B`, 'aesCtr', (b) => () => b.aesCtr(key32, iv16, msg));
    compare(
      `AES-CCM-256 (16) seal, ${size} B`,
      'aesCcmSeal',
      (b) => () => b.aesCcmSeal(key32, nonce12.subarray(0, 11), aad, msg, 16),
    );
    const sealedCcm = BACKENDS.node.aesCcmSeal(key32, nonce12.subarray(0, 11), aad, msg, 16);
    compare(
      `AES-CCM-256 (16) open, ${size} B`,
      'aesCcmOpen',
      (b) => () => b.aesCcmOpen(key32, nonce12.subarray(0, 11), aad, sealedCcm, 16),
    );
    compare(
      `ChaCha20-Poly1305 seal, ${size} B`,
      'chacha20Poly1305Seal',
      (b) => () => b.chacha20Poly1305Seal(key32, nonce12, aad, msg),
    );
    const sealedChacha = BACKENDS.node.chacha20Poly1305Seal(key32, nonce12, aad, msg);
    compare(
      `ChaCha20-Poly1305 open, ${size} B`,
      'chacha20Poly1305Open',
      (b) => () => b.chacha20Poly1305Open(key32, nonce12, aad, sealedChacha),
    );
    compare(`AES-CMAC-128, ${size} B`, 'aesCmac', (b) => () => b.aesCmac(key16, msg));
    const padded8 = randomBytes(Math.ceil(size / 8) * 8);
    compare(
      `3DES-CBC encrypt, ${size} B`,
      'des3CbcEncrypt',
      (b) => () => b.des3CbcEncrypt(key24, iv16.subarray(0, 8), padded8),
    );
    compare(
      `3DES-CBC decrypt, ${size} B`,
      'des3CbcDecrypt',
      (b) => () => b.des3CbcDecrypt(key24, iv16.subarray(0, 8), padded8),
    );
  }
  // prf+ as key derivation uses it: SKEYSEED -> the seven IKE SA keys of
  // aes256gcm16-prfsha256 (SK_d 32, SK_e 2 x 36, SK_p 2 x 32 = 168 octets), RFC 7296 §2.14.
  const regs = { noble: buildRegistry(BACKENDS.noble, []), node: buildRegistry(BACKENDS.node, []) };
  const seed = randomBytes(64 + 16);
  compare('prf+ HMAC-SHA-256, 168 B of keys', 'hmac', (b) => {
    const prf = regs[b.name as BackendName].prfByName('prfsha256')!;
    return () => prfPlus(prf, key32, seed, 168);
  });
}

/** One side of a DH exchange: our public value plus the shared secret. */
function keRows(): void {
  for (const [id, label] of [
    [31, 'X25519'],
    [19, 'ECDH P-256 (group 19)'],
    [14, 'MODP-2048 (group 14)'],
  ] as const) {
    const group = DH_GROUPS.find((g) => g.id === id)!;
    const engines = { noble: dhEngine(id, 'noble'), node: dhEngine(id, 'node') };
    const secret = group.drawSecret((n) => randomBytes(n));
    const peer = engines.node.publicFromSecret(group.drawSecret((n) => randomBytes(n)));
    const run = (e: (typeof engines)['node']) => () => [
      e.publicFromSecret(secret),
      e.computeShared(secret, peer),
    ];
    if (hex(run(engines.noble)().flat()) !== hex(run(engines.node)().flat())) {
      disagreements++;
      console.error(`DISAGREE: ${label}`);
    }
    rows.push({
      operation: `${label}: public value + shared secret`,
      keKind: group.kind,
      ...measureBoth({ noble: run(engines.noble), node: run(engines.node) }),
    });
  }
  // ML-KEM-768: Node 20's crypto has no ML-KEM, so @noble/post-quantum is the only backend.
  const mlkem = KE_METHODS.find((m) => m.id === 36)!;
  const random = (n: number) => Uint8Array.from(randomBytes(n));
  rows.push({
    operation: 'ML-KEM-768: keygen + encaps + decaps',
    ...measureBoth({
      noble: () => {
        const initiator = mlkem.initiate(random);
        const responder = mlkem.respond(random, initiator.publicValue);
        return initiator.computeSharedSecret(responder.publicValue);
      },
    }),
  });
}

function fmt(t?: Timing): string {
  if (!t) return 'n/a';
  return t.usPerOp >= 1000 ? `${(t.usPerOp / 1000).toFixed(2)} ms` : `${t.usPerOp.toFixed(2)} µs`;
}

function winnerOf(r: Row): BackendName | undefined {
  if (!r.noble || !r.node) return r.noble ? 'noble' : r.node ? 'node' : undefined;
  return r.noble.usPerOp < r.node.usPerOp ? 'noble' : 'node';
}

function ratio(r: Row): string {
  if (!r.noble || !r.node) return '';
  const x = Math.max(r.noble.usPerOp, r.node.usPerOp) / Math.min(r.noble.usPerOp, r.node.usPerOp);
  return `${x.toFixed(1)}x`;
}

/** Per primitive: the backend with the lower geometric-mean time over its rows. */
function primitiveWinners(): Map<Primitive, BackendName> {
  const logs = new Map<Primitive, { noble: number; node: number }>();
  for (const r of rows) {
    if (!r.primitive || !r.noble || !r.node) continue;
    const acc = logs.get(r.primitive) ?? { noble: 0, node: 0 };
    acc.noble += Math.log(r.noble.usPerOp);
    acc.node += Math.log(r.node.usPerOp);
    logs.set(r.primitive, acc);
  }
  return new Map([...logs].map(([p, s]) => [p, s.noble < s.node ? 'noble' : 'node']));
}

symmetricRows();
keRows();

console.log(`# crypto backends, ${new Date().toISOString()}`);
console.log(
  `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${MIN_MS} ms per measurement\n`,
);
console.log('| operation | @noble | node:crypto | faster | by |');
console.log('| --- | ---: | ---: | --- | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.operation} | ${fmt(r.noble)} | ${fmt(r.node)} | ${winnerOf(r) ?? ''} | ${ratio(r)} |`,
  );
}

console.log('\nPer-primitive winner (geometric mean over its rows) vs. PRIMITIVE_CHOICE:');
let mismatches = 0;
for (const [p, w] of primitiveWinners()) {
  const chosen = PRIMITIVE_CHOICE[p];
  if (chosen !== w) mismatches++;
  console.log(`  ${p}: measured ${w}, chosen ${chosen}${chosen === w ? '' : '  <-- differs'}`);
}
for (const r of rows.filter((x) => x.keKind)) {
  const chosen = KE_BACKEND_CHOICE[r.keKind!];
  console.log(
    `  KE ${r.keKind} (${r.operation.split(':')[0]}): measured ${winnerOf(r)}, chosen ${chosen}`,
  );
}
console.log(
  `\n${mismatches} symmetric choice(s) differ from this run; ${disagreements} output disagreement(s).`,
);
process.exitCode = disagreements === 0 ? 0 : 1;
