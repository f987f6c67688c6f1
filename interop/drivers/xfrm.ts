// Lab driver: runs a list of operations against the kernel's XFRM through
// Styx's own NetlinkKernel (src/kernel/), inside one network namespace, and
// prints one JSON line per operation and per kernel event.
//
//   node .lab/build-<run>/interop/drivers/xfrm.js '<JSON array of operations>'
//
// An operation is { "op": NAME, ...arguments } with NAME one of: addSa,
// updateSa ({sa}), allocSpi ({req}), deleteSa, getSa ({id}), listSas,
// flushSas ({proto?}), addPolicy, updatePolicy ({policy}), deletePolicy,
// getPolicy ({id}), listPolicies, flushPolicies, subscribe (print kernel events
// from now on), waitEvent ({type, hard?, timeoutMs}: until such an event has
// been seen since subscribe), sleep ({ms}), hold (until SIGTERM).
// Any operation may carry "save": NAME (its result is then "$NAME" in later
// operations, e.g. the SPI from allocSpi, or "$NAME.0.spi" for a field of it)
// and "expectError": CODE (it must
// fail with that KernelError code). Fields named "key" are hex strings.
// Exit status: 0 when every operation did as expected, 1 otherwise.
import { KernelError } from '../../src/kernel/errors.js';
import { NetlinkKernel } from '../../src/kernel/netlink-kernel.js';
import type { KernelEvent } from '../../src/kernel/types.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Operation = { op: string; save?: string; expectError?: string } & Record<string, Json>;

function print(line: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify(line, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}\n`,
  );
}

/** "$name" -> a saved result; "key": "hex" -> bytes. */
function resolve(value: Json, saved: Map<string, unknown>, field = ''): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('$')) {
      // "$name" or "$name.path.to.field" (e.g. "$sas.0.spi").
      const [name = '', ...path] = value.slice(1).split('.');
      if (!saved.has(name)) throw new Error(`nothing saved as $${name}`);
      let v: unknown = saved.get(name);
      for (const key of path) v = (v as Record<string, unknown> | undefined)?.[key];
      if (v === undefined) throw new Error(`${value} is undefined`);
      return v;
    }
    if (field === 'key') return Uint8Array.from(Buffer.from(value, 'hex'));
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, saved));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, saved, k)]));
  }
  return value;
}

const events: KernelEvent[] = [];

async function perform(
  kernel: NetlinkKernel,
  op: Operation,
  saved: Map<string, unknown>,
): Promise<unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: arguments are checked by the kernel layer itself.
  const a = resolve(op as Json, saved) as any;
  switch (op.op) {
    case 'addSa':
      return kernel.addSa(a.sa);
    case 'updateSa':
      return kernel.updateSa(a.sa);
    case 'allocSpi':
      return kernel.allocSpi(a.req);
    case 'deleteSa':
      return kernel.deleteSa(a.id);
    case 'getSa':
      return kernel.getSa(a.id);
    case 'listSas':
      return kernel.listSas();
    case 'flushSas':
      return kernel.flushSas(a.proto);
    case 'addPolicy':
      return kernel.addPolicy(a.policy);
    case 'updatePolicy':
      return kernel.updatePolicy(a.policy);
    case 'deletePolicy':
      return kernel.deletePolicy(a.id);
    case 'getPolicy':
      return kernel.getPolicy(a.id);
    case 'listPolicies':
      return kernel.listPolicies();
    case 'flushPolicies':
      return kernel.flushPolicies();
    case 'subscribe':
      kernel.onEvent((e) => {
        if (e.type === 'link' || e.type === 'address' || e.type === 'route') return;
        events.push(e);
        print({ event: e.type, ...e });
      });
      return undefined;
    case 'waitEvent':
      return waitEvent(a.type, a.hard, a.timeoutMs ?? 10_000);
    case 'sleep':
      return new Promise((r) => setTimeout(r, a.ms));
    case 'hold':
      return new Promise<void>((resolveHold) => {
        const keepAlive = setInterval(() => {}, 1 << 30);
        const stop = () => {
          clearInterval(keepAlive);
          resolveHold();
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    default:
      throw new Error(`unknown operation ${op.op}`);
  }
}

async function waitEvent(
  type: string,
  hard: boolean | undefined,
  timeoutMs: number,
): Promise<KernelEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const e = events.find(
      (x) => x.type === type && (hard === undefined || ('hard' in x && x.hard === hard)),
    );
    if (e) return e;
    if (Date.now() > deadline)
      throw new Error(
        `no ${type} event${hard === undefined ? '' : hard ? ' (hard)' : ' (soft)'} within ${timeoutMs} ms`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<number> {
  const text = process.argv[2];
  if (!text) {
    console.error('usage: xfrm.js <JSON array of operations>');
    return 2;
  }
  const ops = JSON.parse(text) as Operation[];
  const kernel = new NetlinkKernel({
    logger: { warn: (message, fields) => print({ warning: message, ...fields }) },
  });
  const saved = new Map<string, unknown>();
  let ok = true;
  try {
    for (const op of ops) {
      try {
        const result = await perform(kernel, op, saved);
        if (op.save) saved.set(op.save, result);
        if (op.expectError) {
          print({ op: op.op, ok: false, error: `succeeded, expected ${op.expectError}` });
          ok = false;
          break;
        }
        print({ op: op.op, ok: true, ...(result === undefined ? {} : { result }) });
      } catch (err) {
        const code = err instanceof KernelError ? err.code : 'ERROR';
        const message = err instanceof Error ? err.message : String(err);
        if (op.expectError === code) {
          print({ op: op.op, ok: true, expectedError: code, message });
          continue;
        }
        print({ op: op.op, ok: false, error: code, message });
        ok = false;
        break;
      }
    }
  } finally {
    await kernel.close();
  }
  const s = kernel.stats();
  print({ done: ok, stats: s });
  return ok && s.unparsable === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    print({ fatal: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
