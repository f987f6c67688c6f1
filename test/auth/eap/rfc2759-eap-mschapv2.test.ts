/**
 * MS-CHAPv2 against RFC 2759 §9.2 and RFC 3079 §3.5.3, MD4 against RFC 1320,
 * and the EAP-MSCHAPv2 server and peer against each other (MSK included).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { md4 } from '../../../src/auth/eap/md4.js';
import { MsChapV2Peer, MsChapV2Server, mschapUserName } from '../../../src/auth/eap/mschapv2.js';
import {
  authenticatorResponse,
  challengeHash,
  generateNtResponse,
  getAsymmetricStartKey,
  getMasterKey,
  hashNtPasswordHash,
  mschapv2Msk,
  ntPasswordHash,
} from '../../../src/auth/eap/mschapv2-crypto.js';
import { EapCode, EapType } from '../../../src/auth/eap/packet.js';
import { EapPeer } from '../../../src/auth/eap/peer.js';
import { EapServer } from '../../../src/auth/eap/server.js';
import { VECTORS_DIR } from '../test-pki.js';
import { converse, seededRandom } from './eap-harness.js';

const v = JSON.parse(readFileSync(`${VECTORS_DIR}mschapv2-rfc2759-rfc3079.json`, 'utf8'));
const H = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();
const U = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const m = v.mschapv2;

describe('MD4 (RFC 1320 A.5)', () => {
  it.each(v.md4 as { message: string; digest: string }[])(
    'md4("$message")',
    ({ message, digest }) => {
      expect(H(md4(new TextEncoder().encode(message))).toLowerCase()).toBe(digest);
    },
  );
});

describe('RFC 2759 §9.2 and RFC 3079 §3.5.3', () => {
  const ac = U(m.authenticatorChallenge);
  const pc = U(m.peerChallenge);
  const ph = ntPasswordHash(m.password);

  it('computes each intermediate value of the example', () => {
    expect(H(ph)).toBe(m.passwordHash);
    expect(H(hashNtPasswordHash(ph))).toBe(m.passwordHashHash);
    expect(H(challengeHash(pc, ac, m.userName))).toBe(m.challenge);
    const nt = generateNtResponse(ac, pc, m.userName, ph);
    expect(H(nt)).toBe(m.ntResponse);
    expect(authenticatorResponse(ph, nt, pc, ac, m.userName)).toBe(m.authenticatorResponse);
  });

  it('derives the MPPE master key and the server send key', () => {
    const master = getMasterKey(U(m.passwordHashHash), U(m.ntResponse));
    expect(H(master)).toBe(v.rfc3079.masterKey);
    expect(H(getAsymmetricStartKey(master, true, true))).toBe(v.rfc3079.sendStartKey128);
    // The peer's receive key is the server's send key (RFC 3079 §3.4).
    expect(H(getAsymmetricStartKey(master, false, false))).toBe(v.rfc3079.sendStartKey128);
  });

  it('the MSK is server receive key | server send key | 32 zero octets', () => {
    const msk = mschapv2Msk(ph, U(m.ntResponse));
    const master = getMasterKey(U(m.passwordHashHash), U(m.ntResponse));
    expect(msk.length).toBe(64);
    expect(H(msk.subarray(0, 16))).toBe(H(getAsymmetricStartKey(master, false, true)));
    expect(H(msk.subarray(16, 32))).toBe(v.rfc3079.sendStartKey128);
    expect(msk.subarray(32).every((b) => b === 0)).toBe(true);
  });

  it('strips a domain from the user name', () => {
    expect(mschapUserName('CORP\\User')).toBe('User');
    expect(mschapUserName('User')).toBe('User');
  });
});

describe('EAP-MSCHAPv2 server against peer', () => {
  const users: Record<string, string> = { User: 'clientPass', 'CORP\\carol': 'Wörter mit Umlaut' };
  const lookup = (id: string) => users[id];

  function run(identity: string, password: string) {
    const random = seededRandom(`mschap-${identity}`);
    const server = new EapServer({
      random,
      methods: [
        { eapType: EapType.MSCHAPV2, create: (id) => new MsChapV2Server(id, lookup, random) },
      ],
    });
    const peer = new EapPeer({
      identity,
      methods: [
        { eapType: EapType.MSCHAPV2, create: () => new MsChapV2Peer(identity, password, random) },
      ],
    });
    return converse(server, peer);
  }

  it.each(['User', 'CORP\\carol'])(
    'authenticates %s both ways and both sides get the same MSK',
    async (identity) => {
      const c = await run(identity, users[identity]!);
      expect(c.server.success).toBe(true);
      expect(c.peer?.success).toBe(true);
      expect(c.server.msk?.length).toBe(64);
      expect(H(c.peer!.msk!)).toBe(H(c.server.msk!));
      // Identity, Challenge, Response, Success request/response, EAP-Success.
      const ops = c.transcript.map(([d, p]) =>
        p.eapType === EapType.MSCHAPV2 ? `${d}op${p.data[0]}` : `${d}${p.code}`,
      );
      expect(ops).toEqual(['S1', 'P2', 'Sop1', 'Pop2', 'Sop3', 'Pop3', 'S3']);
    },
  );

  it('MS-Length is the EAP Length minus 5', async () => {
    const c = await run('User', 'clientPass');
    for (const [, p] of c.transcript.filter(
      ([, p]) => p.eapType === EapType.MSCHAPV2 && p.data.length > 1,
    )) {
      expect((p.data[2]! << 8) | p.data[3]!).toBe(p.data.length);
    }
  });

  it('a wrong password gets an MS-CHAPv2 Failure (E=691), then EAP-Failure, with reasons on both sides', async () => {
    const c = await run('User', 'wrongPass');
    expect(c.server).toMatchObject({
      success: false,
      reason: 'EAP-MSCHAPv2 NT-Response of "User" is wrong (wrong password?)',
    });
    expect(c.peer).toEqual({
      success: false,
      reason: 'EAP-MSCHAPv2 failed with error 691: Authentication failed',
    });
    const failureRequest = c.transcript.find(([d, p]) => d === 'S' && p.data[0] === 4)![1];
    expect(new TextDecoder().decode(failureRequest.data.subarray(4))).toMatch(
      /^E=691 R=0 C=[0-9A-F]{32} V=3 M=Authentication failed$/,
    );
    expect(c.transcript.at(-1)![1].code).toBe(EapCode.FAILURE);
  });

  it('the peer rejects a Success whose authenticator response does not verify', async () => {
    const random = seededRandom('forged');
    const peer = new EapPeer({
      identity: 'User',
      methods: [
        { eapType: EapType.MSCHAPV2, create: () => new MsChapV2Peer('User', 'clientPass', random) },
      ],
    });
    const challenge = Uint8Array.from([
      1,
      5,
      0,
      25,
      16,
      ...random(16),
      ...new TextEncoder().encode('evil'),
    ]);
    const answer = await peer.process({
      code: EapCode.REQUEST,
      identifier: 5,
      eapType: EapType.MSCHAPV2,
      data: challenge,
    });
    expect(answer.send?.data[0]).toBe(2);
    const message = new TextEncoder().encode(`S=${'0'.repeat(40)} M=hi`);
    const forged = Uint8Array.from([3, 5, 0, 4 + message.length, ...message]);
    expect(
      await peer.process({
        code: EapCode.REQUEST,
        identifier: 6,
        eapType: EapType.MSCHAPV2,
        data: forged,
      }),
    ).toEqual({
      done: {
        success: false,
        reason: 'EAP-MSCHAPv2 server authenticator response does not verify',
      },
    });
  });
});
