/**
 * IKE and ESP share UDP port 4500 after NAT traversal starts (RFC 3948 §2,
 * RFC 7296 §2.23). The kernel tells them apart by the first four octets: an
 * ESP packet starts with its SPI, never zero; an IKE message is prefixed with
 * four zero octets, the non-ESP marker (RFC 3948 §2.2). With
 * UDP_ENCAP_ESPINUDP set, the kernel consumes ESP and NAT-keepalives itself,
 * and gives the socket everything else, marker included.
 */

/** The IKE port (RFC 7296 §2). */
export const IKE_PORT = 500;
/** The port for IKE and ESP-in-UDP once a NAT is detected (RFC 7296 §2.23, RFC 3948 §2). */
export const IKE_NAT_T_PORT = 4500;
/** Length of the non-ESP marker: four zero octets (RFC 3948 §2.2). */
export const NON_ESP_MARKER_LENGTH = 4;

/**
 * The IKE message inside a datagram received on a NAT-T socket, or undefined
 * when the datagram does not start with the non-ESP marker. The kernel hands
 * over such datagrams only when they are too short to be ESP (8 octets or
 * fewer); they are not IKE and are dropped.
 */
export function stripNonEspMarker(datagram: Buffer): Buffer | undefined {
  if (datagram.length < NON_ESP_MARKER_LENGTH) return undefined;
  for (let i = 0; i < NON_ESP_MARKER_LENGTH; i++) {
    if (datagram[i] !== 0) return undefined;
  }
  return datagram.subarray(NON_ESP_MARKER_LENGTH);
}

/** The datagram that carries an IKE message on a NAT-T socket (RFC 3948 §2.2). */
export function addNonEspMarker(message: Uint8Array): Buffer {
  const datagram = Buffer.alloc(NON_ESP_MARKER_LENGTH + message.length);
  datagram.set(message, NON_ESP_MARKER_LENGTH);
  return datagram;
}
