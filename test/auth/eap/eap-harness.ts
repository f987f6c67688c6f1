/** Runs an EAP server against an EAP peer in memory, through the packet codec both ways. */
import { createHash } from 'node:crypto';
import type { EapOutcome } from '../../../src/auth/eap/method.js';
import { decodeEap, type EapPacket, encodeEap } from '../../../src/auth/eap/packet.js';
import type { EapPeer } from '../../../src/auth/eap/peer.js';
import type { EapServer, EapServerOutcome } from '../../../src/auth/eap/server.js';

/** Deterministic "randomness" for reproducible conversations. */
export function seededRandom(seed: string) {
  let counter = 0;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = createHash('sha256').update(`${seed}/${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

function wire(p: EapPacket): EapPacket {
  const decoded = decodeEap(encodeEap(p));
  if ('error' in decoded) throw new Error(decoded.error);
  return decoded;
}

export interface Conversation {
  server: EapServerOutcome;
  peer?: EapOutcome;
  /** Every packet in order, as [direction, packet]. */
  transcript: ['S' | 'P', EapPacket][];
}

export async function converse(
  server: EapServer,
  peer: EapPeer,
  maxRounds = 100,
): Promise<Conversation> {
  const transcript: Conversation['transcript'] = [];
  let step = server.start();
  for (let i = 0; i < maxRounds; i++) {
    if (!step.send) throw new Error('server has nothing to send');
    const toPeer = wire(step.send);
    transcript.push(['S', toPeer]);
    const answer = await peer.process(toPeer);
    if (step.done)
      return { server: step.done, ...(answer.done && { peer: answer.done }), transcript };
    if (!answer.send)
      return {
        server: { success: false, reason: 'peer stopped' },
        ...(answer.done && { peer: answer.done }),
        transcript,
      };
    const toServer = wire(answer.send);
    transcript.push(['P', toServer]);
    step = await server.process(toServer);
  }
  throw new Error('conversation did not end');
}
