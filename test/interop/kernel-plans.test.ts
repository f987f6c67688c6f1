import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateText } from '../../interop/runner/expect.js';
import { DATAPATH_CASES } from '../../interop/scenarios/kernel-datapath.js';
import {
  type DatapathCase,
  installOps,
  policiesOf,
  policyPatterns,
  removeOps,
  sasFrom,
  statePatterns,
  testKey,
} from '../../interop/scenarios/kernel-plans.js';

// `ip xfrm state` / `ip xfrm policy` in moon, recorded inside UML after the
// kernel-esp-tunnel-gcm-v4 case installed its SAs and policies.
const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const STATE = fixture('uml-ip-xfrm-state-esp-gcm-tunnel.txt');
const POLICY = fixture('uml-ip-xfrm-policy-esp-tunnel-moon.txt');
const GCM_TUNNEL = DATAPATH_CASES.find((c) => c.name === 'kernel-esp-tunnel-gcm-v4')!;

describe('readback patterns against recorded iproute2 output', () => {
  it('match the SAs of both directions and the policies of moon', () => {
    const state = [...statePatterns(GCM_TUNNEL, 'moon'), ...statePatterns(GCM_TUNNEL, 'sun')];
    expect(evaluateText(STATE, { match: state })).toEqual([]);
    expect(evaluateText(POLICY, { match: policyPatterns(GCM_TUNNEL, 'moon') })).toEqual([]);
  });

  it('fail on one wrong key octet', () => {
    const key = testKey(36, 1);
    const tampered = STATE.replace(key, `${key.slice(0, 10)}ff${key.slice(12)}`);
    expect(tampered).not.toBe(STATE);
    expect(evaluateText(tampered, { match: statePatterns(GCM_TUNNEL, 'moon') })).toHaveLength(1);
  });

  it('fail when a field belongs to the other SA', () => {
    // Swap the two keys: each still appears, but under the wrong SPI.
    const [a, b] = [testKey(36, 1), testKey(36, 2)];
    const swapped = STATE.replace(a, 'KEY_A').replace(b, a).replace('KEY_A', b);
    expect(evaluateText(swapped, { match: statePatterns(GCM_TUNNEL, 'moon') })).toHaveLength(1);
  });

  it('fail on another priority or a missing fwd policy', () => {
    expect(
      evaluateText(POLICY.replaceAll('priority 2000', 'priority 2001'), {
        match: policyPatterns(GCM_TUNNEL, 'moon'),
      }),
    ).toHaveLength(3);
    const noFwd = POLICY.split(/(?=^src )/m)
      .filter((entry) => !/dir fwd/.test(entry))
      .join('');
    expect(evaluateText(noFwd, { match: policyPatterns(GCM_TUNNEL, 'moon') })).toHaveLength(1);
  });
});

describe('SA and policy plans', () => {
  it('remove exactly what they install, on both sides, for every case', () => {
    for (const c of DATAPATH_CASES.filter((x) => !x.removeByFlush)) {
      for (const side of ['moon', 'sun'] as const) {
        const installed = installOps(c, side) as {
          op: string;
          sa?: Record<string, unknown>;
          policy?: Record<string, unknown>;
        }[];
        const removed = removeOps(c, side) as { op: string; id: Record<string, unknown> }[];
        const sas = installed
          .filter((o) => o.op === 'addSa')
          .map((o) => `${o.sa!.dst}/${o.sa!.spi}/${o.sa!.proto}`);
        const deleted = removed
          .filter((o) => o.op === 'deleteSa')
          .map((o) => `${o.id.dst}/${o.id.spi}/${o.id.proto}`);
        expect(deleted.sort(), `${c.name} ${side}`).toEqual(sas.sort());
        const policies = installed
          .filter((o) => o.op === 'addPolicy')
          .map((o) => JSON.stringify([o.policy!.selector, o.policy!.dir]));
        const deletedPolicies = removed
          .filter((o) => o.op === 'deletePolicy')
          .map((o) => JSON.stringify([o.id.selector, o.id.dir]));
        expect(deletedPolicies.sort(), `${c.name} ${side}`).toEqual(policies.sort());
      }
    }
  });

  it('stack IPComp in tunnel mode inside ESP in transport mode, optional inbound', () => {
    const c: DatapathCase = DATAPATH_CASES.find((x) => x.ipcomp)!;
    expect(sasFrom(c, 'moon').map((sa) => `${sa.proto}/${sa.mode}`)).toEqual([
      'esp/transport',
      'comp/tunnel',
    ]);
    const [out, inbound] = policiesOf(c, 'moon') as {
      dir: string;
      templates: { proto: string; optional?: boolean }[];
    }[];
    expect(out!.templates.map((t) => [t.proto, t.optional ?? false])).toEqual([
      ['comp', false],
      ['esp', false],
    ]);
    expect(inbound!.templates.map((t) => [t.proto, t.optional ?? false])).toEqual([
      ['comp', true],
      ['esp', false],
    ]);
  });

  it('give fwd policies in tunnel mode only', () => {
    for (const c of DATAPATH_CASES) {
      const dirs = policiesOf(c, 'sun').map((p) => p.dir);
      expect(dirs, c.name).toEqual(c.mode === 'tunnel' ? ['out', 'in', 'fwd'] : ['out', 'in']);
    }
  });
});
