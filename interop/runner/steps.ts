// Executes one scenario step and checks what it says must hold; throws an Error
// whose message is the reason the scenario fails.
import { join } from 'node:path';
import { type Capture, decodeCapture } from './capture.js';
import { type CharonInstance, swanctl, swanctlEnv } from './charon.js';
import { type Background, inNamespace, type Log, run, sleep } from './exec.js';
import { evaluateText, parsePingSummary, type TextExpectation } from './expect.js';
import type { Step } from './scenario.js';

export interface StepEnv {
  readonly log: Log;
  readonly buildRoot: string;
  readonly charons: ReadonlyMap<string, CharonInstance>;
  readonly nodeDaemons: ReadonlyMap<string, Background>;
  readonly captures: ReadonlyMap<string, Capture>;
  /** For `run` steps. */
  readonly context: import('./scenario.js').LabContext;
}

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'exec':
      return `exec in ${step.ns}: ${step.argv.join(' ')}`;
    case 'swanctl':
      return `swanctl in ${step.ns}: ${step.args.join(' ')}`;
    case 'ping':
      return `ping ${step.from} -> ${step.to} (${step.expect})`;
    case 'xfrm':
      return `ip xfrm ${step.show} in ${step.ns}`;
    case 'capture':
      return `capture ${step.name}`;
    case 'driver':
      return `driver ${step.driver} in ${step.ns} ${(step.args ?? []).join(' ')}`;
    case 'daemon-output':
      return `output of ${step.name}`;
    case 'sleep':
      return `sleep ${step.ms} ms`;
    case 'run':
      return step.what;
  }
}

function check(what: string, text: string, expected: TextExpectation | undefined): void {
  if (!expected) return;
  const failures = evaluateText(text, expected);
  if (failures.length > 0) throw new Error(`${what}: ${failures.join('; ')}`);
}

export function driverPath(buildRoot: string, driver: string): string {
  return join(buildRoot, 'interop', 'drivers', `${driver}.js`);
}

const XFRM_SHOW = {
  state: ['ip', 'xfrm', 'state'],
  stats: ['ip', '-s', 'xfrm', 'state'],
  policy: ['ip', 'xfrm', 'policy'],
} as const;

export async function runStep(step: Step, env: StepEnv): Promise<void> {
  const { log } = env;
  switch (step.do) {
    case 'exec': {
      const r = await run(inNamespace(step.ns, step.argv), { timeoutMs: 30_000 });
      log.result(r);
      const want = step.expectExit ?? 0;
      if (r.code !== want) throw new Error(`exit ${r.code}, expected ${want}: ${r.stderr.trim()}`);
      check('output', r.stdout, step.expect);
      return;
    }
    case 'swanctl': {
      const c = env.charons.get(step.ns);
      if (!c) throw new Error(`no charon in ${step.ns}`);
      const r = await run(swanctl(c, step.args), { timeoutMs: 30_000, env: swanctlEnv(c) });
      log.result(r);
      if (r.code !== 0)
        throw new Error(`swanctl exit ${r.code}: ${lastLines(r.stdout + r.stderr)}`);
      check('swanctl output', r.stdout, step.expect);
      return;
    }
    case 'ping': {
      const count = step.count ?? 3;
      const v6 = step.to.includes(':');
      const argv = ['ping', ...(v6 ? ['-6'] : ['-4']), '-c', String(count), '-i', '0.2', '-W', '1'];
      if (step.size !== undefined) argv.push('-s', String(step.size));
      if (step.source !== undefined) argv.push('-I', step.source);
      const r = await run(inNamespace(step.from, [...argv, step.to]), { timeoutMs: 30_000 });
      log.result(r);
      const s = parsePingSummary(r.stdout);
      if (!s) throw new Error(`ping gave no summary: ${lastLines(r.stdout + r.stderr)}`);
      if (step.expect === 'reply' && s.received === 0) {
        throw new Error(`no reply from ${step.to} (${s.transmitted} sent)`);
      }
      if (step.expect === 'no-reply' && s.received > 0) {
        throw new Error(`${s.received} replies from ${step.to}, expected none`);
      }
      return;
    }
    case 'xfrm': {
      const r = await run(inNamespace(step.ns, XFRM_SHOW[step.show]), { timeoutMs: 10_000 });
      log.result(r);
      if (r.code !== 0) throw new Error(`ip xfrm failed: ${r.stderr.trim()}`);
      check(`ip xfrm ${step.show} in ${step.ns}`, r.stdout, step.expect);
      return;
    }
    case 'capture': {
      const c = env.captures.get(step.name);
      if (!c) throw new Error(`no capture named ${step.name}`);
      const text = await decodeCapture(c, log);
      check(`capture ${step.name}`, text, step.expect);
      return;
    }
    case 'driver': {
      const argv = inNamespace(step.ns, [
        'node',
        driverPath(env.buildRoot, step.driver),
        ...(step.args ?? []),
      ]);
      const r = await run(argv, { timeoutMs: step.timeoutMs ?? 30_000 });
      log.result(r);
      const want = step.expectExit ?? 0;
      if (r.timedOut) throw new Error(`driver ${step.driver} timed out`);
      if (r.code !== want) {
        throw new Error(`driver ${step.driver} exit ${r.code}: ${lastLines(r.stderr || r.stdout)}`);
      }
      check(`driver ${step.driver} output`, r.stdout, step.expect);
      return;
    }
    case 'daemon-output': {
      const d = env.nodeDaemons.get(step.name);
      if (!d) throw new Error(`no daemon named ${step.name}`);
      const deadline = Date.now() + (step.timeoutMs ?? 5000);
      for (;;) {
        const failures = evaluateText(d.output(), step.expect);
        if (failures.length === 0) return;
        if (Date.now() > deadline)
          throw new Error(`output of ${step.name}: ${failures.join('; ')}`);
        await sleep(100);
      }
    }
    case 'sleep':
      await sleep(step.ms);
      return;
    case 'run':
      await step.run(env.context);
      return;
  }
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' / ');
}
