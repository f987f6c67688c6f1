/**
 * Two engines with one connection each (`a` initiates to `b`, one CHILD_SA)
 * whose authentication rounds a test chooses; for the certificate and EAP
 * engine tests. Certificates are checked at the test PKI's NOW.
 */
import { expect } from 'vitest';
import type { IkeConnection } from '../../src/ikev2/connection.js';
import { NOW } from '../auth/test-pki.js';
import { child, connection, makePair } from './engine-pair.js';

export type AuthSide = Pick<IkeConnection, 'local' | 'remote'> & Partial<IkeConnection>;

export function authPair(seed: string, a: AuthSide, b: AuthSide) {
  const pair = makePair(seed, { certificateTime: () => NOW });
  pair.a.engine.setConnections([
    connection('a', '192.0.2.1', '192.0.2.2', {
      children: [child('net', '10.1.0.0/16', '10.2.0.0/16')],
      ...a,
    }),
  ]);
  pair.b.engine.setConnections([
    connection('b', '192.0.2.2', '192.0.2.1', {
      children: [child('net', '10.2.0.0/16', '10.1.0.0/16')],
      ...b,
    }),
  ]);
  return pair;
}

export type AuthPair = ReturnType<typeof authPair>;

/** `a` initiates; true once both sides hold the IKE_SA with its CHILD_SA. */
export async function establish(pair: AuthPair): Promise<boolean> {
  await pair.a.engine.initiate('a');
  return pair.run(
    () =>
      pair.a.engine.listSas()[0]?.children.length === 1 &&
      pair.b.engine.listSas()[0]?.children.length === 1,
    60_000,
  );
}

/** `a` initiates and authentication must fail: nothing remains on either side; both logs. */
export async function failBoth(pair: AuthPair): Promise<{ a: string; b: string }> {
  await pair.a.engine.initiate('a');
  await pair.run(
    () => pair.a.engine.listSas().length === 0 && pair.b.engine.listSas().length === 0,
    60_000,
  );
  expect(pair.a.engine.listSas()).toHaveLength(0);
  expect(pair.b.engine.listSas()).toHaveLength(0);
  expect(await pair.a.kernel.listSas()).toHaveLength(0);
  expect(await pair.b.kernel.listSas()).toHaveLength(0);
  return { a: pair.a.logger.lines.join('\n'), b: pair.b.logger.lines.join('\n') };
}
