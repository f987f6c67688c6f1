/**
 * Messages we encode, read by an independent dissector: Wireshark's tshark.
 * The IKE_AUTH message uses NULL encryption and no integrity (which Wireshark
 * can "decrypt" from its ikev2_decryption_table), so every inner payload kind
 * is dissected too. The test fails on any Malformed mark or expert warning.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CertEncoding,
  ExchangeType,
  encodeIkeMessage,
  encodePayloadChain,
  type IkePayload,
  PayloadType,
} from '../../../src/wire/ikev2/index.js';
import {
  header,
  hex,
  ikeAuthFragment,
  ikeAuthInnerPayloads,
  ikeSaInitRequest,
  invalidIkeSpiNotification,
} from './fixtures.js';

const tsharkAvailable = spawnSync('tshark', ['-v'], { stdio: 'ignore' }).status === 0;
const reason = tsharkAvailable ? '' : ' (skipped: tshark is not installed)';

/** A pcap (LINKTYPE_RAW, IPv4/UDP 500 to 500) holding each datagram in turn. */
function pcapOf(datagrams: Uint8Array[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(65535, 16);
  global.writeUInt32LE(101, 20);
  const records = datagrams.map((d, i) => {
    const udpLength = 8 + d.length;
    const ip = Buffer.alloc(20 + udpLength);
    ip[0] = 0x45;
    ip.writeUInt16BE(ip.length, 2);
    ip[8] = 64;
    ip[9] = 17;
    ip.set([192, 0, 2, 1], 12);
    ip.set([192, 0, 2, 2], 16);
    let sum = 0;
    for (let j = 0; j < 20; j += 2) sum += ip.readUInt16BE(j);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    ip.writeUInt16BE(500, 20);
    ip.writeUInt16BE(500, 22);
    ip.writeUInt16BE(udpLength, 24);
    ip.set(d, 28);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(i, 0);
    record.writeUInt32LE(ip.length, 8);
    record.writeUInt32LE(ip.length, 12);
    return Buffer.concat([record, ip]);
  });
  return Buffer.concat([global, ...records]);
}

// SPIs of the NULL-encrypted IKE_AUTH; only this SA is in the decryption table.
const NULL_SPI_I = '1111111111111111';
const NULL_SPI_R = '2222222222222222';

/** IKE_AUTH whose SK body is the inner chain in clear: NULL cipher, no IV, pad length 0. */
function nullEncryptedIkeAuth(): Uint8Array {
  const inner: IkePayload[] = ikeAuthInnerPayloads().map((p) =>
    // Wireshark parses X.509 CERT data as DER; hash and URL (RFC 7296 §3.6) needs none.
    p.kind === 'CERT'
      ? {
          kind: 'CERT',
          encoding: CertEncoding.HASH_URL_X509_CERT,
          data: new Uint8Array([
            ...new Uint8Array(20).fill(0xab),
            ...Buffer.from('http://ca.styx.test/c.der'),
          ]),
        }
      : p,
  );
  const chain = encodePayloadChain(inner);
  const body = new Uint8Array(chain.length + 1);
  body.set(chain);
  const h = {
    ...header(ExchangeType.IKE_AUTH, 1),
    initiatorSpi: hex(NULL_SPI_I),
    responderSpi: hex(NULL_SPI_R),
  };
  return encodeIkeMessage({
    header: h,
    payloads: [{ kind: 'SK', firstInnerType: PayloadType.IDi, body }],
  });
}

describe(`tshark dissects our encoding cleanly${reason}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'styx-tshark-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!tsharkAvailable)(
    `IKE_SA_INIT, SKF, unprotected N and a NULL-encrypted IKE_AUTH${reason}`,
    () => {
      const file = join(dir, 'styx.pcap');
      writeFileSync(
        file,
        pcapOf([
          encodeIkeMessage(ikeSaInitRequest()),
          encodeIkeMessage(ikeAuthFragment()),
          encodeIkeMessage(invalidIkeSpiNotification()),
          nullEncryptedIkeAuth(),
        ]),
      );
      const uat = `uat:ikev2_decryption_table:${NULL_SPI_I},${NULL_SPI_R},,,"NULL [RFC2410]",,,"NONE [RFC4306]"`;
      const run = spawnSync('tshark', ['-n', '-r', file, '-o', uat, '-V'], {
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(run.status, run.stderr).toBe(0);
      const out = run.stdout;
      expect(out).not.toMatch(/Malformed|Expert Info \((Error|Warning)/);
      for (const seen of [
        'Exchange type: IKE_SA_INIT (34)',
        'Payload: Security Association (33)',
        'Transform Attribute (t=14,l=2): Key Length: 256',
        'Payload: Key Exchange (34)',
        'Payload: Nonce (40)',
        'Payload: Notify (41) - NAT_DETECTION_SOURCE_IP',
        'Payload: Vendor ID (43)',
        'Payload: Certificate Request (38)',
        'Payload: Encrypted and Authenticated Fragment (53)',
        'Payload: Notify (41) - INVALID_IKE_SPI',
        'Payload: Identification - Initiator (35)',
        'ID_FQDN: alice.styx.test',
        'Payload: Certificate (37)',
        'Payload: Identification - Responder (36)',
        'Payload: Authentication (39)',
        'Config Attribute (t=1,l=0): INTERNAL_IP4_ADDRESS',
        'Payload: Notify (41) - USE_TRANSPORT_MODE',
        'Ending Addr: 2001:db8::ffff:ffff:ffff:ffff',
        'Payload: Traffic Selector - Responder (45)',
        'Identity: alice',
        'Delete SPI: 05060708',
        'Pad Length: 0',
      ]) {
        expect(out).toContain(seen);
      }
    },
  );
});
