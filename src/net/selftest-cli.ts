/**
 * A standalone probe of the IKE sockets for the lab (network namespaces, User-
 * Mode Linux) and the host tests. Every event is one line of JSON on stdout.
 *
 *   listen --address A --port P [--natt] [--no-bypass] [--mark N] [--echo]
 *          [--count N] [--timeout MS]
 *     {"event":"listening","address":..,"port":..,"family":4}
 *     {"event":"message","localAddress":..,"localPort":..,"remoteAddress":..,
 *      "remotePort":..,"ifindex":..,"length":..,"data":"<hex>"}
 *     with --echo, each message is sent back from the address it arrived on:
 *     {"event":"replied","from":..,"to":..,"port":..}
 *     Exits 0 after --count messages, 1 when --timeout passes first.
 *
 *   send --to A --port P [--from S] [--bind A] [--bind-port P] [--natt]
 *        [--no-bypass] [--mark N] [--hex H | --text T] [--count N]
 *        [--wait-reply] [--timeout MS]
 *     {"event":"sent","from":..,"to":..,"port":..,"length":..} per datagram;
 *     with --wait-reply, the reply as a "message" line, or exit 1 on timeout.
 *
 * With --natt the socket is a NAT-T endpoint: UDP_ENCAP_ESPINUDP, and the
 * non-ESP marker is removed from what is received and added to what is sent
 * (--hex/--text give the IKE message). Without it, --hex is the datagram as is,
 * e.g. an ESP-looking one (non-zero first four octets) sent to a NAT-T listener.
 * Failures print {"event":"error","code":..,"syscall":..,"message":..}; usage
 * errors exit 2. Sockets are closed, never abandoned: the process ends by
 * itself, which is part of what it checks.
 *
 * Run: node --import tsx src/net/selftest-cli.ts listen --address 0.0.0.0 --port 500
 */
import { parseArgs } from 'node:util';
import { type IkeDatagram, type IkeSocket, openIkeEndpoint } from './ike-socket.js';
import { isSystemError } from './native-addon.js';

type Values = Record<string, string | boolean | undefined>;

const OPTIONS = {
  address: { type: 'string' },
  port: { type: 'string' },
  to: { type: 'string' },
  from: { type: 'string' },
  bind: { type: 'string' },
  'bind-port': { type: 'string' },
  natt: { type: 'boolean' },
  'no-bypass': { type: 'boolean' },
  mark: { type: 'string' },
  echo: { type: 'boolean' },
  count: { type: 'string' },
  timeout: { type: 'string' },
  hex: { type: 'string' },
  text: { type: 'string' },
  'wait-reply': { type: 'boolean' },
} as const;

class UsageError extends Error {}

function print(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function integer(values: Values, name: string, fallback?: number): number {
  const text = values[name];
  if (text === undefined && fallback !== undefined) return fallback;
  const value = typeof text === 'string' ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} needs an integer`);
  return value;
}

function required(values: Values, name: string): string {
  const text = values[name];
  if (typeof text !== 'string') throw new UsageError(`--${name} is required`);
  return text;
}

function open(values: Values, address: string, port: number): IkeSocket {
  return openIkeEndpoint({
    address,
    port,
    natt: values.natt === true,
    bypassPolicy: values['no-bypass'] !== true,
    ...(values.mark === undefined ? {} : { mark: integer(values, 'mark') }),
  });
}

function describe(datagram: IkeDatagram): Record<string, unknown> {
  return {
    event: 'message',
    localAddress: datagram.localAddress,
    localPort: datagram.localPort,
    remoteAddress: datagram.remoteAddress,
    remotePort: datagram.remotePort,
    ifindex: datagram.ifindex,
    length: datagram.data.length,
    data: datagram.data.toString('hex'),
  };
}

/** Ends the run once `socket` is done: after `count` messages or at the timeout. */
function finishAfter(socket: IkeSocket, values: Values, count: number): (received: number) => void {
  const timeout = values.timeout === undefined ? undefined : integer(values, 'timeout');
  const timer =
    timeout === undefined
      ? undefined
      : setTimeout(() => {
          print({ event: 'timeout' });
          process.exitCode = 1;
          socket.close();
        }, timeout);
  socket.once('close', () => clearTimeout(timer));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => socket.close());
  }
  return (received) => {
    if (received >= count) socket.close();
  };
}

function listen(values: Values): void {
  const socket = open(values, required(values, 'address'), integer(values, 'port'));
  print({
    event: 'listening',
    address: socket.localAddress,
    port: socket.localPort,
    family: socket.family,
  });
  const count = integer(values, 'count', Number.POSITIVE_INFINITY);
  const received = finishAfter(socket, values, count);
  let messages = 0;
  socket.on('message', (datagram) => {
    print(describe(datagram));
    if (values.echo === true) {
      const to = {
        to: datagram.remoteAddress,
        port: datagram.remotePort,
        from: datagram.localAddress,
      };
      try {
        socket.send(datagram.data, to);
        print({ event: 'replied', from: to.from, to: to.to, port: to.port });
      } catch (error) {
        fail(error);
      }
    }
    received(++messages);
  });
  socket.on('error', (error) => {
    fail(error);
    socket.close();
  });
}

function payload(values: Values): Buffer {
  if (typeof values.hex === 'string') return Buffer.from(values.hex, 'hex');
  return Buffer.from(typeof values.text === 'string' ? values.text : 'styx-selftest');
}

function send(values: Values): void {
  const to = required(values, 'to');
  const port = integer(values, 'port');
  const bind = typeof values.bind === 'string' ? values.bind : to.includes(':') ? '::' : '0.0.0.0';
  const socket = open(values, bind, integer(values, 'bind-port', 0));
  const from = typeof values.from === 'string' ? values.from : undefined;
  const data = payload(values);
  const waitReply = values['wait-reply'] === true;
  const received = finishAfter(socket, values, waitReply ? 1 : 0);
  socket.on('message', (datagram) => {
    print(describe(datagram));
    received(1);
  });
  socket.on('error', (error) => {
    fail(error);
    socket.close();
  });
  try {
    for (let i = integer(values, 'count', 1); i > 0; i--) {
      socket.send(data, { to, port, ...(from === undefined ? {} : { from }) });
      print({ event: 'sent', from: from ?? null, to, port, length: data.length });
    }
  } catch (error) {
    fail(error);
    socket.close();
  }
  if (!waitReply) socket.close();
}

function fail(error: unknown): void {
  if (isSystemError(error)) {
    print({ event: 'error', code: error.code, syscall: error.syscall, message: error.message });
  } else {
    print({ event: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  process.exitCode = error instanceof UsageError ? 2 : 1;
}

function main(argv: string[]): void {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
    });
    const [mode] = positionals;
    if (mode === 'listen') listen(values);
    else if (mode === 'send') send(values);
    else throw new UsageError('usage: selftest-cli listen|send [options] (see the file header)');
  } catch (error) {
    fail(
      error instanceof TypeError && !isSystemError(error) ? new UsageError(error.message) : error,
    );
  }
}

main(process.argv.slice(2));
