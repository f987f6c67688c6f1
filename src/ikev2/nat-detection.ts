/**
 * NAT detection (RFC 7296 §2.23): each side sends SHA-1(SPIi | SPIr | IP | port)
 * of the packet's source and of its destination as it sees them. A mismatch
 * tells that an address was rewritten on the way: a NAT in front of us (the
 * destination hash) or in front of the peer (the source hash).
 */

import { createHash } from 'node:crypto';
import type { Endpoint } from './ports.js';
import { parseAddress } from './traffic-selectors.js';

export function natDetectionHash(spiI: Uint8Array, spiR: Uint8Array, ep: Endpoint): Uint8Array {
  const addr = parseAddress(ep.address);
  const port = new Uint8Array([ep.port >> 8, ep.port & 0xff]);
  const h = createHash('sha1');
  h.update(spiI);
  h.update(spiR);
  if (addr) h.update(addr.bytes);
  h.update(port);
  return new Uint8Array(h.digest());
}

export interface NatResult {
  /** We are behind a NAT: the peer saw another destination than we sent from. */
  readonly local: boolean;
  /** The peer is behind a NAT. */
  readonly remote: boolean;
}

/**
 * Compares the received hashes with what we see: `sourceHashes` came in
 * NAT_DETECTION_SOURCE_IP notifies (there may be several), `destinationHash`
 * in NAT_DETECTION_DESTINATION_IP. Absent notifies mean no detection.
 */
export function detectNat(
  spiI: Uint8Array,
  spiR: Uint8Array,
  local: Endpoint,
  remote: Endpoint,
  sourceHashes: readonly Uint8Array[],
  destinationHash: Uint8Array | undefined,
): NatResult {
  const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  const remoteHash = natDetectionHash(spiI, spiR, remote);
  const localHash = natDetectionHash(spiI, spiR, local);
  return {
    remote: sourceHashes.length > 0 && !sourceHashes.some((h) => eq(h, remoteHash)),
    local: destinationHash !== undefined && !eq(destinationHash, localHash),
  };
}
