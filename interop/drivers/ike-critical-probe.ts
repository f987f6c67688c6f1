// Lab driver: sends an IKE_SA_INIT request carrying an unknown payload with the
// critical bit set (RFC 7296 §2.5) and prints the answer's notify types as one
// JSON line. Usage: node ike-critical-probe.js --to ADDRESS [--port 500]

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { decodeIkeMessage, ExchangeType, encodeIkeMessage } from '../../src/wire/ikev2/index.js';

const argv = process.argv.slice(2);
const to = argv[argv.indexOf('--to') + 1];
const port = argv.includes('--port') ? Number(argv[argv.indexOf('--port') + 1]) : 500;
if (!to) {
  process.stderr.write('usage: ike-critical-probe.js --to ADDRESS [--port 500]\n');
  process.exit(2);
}
const request = encodeIkeMessage({
  header: {
    initiatorSpi: new Uint8Array(randomBytes(8)),
    responderSpi: new Uint8Array(8),
    majorVersion: 2,
    minorVersion: 0,
    exchangeType: ExchangeType.IKE_SA_INIT,
    flags: { initiator: true, higherVersion: false, response: false },
    messageId: 0,
  },
  payloads: [{ kind: 'unknown', payloadType: 211, critical: true, body: new Uint8Array(8) }],
});
const socket = createSocket(to.includes(':') ? 'udp6' : 'udp4');
const timer = setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ event: 'timeout' })}\n`);
  socket.close();
  process.exitCode = 1;
}, 5000);
socket.on('message', (data) => {
  clearTimeout(timer);
  const msg = decodeIkeMessage(new Uint8Array(data));
  const notifies = msg.payloads.flatMap((p) =>
    p.kind === 'N' ? [{ type: p.notifyType, data: Buffer.from(p.data).toString('hex') }] : [],
  );
  process.stdout.write(
    `${JSON.stringify({ event: 'answer', response: msg.header.flags.response, notifies })}\n`,
  );
  socket.close();
});
socket.send(request, port, to);
