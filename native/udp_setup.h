// Creating and configuring an IKE UDP socket: plain system calls, no N-API, so
// that each step's failure can name its system call and option.
#pragma once

#include <cstdint>

#include "socket_address.h"

namespace styx {

struct UdpSocketOptions {
  SocketAddress bind_address;
  bool reuse_address = true;
  // Per-socket IPsec policy "allow, in and out": IKE must never be caught by
  // the tunnels it negotiates (strongSwan and Libreswan do the same).
  bool bypass_policy = true;
  // UDP_ENCAP_ESPINUDP (RFC 3948): the kernel takes ESP-in-UDP itself and hands
  // us only datagrams that start with the non-ESP marker (and short ones).
  bool encap_esp_in_udp = false;
  bool has_mark = false;
  uint32_t mark = 0;
  // SO_RCVBUF in bytes (0: the system default, net.core.rmem_default). A
  // responder under a burst of IKE_SA_INIT requests drops what does not fit.
  uint32_t receive_buffer_size = 0;
};

struct SyscallFailure {
  int err = 0;
  const char* syscall = "";
  // The socket option that failed ("IP_XFRM_POLICY"), or "" for other calls.
  const char* option = "";
};

// Returns a non-blocking, close-on-exec, bound UDP socket, or -1 with `failure`
// filled (the half-made socket is closed).
int OpenUdpSocket(const UdpSocketOptions& options, SyscallFailure* failure);

}  // namespace styx
