/**
 * The IKE_SA's hard lifetime (strongSwan's over_time): without a rekey by
 * rekey_time + over_time the IKE_SA is deleted, with a delete the peer
 * answers; a rekey in time resets the clock for the new IKE_SA.
 */
import { describe, expect, it } from 'vitest';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import { child, connection, makePair } from '../support/engine-pair.js';

function configure(pair: ReturnType<typeof makePair>, a: { rekey: boolean }) {
  const psk = { local: { method: 'psk' as const, id: fqdnIdentity('moon') } };
  pair.a.engine.setConnections([
    connection('a', '192.0.2.1', '192.0.2.2', {
      ...psk,
      remote: { method: 'psk', id: fqdnIdentity('sun') },
      children: [child('net', '10.1.0.0/16', '10.2.0.0/16')],
      rekeyMs: 10_000,
      overTimeMs: 5000,
      rekey: a.rekey,
    }),
  ]);
  pair.b.engine.setConnections([
    connection('b', '192.0.2.2', '192.0.2.1', {
      local: { method: 'psk', id: fqdnIdentity('sun') },
      remote: { method: 'psk', id: fqdnIdentity('moon') },
      children: [child('net', '10.2.0.0/16', '10.1.0.0/16')],
      rekeyMs: 0,
    }),
  ]);
}

describe('IKE_SA hard lifetime (rekey_time + over_time)', () => {
  it('deletes an IKE_SA nobody rekeyed, on both sides', async () => {
    const pair = makePair('ike-hard-lifetime');
    configure(pair, { rekey: false });
    await pair.a.engine.initiate('a');
    await pair.run(() => pair.b.engine.listSas()[0]?.children.length === 1);
    const started = pair.clock.now();
    await pair.run(() => false, 14_000);
    expect(pair.a.engine.listSas()).toHaveLength(1);
    await pair.run(() => pair.a.engine.listSas().length === 0, 5_000);
    expect(pair.clock.now() - started).toBeGreaterThanOrEqual(15_000);
    expect(pair.a.engine.listSas()).toHaveLength(0);
    expect(pair.b.engine.listSas()).toHaveLength(0);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    expect(pair.a.logger.lines.join('\n')).toContain(
      'IKE_SA hard lifetime reached (10 s + 5 s), deleting',
    );
  });

  it('a rekey in time replaces the IKE_SA and the new one gets its own lifetime', async () => {
    const pair = makePair('ike-hard-lifetime-rekey');
    configure(pair, { rekey: true });
    await pair.a.engine.initiate('a');
    await pair.run(() => pair.b.engine.listSas()[0]?.children.length === 1);
    // Rekeys every ~10 s keep it alive well past 15 s.
    await pair.run(() => false, 40_000);
    expect(pair.a.engine.listSas()).toHaveLength(1);
    expect(pair.b.engine.listSas()).toHaveLength(1);
    expect(pair.a.logger.lines.join('\n')).not.toContain('hard lifetime reached');
  });
});
