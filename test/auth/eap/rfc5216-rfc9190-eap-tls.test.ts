/**
 * EAP-TLS server against peer over node:tls in memory, TLS 1.2 (RFC 5216)
 * and TLS 1.3 (RFC 9190): fragmentation with L/M flags, matching MSKs from
 * the TLS exporter, certificate failures with their reasons.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EapType } from '../../../src/auth/eap/packet.js';
import { EapPeer } from '../../../src/auth/eap/peer.js';
import { EapServer } from '../../../src/auth/eap/server.js';
import { EapTlsPeer, EapTlsServer, type TlsVersion } from '../../../src/auth/eap/tls.js';
import {
  decodeTlsFrame,
  encodeTlsFrame,
  fragmentTlsMessage,
  TlsFlag,
  TlsReassembly,
} from '../../../src/auth/eap/tls-fragments.js';
import { IdType } from '../../../src/wire/ikev2/constants.js';
import { cert, crl, key, NOW } from '../test-pki.js';
import { converse, seededRandom } from './eap-harness.js';

interface Setup {
  version: TlsVersion;
  client?: string;
  server?: string;
  clientAnchors?: string[];
  serverAnchors?: string[];
  serverIdentity?: string;
  fragmentSize?: number;
  now?: Date;
}

function run(s: Setup) {
  const now = () => s.now ?? NOW;
  const inter = cert('inter');
  const clientName = s.client ?? 'sun-p256';
  const serverName = s.server ?? 'moon-rsa';
  const server = new EapServer({
    random: seededRandom('tls'),
    methods: [
      {
        eapType: EapType.TLS,
        create: () =>
          new EapTlsServer({
            certificate: cert(serverName),
            intermediates: [inter],
            key: key(serverName),
            trustAnchors: (s.serverAnchors ?? ['root']).map(cert),
            crls: [crl('inter.crl')],
            now,
            minVersion: s.version,
            maxVersion: s.version,
            ...(s.fragmentSize && { fragmentSize: s.fragmentSize }),
          }),
      },
    ],
  });
  const peer = new EapPeer({
    identity: 'sun.example.org',
    methods: [
      {
        eapType: EapType.TLS,
        create: () =>
          new EapTlsPeer({
            certificate: cert(clientName),
            intermediates: [inter],
            key: key(clientName),
            trustAnchors: (s.clientAnchors ?? ['root']).map(cert),
            now,
            minVersion: s.version,
            maxVersion: s.version,
            ...(s.fragmentSize && { fragmentSize: s.fragmentSize }),
            ...(s.serverIdentity && {
              serverIdentity: {
                type: IdType.ID_FQDN,
                data: new TextEncoder().encode(s.serverIdentity),
              },
            }),
          }),
      },
    ],
  });
  return converse(server, peer);
}

const hex = (b?: Uint8Array) => Buffer.from(b ?? []).toString('hex');

describe('EAP-TLS fragments (RFC 5216 §3.1)', () => {
  it('encodes L with the total length and M on all but the last fragment', () => {
    const msg = Uint8Array.from({ length: 2500 }, (_, i) => i & 0xff);
    const frames = fragmentTlsMessage(msg, 1000);
    expect(frames.map((f) => [f.flags, f.totalLength, f.data.length])).toEqual([
      [TlsFlag.MORE, 2500, 1000],
      [TlsFlag.MORE, undefined, 1000],
      [0, undefined, 500],
    ]);
    expect(hex(encodeTlsFrame(frames[0]!).subarray(0, 5))).toBe('c0000009c4');
    const r = new TlsReassembly();
    const results = frames.map((f) => r.add(decodeTlsFrame(encodeTlsFrame(f)) as never));
    expect(results.slice(0, 2)).toEqual([{ more: true }, { more: true }]);
    expect(hex((results[2] as { complete: Uint8Array }).complete)).toBe(hex(msg));
  });

  it('bounds reassembly by the announced and the absolute length', () => {
    const r = new TlsReassembly();
    expect(r.add({ flags: TlsFlag.MORE, totalLength: 10, data: new Uint8Array(8) })).toEqual({
      more: true,
    });
    expect(r.add({ flags: 0, data: new Uint8Array(8) })).toEqual({
      error: 'EAP-TLS fragments exceed the announced 10 octets',
    });
    expect(
      new TlsReassembly().add({ flags: 0, totalLength: 1 << 20, data: new Uint8Array() }),
    ).toEqual({
      error: 'EAP-TLS message of 1048576 octets is too long',
    });
    expect(decodeTlsFrame(Uint8Array.of(0x80, 0, 0))).toEqual({
      error: 'EAP-TLS L flag without a TLS Message Length',
    });
  });
});

describe.each(['TLSv1.2', 'TLSv1.3'] as const)('EAP-TLS over %s', (version) => {
  it('authenticates both ways; both sides derive the same 64-octet MSK', async () => {
    const c = await run({ version, serverIdentity: 'moon.example.org' });
    expect(c.server.reason).toBeUndefined();
    expect(c.server.success).toBe(true);
    expect(c.peer?.success).toBe(true);
    expect(c.server.msk?.length).toBe(64);
    expect(hex(c.peer?.msk)).toBe(hex(c.server.msk));
    expect(hex(c.server.peerCertificate)).toBe(hex(cert('sun-p256').der));
    expect(hex(c.peer?.peerCertificate)).toBe(hex(cert('moon-rsa').der));
  });

  it('fragments the certificate flights and acknowledges each fragment', async () => {
    const c = await run({ version, fragmentSize: 200 });
    expect(c.server.success).toBe(true);
    const tls = c.transcript
      .filter(([, p]) => p.eapType === EapType.TLS)
      .map(([d, p]) => [d, p.data[0]!, p.data.length] as const);
    const withMore = tls.filter(([, flags]) => flags & TlsFlag.MORE);
    expect(withMore.length).toBeGreaterThan(4);
    for (const [, , len] of tls) expect(len).toBeLessThanOrEqual(205);
    // Each fragment with M is answered by an empty packet from the other side.
    tls.forEach(([dir, flags], i) => {
      if (flags & TlsFlag.MORE) expect(tls[i + 1]).toEqual([dir === 'S' ? 'P' : 'S', 0, 1]);
    });
  });

  it('works with an Ed25519 client certificate and an ECDSA server', async () => {
    const c = await run({ version, client: 'ed25519', server: 'sun-p256' });
    expect(c.server.success).toBe(true);
    expect(hex(c.peer?.msk)).toBe(hex(c.server.msk));
  });

  it('the server rejects a revoked client certificate', async () => {
    const c = await run({ version, client: 'revoked' });
    expect(c.server.success).toBe(false);
    expect(c.server.reason).toMatch(
      /^TLS peer certificate: "C=CH, O=Styx Test, CN=revoked.example.org" revoked by CRL of/,
    );
  });

  it('the server rejects a client certificate from an untrusted CA', async () => {
    const c = await run({ version, client: 'rogue-moon' });
    expect(c.server).toMatchObject({
      success: false,
      reason:
        'TLS peer certificate: issuer not trusted: no configured CA "C=CH, O=Styx Test, CN=Styx Root CA"',
    });
  });

  it('the peer rejects an expired server certificate (time is injected)', async () => {
    const c = await run({ version, server: 'expired' });
    expect(c.peer).toMatchObject({
      success: false,
      reason:
        'TLS peer certificate: certificate "C=CH, O=Styx Test, CN=expired.example.org" expired on 2025-01-01',
    });
  });

  it('the peer rejects a server certificate without the expected identity', async () => {
    const c = await run({ version, serverIdentity: 'vpn.example.org' });
    expect(c.peer).toMatchObject({
      success: false,
      reason:
        'identity vpn.example.org not in certificate "C=CH, O=Styx Test, CN=moon.example.org"',
    });
  });
});

it('a TLS version mismatch ends in EAP-Failure with the TLS error as reason', async () => {
  const inter = cert('inter');
  const common = { intermediates: [inter], trustAnchors: [cert('root')], now: () => NOW };
  const server = new EapServer({
    random: seededRandom('mismatch'),
    methods: [
      {
        eapType: EapType.TLS,
        create: () =>
          new EapTlsServer({
            ...common,
            certificate: cert('moon-rsa'),
            key: key('moon-rsa'),
            maxVersion: 'TLSv1.2',
          }),
      },
    ],
  });
  const peer = new EapPeer({
    identity: 'sun',
    methods: [
      {
        eapType: EapType.TLS,
        create: () =>
          new EapTlsPeer({
            ...common,
            certificate: cert('sun-p256'),
            key: key('sun-p256'),
            minVersion: 'TLSv1.3',
          }),
      },
    ],
  });
  const c = await converse(server, peer);
  expect(c.server.success).toBe(false);
  expect(c.server.reason).toMatch(/^TLS failed: .*(version|protocol)/i);
  expect(c.transcript.at(-1)![1].code).toBe(4);
});

it('abort() releases an EAP-TLS conversation in the middle', async () => {
  const inter = cert('inter');
  const server = new EapServer({
    random: seededRandom('abort'),
    methods: [
      {
        eapType: EapType.TLS,
        create: () =>
          new EapTlsServer({
            intermediates: [inter],
            trustAnchors: [cert('root')],
            now: () => NOW,
            certificate: cert('moon-rsa'),
            key: key('moon-rsa'),
          }),
      },
    ],
  });
  const start = server.start();
  server.abort();
  expect(await server.process({ ...start.send!, code: 2 })).toMatchObject({
    done: { success: false, reason: 'EAP packet after the conversation ended' },
  });
});

it('TLS 1.2 and TLS 1.3 give different MSKs (different exporters)', async () => {
  const a = await run({ version: 'TLSv1.2' });
  const b = await run({ version: 'TLSv1.3' });
  expect(a.server.msk && b.server.msk && hex(a.server.msk) !== hex(b.server.msk)).toBe(true);
});

describe('the MSK recomputed from the TLS secrets, independently of node:tls exporters', () => {
  const ascii = (t: string) => new TextEncoder().encode(t);

  /** RFC 5246 §5 P_hash. */
  function pHash(hash: string, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
    const out: number[] = [];
    let a: Uint8Array = seed;
    while (out.length < length) {
      a = new Uint8Array(createHmac(hash, secret).update(a).digest());
      out.push(...createHmac(hash, secret).update(a).update(seed).digest());
    }
    return Uint8Array.from(out.slice(0, length));
  }

  /** RFC 8446 §7.1 HKDF-Expand-Label. */
  function expandLabel(
    hash: string,
    secret: Uint8Array,
    label: string,
    context: Uint8Array,
    length: number,
  ): Uint8Array {
    const full = ascii(`tls13 ${label}`);
    const info = Uint8Array.from([
      length >> 8,
      length & 0xff,
      full.length,
      ...full,
      context.length,
      ...context,
    ]);
    return hkdfExpand(hash, secret, info, length);
  }

  function hkdfExpand(hash: string, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
    const out: number[] = [];
    let t: Uint8Array = new Uint8Array();
    for (let i = 1; out.length < length; i++) {
      t = new Uint8Array(
        createHmac(hash, prk).update(t).update(info).update(Uint8Array.of(i)).digest(),
      );
      out.push(...t);
    }
    return Uint8Array.from(out.slice(0, length));
  }

  async function runWithKeylog(version: TlsVersion) {
    const lines: string[] = [];
    const onTlsKeylog = (l: Buffer) => lines.push(l.toString().trim());
    const inter = cert('inter');
    const common = {
      intermediates: [inter],
      trustAnchors: [cert('root')],
      now: () => NOW,
      minVersion: version,
      maxVersion: version,
    };
    const server = new EapServer({
      random: seededRandom('keylog'),
      methods: [
        {
          eapType: EapType.TLS,
          create: () =>
            new EapTlsServer({
              ...common,
              certificate: cert('moon-rsa'),
              key: key('moon-rsa'),
              onTlsKeylog,
            }),
        },
      ],
    });
    const peer = new EapPeer({
      identity: 'sun',
      methods: [
        {
          eapType: EapType.TLS,
          create: () =>
            new EapTlsPeer({ ...common, certificate: cert('sun-p256'), key: key('sun-p256') }),
        },
      ],
    });
    const c = await converse(server, peer);
    return { c, lines };
  }

  it('TLS 1.2: TLS-PRF(master_secret, "client EAP encryption", client_random | server_random) (RFC 5216 §2.3)', async () => {
    const { c, lines } = await runWithKeylog('TLSv1.2');
    const [, clientRandom, master] = lines.find((l) => l.startsWith('CLIENT_RANDOM'))!.split(' ');
    // ServerHello is the first handshake message of the server's first TLS flight:
    // record header (5), handshake header (4), version (2), then the 32-octet random.
    const firstServerTls = c.transcript.find(
      ([d, p]) => d === 'S' && p.eapType === EapType.TLS && p.data.length > 10,
    )![1];
    const frame = decodeTlsFrame(firstServerTls.data) as { data: Uint8Array };
    const serverRandom = frame.data.subarray(11, 43);
    // The suites negotiated here use SHA-256 as the PRF hash (AES-128-GCM / CHACHA20).
    const seed = Uint8Array.from([
      ...ascii('client EAP encryption'),
      ...Buffer.from(clientRandom!, 'hex'),
      ...serverRandom,
    ]);
    const keyMaterial = pHash('sha256', new Uint8Array(Buffer.from(master!, 'hex')), seed, 128);
    expect(hex(c.server.msk)).toBe(hex(keyMaterial.subarray(0, 64)));
  });

  it('TLS 1.3: TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", 0x0D, 128) (RFC 9190 §2.3)', async () => {
    const { c, lines } = await runWithKeylog('TLSv1.3');
    const exporterSecret = new Uint8Array(
      Buffer.from(lines.find((l) => l.startsWith('EXPORTER_SECRET'))!.split(' ')[2]!, 'hex'),
    );
    const hash = exporterSecret.length === 48 ? 'sha384' : 'sha256';
    const emptyHash = new Uint8Array(createHash(hash).digest());
    // RFC 8446 §7.5: HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context), length)
    const derived = expandLabel(
      hash,
      exporterSecret,
      'EXPORTER_EAP_TLS_Key_Material',
      emptyHash,
      emptyHash.length,
    );
    const keyMaterial = expandLabel(
      hash,
      derived,
      'exporter',
      new Uint8Array(createHash(hash).update(Uint8Array.of(13)).digest()),
      128,
    );
    expect(hex(c.server.msk)).toBe(hex(keyMaterial.subarray(0, 64)));
  });
});
