/**
 * Access to test-vectors/kernel/iproute2-requests.json: the netlink requests
 * iproute2 6.1 sent for the commands listed there (recorded by capture.mjs).
 */
import { readFileSync } from 'node:fs';

interface Vector {
  name: string;
  command: string;
  messages: string[];
}

const file = JSON.parse(
  readFileSync(
    new URL('../../test-vectors/kernel/iproute2-requests.json', import.meta.url),
    'utf8',
  ),
) as { vectors: Vector[] };

/** Hex of a message with the sequence number and port id (bytes 8..16) zeroed. */
export function withoutSeqPid(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  b.fill(0, 8, 16);
  return b.toString('hex');
}

/** The last message a command sent (earlier ones are ifindex lookups), seq and pid zeroed. */
export function recorded(name: string): string {
  const v = file.vectors.find((x) => x.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  const hex = v.messages.at(-1);
  if (!hex) throw new Error(`vector ${name} recorded no message`);
  return withoutSeqPid(Buffer.from(hex, 'hex'));
}

/** Every message a command sent, in order, seq and pid zeroed. */
export function recordedAll(name: string): string[] {
  const v = file.vectors.find((x) => x.name === name);
  if (!v) throw new Error(`no vector ${name}`);
  return v.messages.map((hex) => withoutSeqPid(Buffer.from(hex, 'hex')));
}
