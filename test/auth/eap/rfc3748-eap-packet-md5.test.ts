/**
 * EAP packet codec (RFC 3748 §4), Identity/Notification/Nak handling, and
 * EAP-MD5 Challenge (§5.4) server against peer.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Md5Peer, Md5Server } from '../../../src/auth/eap/md5.js';
import { MsChapV2Peer, MsChapV2Server } from '../../../src/auth/eap/mschapv2.js';
import { decodeEap, EapCode, EapType, encodeEap, request } from '../../../src/auth/eap/packet.js';
import { EapPeer } from '../../../src/auth/eap/peer.js';
import { EapServer } from '../../../src/auth/eap/server.js';
import { Secret } from '../../../src/config/secret.js';
import { converse, seededRandom } from './eap-harness.js';

const users: Record<string, string> = { carol: 'carol-secret', 'dave@example.org': 'dave-secret' };
const lookup = (id: string) => (id in users ? Secret.fromUtf8(users[id]!) : undefined);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function md5Server(opts: { identity?: string } = {}) {
  const random = seededRandom('md5-server');
  return new EapServer({
    random,
    ...opts,
    methods: [
      { eapType: EapType.MD5_CHALLENGE, create: (id) => new Md5Server(id, lookup, random) },
    ],
  });
}

const md5Peer = (identity: string, password: string) =>
  new EapPeer({
    identity,
    methods: [{ eapType: EapType.MD5_CHALLENGE, create: () => new Md5Peer(password) }],
  });

describe('EAP packet codec (RFC 3748 §4)', () => {
  it('encodes and decodes Request, Response, Success, Failure', () => {
    expect(hex(encodeEap(request(7, EapType.IDENTITY, new Uint8Array())))).toBe('0107000501');
    expect(hex(encodeEap({ code: EapCode.SUCCESS, identifier: 9, data: new Uint8Array() }))).toBe(
      '03090004',
    );
    expect(decodeEap(Uint8Array.from([2, 7, 0, 9, 1, 0x63, 0x61, 0x72, 0x6f]))).toEqual({
      code: 2,
      identifier: 7,
      eapType: 1,
      data: new TextEncoder().encode('caro'),
    });
  });

  it('rejects bad lengths, codes and Success with data', () => {
    expect(decodeEap(Uint8Array.of(1, 1, 0))).toEqual({
      error: 'EAP packet of 3 octets is shorter than its header',
    });
    expect(decodeEap(Uint8Array.of(1, 1, 0, 6, 1))).toEqual({
      error: 'EAP Length 6 but 5 octets received',
    });
    expect(decodeEap(Uint8Array.of(1, 1, 0, 4))).toEqual({
      error: 'EAP Request/Response without a Type',
    });
    expect(decodeEap(Uint8Array.of(3, 1, 0, 5, 0))).toEqual({
      error: 'EAP Success with 1 octets of data',
    });
    expect(decodeEap(Uint8Array.of(5, 1, 0, 4))).toEqual({ error: 'unknown EAP Code 5' });
  });
});

describe('EAP-MD5 (RFC 3748 §5.4)', () => {
  it('authenticates a user with the right password, after the Identity round', async () => {
    const c = await converse(md5Server(), md5Peer('carol', 'carol-secret'));
    expect(c.server).toEqual({ success: true, identity: 'carol', eapType: EapType.MD5_CHALLENGE });
    expect(c.peer).toEqual({ success: true });
    expect(c.transcript.map(([d, p]) => `${d}${p.code}/${p.eapType ?? '-'}`)).toEqual([
      'S1/1',
      'P2/1',
      'S1/4',
      'P2/4',
      'S3/-',
    ]);
    // Success carries the Identifier of the Response it answers (§4.2).
    expect(c.transcript[4]![1].identifier).toBe(c.transcript[3]![1].identifier);
  });

  it('the response value is MD5(Identifier | secret | Challenge) (RFC 1994 §4.1)', async () => {
    const c = await converse(md5Server(), md5Peer('carol', 'carol-secret'));
    const [, req] = c.transcript[2]!;
    const [, resp] = c.transcript[3]!;
    const challenge = req.data.subarray(1, 1 + req.data[0]!);
    const expected = createHash('md5')
      .update(Uint8Array.of(req.identifier))
      .update('carol-secret')
      .update(challenge)
      .digest();
    expect(hex(resp.data)).toBe(`10${expected.toString('hex')}`);
  });

  it('fails a wrong password with a reason naming the user, not the password', async () => {
    const c = await converse(md5Server(), md5Peer('carol', 'wrong'));
    expect(c.server).toMatchObject({
      success: false,
      reason: 'EAP-MD5 response of "carol" is wrong (wrong password?)',
    });
    expect(c.peer).toEqual({ success: false, reason: 'EAP-Failure from the server' });
    expect(c.transcript.at(-1)![1].code).toBe(EapCode.FAILURE);
  });

  it('fails an unknown user', async () => {
    const c = await converse(md5Server(), md5Peer('mallory', 'x'));
    expect(c.server).toMatchObject({ success: false, reason: 'no EAP password for "mallory"' });
  });

  it('skips the Identity round when the identity is known', async () => {
    const c = await converse(
      md5Server({ identity: 'dave@example.org' }),
      md5Peer('dave@example.org', 'dave-secret'),
    );
    expect(c.server.success).toBe(true);
    expect(c.transcript[0]![1].eapType).toBe(EapType.MD5_CHALLENGE);
  });
});

describe('method negotiation and robustness', () => {
  it('a peer without the offered method Naks, and the server switches to one it has', async () => {
    const random = seededRandom('nak');
    const server = new EapServer({
      random,
      methods: [
        { eapType: EapType.MD5_CHALLENGE, create: (id) => new Md5Server(id, lookup, random) },
        { eapType: EapType.MSCHAPV2, create: (id) => new MsChapV2Server(id, lookup, random) },
      ],
    });
    const peer = new EapPeer({
      identity: 'carol',
      methods: [
        {
          eapType: EapType.MSCHAPV2,
          create: () => new MsChapV2Peer('carol', 'carol-secret', random),
        },
      ],
    });
    const c = await converse(server, peer);
    expect(c.transcript[3]![1]).toMatchObject({
      eapType: EapType.NAK,
      data: Uint8Array.of(EapType.MSCHAPV2),
    });
    expect(c.server).toMatchObject({ success: true, eapType: EapType.MSCHAPV2 });
    expect(c.peer?.success).toBe(true);
  });

  it('a Nak with nothing we offer ends in Failure with the reason', async () => {
    const peer = new EapPeer({
      identity: 'carol',
      methods: [{ eapType: 99, create: () => new Md5Peer('x') }],
    });
    const c = await converse(md5Server(), peer);
    expect(c.server).toMatchObject({
      success: false,
      reason: 'peer rejected EAP-MD5 and wants EAP type 99',
    });
  });

  it('the peer refuses EAP-Success before any method ran', async () => {
    const peer = md5Peer('carol', 'x');
    await peer.process(request(1, EapType.IDENTITY, new Uint8Array()));
    expect(
      await peer.process({ code: EapCode.SUCCESS, identifier: 1, data: new Uint8Array() }),
    ).toEqual({
      done: { success: false, reason: 'EAP-Success before any EAP method ran' },
    });
  });

  it('the peer answers Notification and repeats its Response to a retransmitted Request', async () => {
    const peer = md5Peer('carol', 'carol-secret');
    expect(
      (await peer.process(request(3, EapType.NOTIFICATION, new TextEncoder().encode('hi')))).send,
    ).toMatchObject({
      code: EapCode.RESPONSE,
      eapType: EapType.NOTIFICATION,
      data: new Uint8Array(),
    });
    const challenge = request(4, EapType.MD5_CHALLENGE, Uint8Array.of(16, ...new Uint8Array(16)));
    const first = await peer.process(challenge);
    expect(await peer.process(challenge)).toEqual({ send: first.send });
  });

  it('the server rejects a Response with the wrong Identifier', async () => {
    const server = md5Server();
    const start = server.start();
    const step = await server.process({
      code: EapCode.RESPONSE,
      identifier: (start.send!.identifier + 1) & 0xff,
      eapType: 1,
      data: new TextEncoder().encode('carol'),
    });
    expect(step.done?.reason).toMatch(/^EAP Response Identifier \d+, expected \d+$/);
    expect(step.send?.code).toBe(EapCode.FAILURE);
  });
});
