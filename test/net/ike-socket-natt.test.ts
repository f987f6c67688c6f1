/**
 * UDP_ENCAP_ESPINUDP on the host's kernel: it has no ESP, but the UDP
 * encapsulation hook is XFRM core, so what reaches the socket is what it will
 * be under a full kernel (RFC 3948 §2.2, §2.3): IKE with the non-ESP marker
 * passes, ESP (non-zero SPI, longer than 8 octets) and NAT-keepalives (one
 * 0xFF octet) are taken by the kernel. UML scenarios prove decapsulation itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type IkeSocket, openIkeEndpoint } from '../../src/net/ike-socket.js';
import { receiveDatagrams, receiveOne } from './helpers.js';

const open: IkeSocket[] = [];
function endpoint(natt: boolean): IkeSocket {
  const socket = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt });
  open.push(socket);
  return socket;
}
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});

describe('NAT-T socket (UDP_ENCAP_ESPINUDP) and the non-ESP marker', () => {
  it('receives IKE sent with the marker, without it', async () => {
    const natt = endpoint(true);
    const plain = endpoint(false);
    const received = receiveOne(natt);
    plain.send(Buffer.from('00000000aabbccdd', 'hex'), { to: '127.0.0.1', port: natt.localPort });
    expect((await received).data.toString('hex')).toBe('aabbccdd');
  });

  it('sends IKE with the marker in front', async () => {
    const natt = endpoint(true);
    const plain = endpoint(false);
    const received = receiveOne(plain);
    natt.send(Buffer.from('ike'), { to: '127.0.0.1', port: plain.localPort });
    expect((await received).data.toString('hex')).toBe(
      `00000000${Buffer.from('ike').toString('hex')}`,
    );
  });

  it('never sees ESP or keepalives: the kernel takes them; short non-IKE is dropped and counted', async () => {
    const natt = endpoint(true);
    const plain = endpoint(false);
    const to = { to: '127.0.0.1', port: natt.localPort };
    const received = receiveDatagrams(natt, 2);
    plain.send(Buffer.from('0000000001', 'hex'), to); // IKE, one octet
    // ESP: SPI 0x01020304, sequence number, payload: longer than 8 octets.
    plain.send(Buffer.from('010203040000000100112233', 'hex'), to);
    plain.send(Buffer.of(0xff), to); // NAT-keepalive (RFC 3948 §2.3)
    plain.send(Buffer.from('0102', 'hex'), to); // too short for ESP: passed up, not IKE
    plain.send(Buffer.from('0000000002', 'hex'), to); // IKE
    // Loopback keeps order: once the last IKE datagram is here, the others were handled.
    const datagrams = await received;
    expect(datagrams.map((d) => d.data.toString('hex'))).toEqual(['01', '02']);
    expect(natt.stats()).toMatchObject({ received: 2, droppedWithoutMarker: 1 });
  });

  it('a plain socket gets ESP-looking datagrams untouched (no encapsulation set)', async () => {
    const receiver = endpoint(false);
    const sender = endpoint(false);
    const received = receiveOne(receiver);
    sender.send(Buffer.from('010203040000000100112233', 'hex'), {
      to: '127.0.0.1',
      port: receiver.localPort,
    });
    expect((await received).data.toString('hex')).toBe('010203040000000100112233');
  });
});
