import { afterEach, describe, expect, it } from 'vitest';
import { type IkeSocket, openIkeEndpoint } from '../../src/net/ike-socket.js';
import { isSystemError } from '../../src/net/native-addon.js';

const open: IkeSocket[] = [];
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an exception');
}

describe('IKE socket: failures are typed errors', () => {
  it('binding an address this host does not have gives EADDRNOTAVAIL from bind', () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
    const error = caught(() => openIkeEndpoint({ address: '192.0.2.1', port: 500, natt: false }));
    expect(isSystemError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'bind', errno: -99 });
    expect((error as Error).message).toBe('bind EADDRNOTAVAIL 192.0.2.1:500');
  });

  it('the same over IPv6, with the address in brackets', () => {
    const error = caught(() => openIkeEndpoint({ address: '2001:db8::1', port: 4500, natt: true }));
    expect(error).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'bind' });
    expect((error as Error).message).toBe('bind EADDRNOTAVAIL [2001:db8::1]:4500');
  });

  it('a port taken by a socket without SO_REUSEADDR gives EADDRINUSE', () => {
    const first = openIkeEndpoint({
      address: '127.0.0.1',
      port: 0,
      natt: false,
      reuseAddress: false,
    });
    open.push(first);
    const error = caught(() =>
      openIkeEndpoint({ address: '127.0.0.1', port: first.localPort, natt: false }),
    );
    expect(error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind' });
  });

  it('sending from an address that is not local fails in sendmsg', () => {
    const socket = openIkeEndpoint({ address: '0.0.0.0', port: 0, natt: false });
    open.push(socket);
    const error = caught(() =>
      socket.send(Buffer.from('x'), { to: '127.0.0.1', port: 9, from: '192.0.2.1' }),
    );
    expect(isSystemError(error)).toBe(true);
    expect(error).toMatchObject({ syscall: 'sendmsg' });
    expect(socket.stats().sent).toBe(0);
  });

  it('a datagram larger than UDP allows is refused with EMSGSIZE', () => {
    const socket = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });
    open.push(socket);
    const error = caught(() => socket.send(Buffer.alloc(65_508), { to: '127.0.0.1', port: 9 }));
    expect(error).toMatchObject({ code: 'EMSGSIZE', syscall: 'sendmsg' });
  });

  it('an address that is not numeric, or of the other family, is an argument error', () => {
    const socket = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });
    open.push(socket);
    expect(() => openIkeEndpoint({ address: 'localhost', port: 500, natt: false })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => socket.send(Buffer.from('x'), { to: '::1', port: 9 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => socket.send(Buffer.from('x'), { to: '127.0.0.1', port: 70_000 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false, mark: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });

  it('a closed socket refuses to send with ERR_SOCKET_CLOSED, and closing twice is harmless', () => {
    const socket = openIkeEndpoint({ address: '127.0.0.1', port: 0, natt: false });
    socket.close();
    socket.close();
    expect(socket.closed).toBe(true);
    expect(() => socket.send(Buffer.from('x'), { to: '127.0.0.1', port: 9 })).toThrow(
      expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }),
    );
  });
});

describe('IKE socket: options that need privileges are applied', () => {
  it('sets SO_MARK and the bypass policy in both families (CAP_NET_ADMIN, XFRM)', () => {
    for (const address of ['127.0.0.1', '::1']) {
      const socket = openIkeEndpoint({
        address,
        port: 0,
        natt: true,
        mark: 0x51,
        bypassPolicy: true,
      });
      open.push(socket);
      expect(socket.natt).toBe(true);
    }
  });
});
