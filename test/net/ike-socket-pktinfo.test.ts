/**
 * On the host's loopback: 127.0.0.0/8 is local as a whole, so 127.0.0.2 and
 * 127.0.0.3 serve as secondary addresses without touching any interface.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type IkeSocket, openIkeEndpoint } from '../../src/net/ike-socket.js';
import { ifindexOf, receiveDatagrams, receiveOne } from './helpers.js';

const open: IkeSocket[] = [];
function endpoint(address: string): IkeSocket {
  const socket = openIkeEndpoint({ address, port: 0, natt: false });
  open.push(socket);
  return socket;
}

afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});

describe('IKE socket: local address and interface of each datagram (IP_PKTINFO)', () => {
  it('tells which of its addresses a wildcard-bound socket was reached on', async () => {
    const server = endpoint('0.0.0.0');
    const client = endpoint('127.0.0.1');
    for (const local of ['127.0.0.2', '127.0.0.3', '127.0.0.1']) {
      const received = receiveOne(server);
      client.send(Buffer.from(`to ${local}`), { to: local, port: server.localPort });
      const datagram = await received;
      expect(datagram.localAddress).toBe(local);
      expect(datagram.localPort).toBe(server.localPort);
      expect(datagram.remoteAddress).toBe('127.0.0.1');
      expect(datagram.remotePort).toBe(client.localPort);
      expect(datagram.ifindex).toBe(ifindexOf('lo'));
      expect(datagram.data.toString()).toBe(`to ${local}`);
    }
  });

  it('answers from the address the request arrived on', async () => {
    const server = endpoint('0.0.0.0');
    const client = endpoint('127.0.0.1');
    const request = receiveOne(server);
    client.send(Buffer.from('request'), { to: '127.0.0.3', port: server.localPort });
    const arrived = await request;
    const reply = receiveOne(client);
    server.send(Buffer.from('reply'), {
      to: arrived.remoteAddress,
      port: arrived.remotePort,
      from: arrived.localAddress,
    });
    const answered = await reply;
    expect(answered.remoteAddress).toBe('127.0.0.3');
    expect(answered.remotePort).toBe(server.localPort);
    expect(answered.data.toString()).toBe('reply');
  });

  it('sends from whichever local address is chosen, per datagram', async () => {
    const server = endpoint('0.0.0.0');
    const client = endpoint('127.0.0.1');
    const replies = receiveDatagrams(client, 2);
    server.send(Buffer.from('a'), { to: '127.0.0.1', port: client.localPort, from: '127.0.0.5' });
    server.send(Buffer.from('b'), { to: '127.0.0.1', port: client.localPort, from: '127.0.0.6' });
    expect((await replies).map((d) => d.remoteAddress)).toEqual(['127.0.0.5', '127.0.0.6']);
  });

  it('works over IPv6 (IPV6_RECVPKTINFO, IPV6_PKTINFO) on ::1', async () => {
    const server = endpoint('::');
    const client = endpoint('::1');
    expect(server.family).toBe(6);
    const request = receiveOne(server);
    client.send(Buffer.from('v6'), { to: '::1', port: server.localPort });
    const arrived = await request;
    expect(arrived).toMatchObject({
      localAddress: '::1',
      remoteAddress: '::1',
      ifindex: ifindexOf('lo'),
    });
    const reply = receiveOne(client);
    server.send(Buffer.from('v6 reply'), { to: '::1', port: arrived.remotePort, from: '::1' });
    expect((await reply).data.toString()).toBe('v6 reply');
  });

  it('keeps IPv4 and IPv6 apart (IPV6_V6ONLY): the IPv6 wildcard does not take IPv4', async () => {
    const v6 = endpoint('::');
    const v4 = openIkeEndpoint({ address: '0.0.0.0', port: v6.localPort, natt: false });
    open.push(v4);
    const client = endpoint('127.0.0.1');
    const received = receiveOne(v4);
    client.send(Buffer.from('v4'), { to: '127.0.0.1', port: v6.localPort });
    expect((await received).data.toString()).toBe('v4');
    expect(v6.stats().received).toBe(0);
  });

  it('delivers every datagram of a burst larger than one wakeup reads (64)', async () => {
    const server = endpoint('0.0.0.0');
    const client = endpoint('127.0.0.1');
    const count = 150;
    const all = receiveDatagrams(server, count, 5000);
    for (let i = 0; i < count; i++) {
      const message = Buffer.alloc(100, i);
      message.writeUInt16BE(i, 0);
      client.send(message, { to: '127.0.0.2', port: server.localPort });
    }
    const received = await all;
    expect(received.map((d) => d.data.readUInt16BE(0))).toEqual([...Array(count).keys()]);
    expect(received.every((d) => d.localAddress === '127.0.0.2')).toBe(true);
    expect(server.stats()).toMatchObject({ received: count, truncated: 0 });
    expect(client.stats().sent).toBe(count);
  });

  it('holds a burst beyond the default receive buffer when given a larger one (SO_RCVBUF)', async () => {
    // The default (net.core.rmem_default) holds about 256 such datagrams.
    const server = openIkeEndpoint({
      address: '127.0.0.1',
      port: 0,
      natt: false,
      receiveBufferSize: 4 << 20,
    });
    open.push(server);
    const client = endpoint('127.0.0.1');
    const count = 1000;
    const all = receiveDatagrams(server, count, 5000);
    for (let i = 0; i < count; i++) {
      client.send(Buffer.alloc(100, i), { to: '127.0.0.1', port: server.localPort });
    }
    expect(await all).toHaveLength(count);
  });

  it('takes the largest UDP datagram whole', async () => {
    const server = endpoint('0.0.0.0');
    const client = endpoint('127.0.0.1');
    const received = receiveOne(server);
    // 65,535 - 20 (IPv4 header) - 8 (UDP header)
    const largest = Buffer.alloc(65_507, 0x5a);
    client.send(largest, { to: '127.0.0.1', port: server.localPort });
    expect((await received).data.equals(largest)).toBe(true);
  });
});
