import { describe, expect, it } from 'vitest';
import { fqdnIdentity } from '../../src/ikev2/identities.js';
import {
  decodeIkeMessage,
  ExchangeType,
  encodeIkeMessage,
  NotifyType,
} from '../../src/wire/ikev2/index.js';
import { child, connection, IKE_CBC_MODP2048, makePair, secret } from '../support/engine-pair.js';

function configure(pair: ReturnType<typeof makePair>, over: { a?: object; b?: object } = {}) {
  const aConn = connection('a', '192.0.2.1', '192.0.2.2', {
    local: { method: 'psk', id: fqdnIdentity('moon') },
    remote: { method: 'psk', id: fqdnIdentity('sun') },
    children: [child('net', '10.1.0.0/16', '10.2.0.0/16')],
    ...over.a,
  });
  const bConn = connection('b', '192.0.2.2', '192.0.2.1', {
    local: { method: 'psk', id: fqdnIdentity('sun') },
    remote: { method: 'psk', id: fqdnIdentity('moon') },
    children: [child('net', '10.2.0.0/16', '10.1.0.0/16')],
    ...over.b,
  });
  pair.a.engine.setConnections([aConn]);
  pair.b.engine.setConnections([bConn]);
}

describe('two engines in memory, PSK (RFC 7296 §1.2)', () => {
  it('establish an IKE_SA and a CHILD_SA whose kernel SAs mirror each other', async () => {
    const pair = makePair();
    configure(pair);
    await pair.a.engine.initiate('a');
    const ok = await pair.run(
      () =>
        pair.a.engine.listSas()[0]?.children.length === 1 &&
        pair.b.engine.listSas()[0]?.children.length === 1,
    );
    expect(ok).toBe(true);
    const aSas = await pair.a.kernel.listSas();
    const bSas = await pair.b.kernel.listSas();
    expect(aSas).toHaveLength(2);
    expect(bSas).toHaveLength(2);
    // A's outbound SA is B's inbound SA: same SPI, same key, same algorithm.
    for (const out of aSas.filter((s) => s.src === '192.0.2.1')) {
      const peer = bSas.find((s) => s.spi === out.spi && s.dst === '192.0.2.2');
      expect(peer?.aead?.name).toBe('rfc4106(gcm(aes))');
      expect(Buffer.from(peer!.aead!.key).equals(Buffer.from(out.aead!.key))).toBe(true);
      expect(out.aead!.key).toHaveLength(36);
    }
    const aPolicies = await pair.a.kernel.listPolicies();
    expect(aPolicies.map((p) => p.dir).sort()).toEqual(['fwd', 'in', 'out']);
    const out = aPolicies.find((p) => p.dir === 'out')!;
    expect(out.selector).toMatchObject({
      src: '10.1.0.0',
      srcPrefixLen: 16,
      dst: '10.2.0.0',
      dstPrefixLen: 16,
    });
    expect(out.templates[0]).toMatchObject({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp',
      mode: 'tunnel',
    });
  });

  it('works with AES-CBC + HMAC-SHA2-256 and MODP-2048 and a fragmented IKE_AUTH', async () => {
    const pair = makePair('cbc');
    configure(pair, {
      a: { proposals: [IKE_CBC_MODP2048], fragmentSize: 160 },
      b: { proposals: [IKE_CBC_MODP2048], fragmentSize: 160 },
    });
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.b.engine.listSas()[0]?.children.length === 1)).toBe(true);
    // IKE_AUTH went out in SKF fragments (payload type 53 right after the header).
    expect(pair.net.sent.some((s) => s.data[16] === 53)).toBe(true);
  });

  it('retries with the group the responder asks for (INVALID_KE_PAYLOAD)', async () => {
    const pair = makePair('ke');
    const both = [{ ...IKE_CBC_MODP2048, ke: [31, 14] }];
    configure(pair, { a: { proposals: both }, b: { proposals: [IKE_CBC_MODP2048] } });
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.a.engine.listSas()[0]?.state === 'established')).toBe(true);
    expect(pair.a.logger.lines.some((l) => l.includes('asked for key exchange method 14'))).toBe(
      true,
    );
  });

  it('completes a cookie exchange when the threshold is 0', async () => {
    const pair = makePair('cookie');
    (pair.b.engine.options as { cookieThreshold: number }).cookieThreshold = 0;
    configure(pair);
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.a.engine.listSas()[0]?.state === 'established')).toBe(true);
    expect(pair.b.logger.lines.some((l) => l.includes('asked for a cookie'))).toBe(true);
  });

  it('fails with AUTHENTICATION_FAILED on a wrong PSK and leaves no kernel state', async () => {
    const pair = makePair('wrongpsk');
    configure(pair, { b: { psk: secret('wrong') } });
    await pair.a.engine.initiate('a');
    await pair.run(
      () => pair.a.engine.listSas().length === 0 && pair.b.engine.listSas().length === 0,
    );
    expect(pair.a.engine.listSas()).toHaveLength(0);
    expect(pair.b.logger.lines.join('\n')).toMatch(
      /authentication of moon with pre-shared key failed/,
    );
    expect(pair.a.logger.lines.join('\n')).toMatch(/AUTHENTICATION_FAILED/);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
    expect(await pair.b.kernel.listSas()).toHaveLength(0);
    // The secret never reaches a log line.
    expect([...pair.a.logger.lines, ...pair.b.logger.lines].join('\n')).not.toMatch(/horse|wrong/);
  });

  it('answers TS_UNACCEPTABLE but keeps the IKE_SA', async () => {
    const pair = makePair('ts');
    configure(pair, { b: { children: [child('net', '10.2.0.0/16', '10.9.0.0/16')] } });
    await pair.a.engine.initiate('a');
    await pair.run(() => pair.a.engine.listSas()[0]?.state === 'established');
    await pair.run(() => false, 1000);
    expect(pair.a.engine.listSas()[0]?.children).toHaveLength(0);
    expect(pair.b.logger.lines.join('\n')).toMatch(/traffic selectors unacceptable/);
    expect(await pair.a.kernel.listSas()).toHaveLength(0);
  });

  it('down removes everything on both sides', async () => {
    const pair = makePair('down');
    configure(pair);
    await pair.a.engine.initiate('a');
    await pair.run(() => pair.b.engine.listSas()[0]?.children.length === 1);
    let done = false;
    void pair.a.engine.terminate('a').then(() => {
      done = true;
    });
    expect(await pair.run(() => done && pair.b.engine.listSas().length === 0)).toBe(true);
    for (const k of [pair.a.kernel, pair.b.kernel]) {
      expect(await k.listSas()).toHaveLength(0);
      expect(await k.listPolicies()).toHaveLength(0);
    }
  });

  it('creates a second CHILD_SA with CREATE_CHILD_SA and PFS', async () => {
    const pair = makePair('second');
    const pfs = {
      protocol: 'esp' as const,
      encr: [{ id: 20, keyLen: 256 }],
      prf: [],
      integ: [],
      ke: [31],
      esn: [0],
    };
    configure(pair, {
      a: {
        children: [
          child('net', '10.1.0.0/16', '10.2.0.0/16'),
          child('net2', '10.11.0.0/16', '10.12.0.0/16', { proposals: [pfs] }),
        ],
      },
      b: {
        children: [
          child('net', '10.2.0.0/16', '10.1.0.0/16'),
          child('net2', '10.12.0.0/16', '10.11.0.0/16', { proposals: [pfs] }),
        ],
      },
    });
    await pair.a.engine.initiate('a');
    // The second configured child follows IKE_AUTH by itself.
    expect(await pair.run(() => pair.a.engine.listSas()[0]?.children.length === 2)).toBe(true);
    expect(await pair.a.kernel.listSas()).toHaveLength(4);
    // An operator can add another instance on demand.
    await pair.a.engine.createChild('a', 'net2');
    expect(await pair.run(() => pair.b.engine.listSas()[0]?.children.length === 3)).toBe(true);
  });
});

describe('RFC 6023 childless and RFC 7296 §2.5 critical payloads', () => {
  it('establishes an IKE_SA without a CHILD_SA when neither side configures one', async () => {
    const pair = makePair('childless');
    configure(pair, { a: { children: [] }, b: { children: [] } });
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.b.engine.listSas()[0]?.state === 'established')).toBe(true);
    expect(await pair.b.kernel.listSas()).toHaveLength(0);
  });

  it('answers an IKE_SA_INIT with an unknown critical payload with UNSUPPORTED_CRITICAL_PAYLOAD', async () => {
    const pair = makePair('critical');
    configure(pair);
    const request = encodeIkeMessage({
      header: {
        initiatorSpi: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
        responderSpi: new Uint8Array(8),
        majorVersion: 2,
        minorVersion: 0,
        exchangeType: ExchangeType.IKE_SA_INIT,
        flags: { initiator: true, higherVersion: false, response: false },
        messageId: 0,
      },
      payloads: [{ kind: 'unknown', payloadType: 200, critical: true, body: new Uint8Array(4) }],
    });
    await pair.b.engine.receive({
      data: request,
      remote: { address: '192.0.2.1', port: 500 },
      local: { address: '192.0.2.2', port: 500 },
    });
    const answer = pair.net.sent.at(-1);
    expect(answer).toBeDefined();
    const decoded = decodeIkeMessage(answer!.data);
    expect(decoded.payloads).toEqual([
      expect.objectContaining({
        kind: 'N',
        notifyType: NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD,
        data: new Uint8Array([200]),
      }),
    ]);
    expect(pair.b.engine.counters.malformed).toBe(1);
  });
});

describe('a CHILD_SA the kernel refuses (RFC 7296 §2.21.3)', () => {
  it('keeps the IKE_SA, answers NO_PROPOSAL_CHOSEN and leaves nothing in the kernel', async () => {
    const pair = makePair('kernel-refuses');
    configure(pair);
    // The kernel refuses the outbound SA (as when an SA with that SPI exists).
    pair.b.kernel.addSa = async () => {
      throw new Error('add SA: EEXIST (simulated)');
    };
    await pair.a.engine.initiate('a');
    expect(
      await pair.run(
        () =>
          pair.a.engine.listSas()[0]?.state === 'established' &&
          pair.b.engine.listSas()[0]?.state === 'established',
      ),
    ).toBe(true);
    await pair.run(() => false, 1000);
    expect(pair.a.engine.listSas()[0]?.children).toHaveLength(0);
    expect(pair.b.engine.listSas()[0]?.children).toHaveLength(0);
    expect(pair.b.logger.lines.join('\n')).toMatch(/CHILD_SA net not installed: .*EEXIST/);
    expect(pair.a.logger.lines.join('\n')).toMatch(/refused the CHILD_SA with NO_PROPOSAL_CHOSEN/);
    const left = async (k: typeof pair.a.kernel) =>
      (await k.listSas()).map(
        (s) => `${s.src}>${s.dst} ${s.spi.toString(16)} ${s.aead ? 'full' : 'larval'}`,
      );
    expect({ a: await left(pair.a.kernel), b: await left(pair.b.kernel) }).toEqual({
      a: [],
      b: [],
    });
    expect(await pair.b.kernel.listPolicies()).toHaveLength(0);
  });
});

describe('a responder whose remote_addrs name a host (DynDNS)', () => {
  it('resolves the name at each IKE_SA_INIT: the peer matches while the name points at it', async () => {
    const names = new Map([['moon.dyn.example', ['192.0.2.1']]]);
    const lookups: string[] = [];
    const pair = makePair('dyndns', {}, async (name) => {
      lookups.push(name);
      return names.get(name) ?? [];
    });
    configure(pair, { b: { remoteAddrs: ['moon.dyn.example'] } });
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.b.engine.listSas()[0]?.state === 'established')).toBe(true);
    let closed = false;
    void pair.a.engine.terminate('a').then(() => {
      closed = true;
    });
    expect(await pair.run(() => closed && pair.b.engine.listSas().length === 0, 10_000)).toBe(true);
    // The name moves elsewhere: the same initiator no longer matches the connection.
    names.set('moon.dyn.example', ['192.0.2.9']);
    await pair.a.engine.initiate('a');
    expect(await pair.run(() => pair.a.engine.listSas().length === 0, 10_000)).toBe(true);
    expect(pair.b.engine.listSas()).toHaveLength(0);
    expect(pair.b.logger.lines.join('\n')).toMatch(
      /IKE_SA_INIT from 192\.0\.2\.1 refused: no connection/,
    );
    expect(lookups).toEqual(['moon.dyn.example', 'moon.dyn.example']);
  });
});
