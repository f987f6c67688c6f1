#include "udp_setup.h"

// glibc's headers first: <linux/xfrm.h> pulls <linux/in6.h>, whose definitions
// step aside only when <netinet/in.h> was seen before it.
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/xfrm.h>

#include <cerrno>

namespace styx {
namespace {

bool SetOption(int fd, int level, int name, const void* value, socklen_t length,
               const char* option_name, SyscallFailure* failure) {
  if (setsockopt(fd, level, name, value, length) == 0) return true;
  failure->err = errno;
  failure->syscall = "setsockopt";
  failure->option = option_name;
  return false;
}

bool SetIntOption(int fd, int level, int name, int value, const char* option_name,
                  SyscallFailure* failure) {
  return SetOption(fd, level, name, &value, sizeof value, option_name, failure);
}

// A socket policy (IP_XFRM_POLICY / IPV6_XFRM_POLICY) overrides the global SPD
// for this socket's traffic in one direction. An empty selector with action
// ALLOW and no templates means "no IPsec", so IKE passes in clear even when a
// tunnel's policy covers the whole host-to-host path.
bool SetBypassPolicy(int fd, int family, SyscallFailure* failure) {
  const int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
  const int name = family == AF_INET6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
  const char* option_name = family == AF_INET6 ? "IPV6_XFRM_POLICY" : "IP_XFRM_POLICY";
  for (const uint8_t direction : {XFRM_POLICY_IN, XFRM_POLICY_OUT}) {
    xfrm_userpolicy_info policy{};
    policy.sel.family = static_cast<uint16_t>(family);
    policy.dir = direction;
    policy.action = XFRM_POLICY_ALLOW;
    policy.lft.soft_byte_limit = XFRM_INF;
    policy.lft.hard_byte_limit = XFRM_INF;
    policy.lft.soft_packet_limit = XFRM_INF;
    policy.lft.hard_packet_limit = XFRM_INF;
    if (!SetOption(fd, level, name, &policy, sizeof policy, option_name, failure)) return false;
  }
  return true;
}

bool Configure(int fd, const UdpSocketOptions& options, SyscallFailure* failure) {
  const int family = options.bind_address.family();
  if (options.reuse_address &&
      !SetIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", failure)) {
    return false;
  }
  if (family == AF_INET6) {
    // One socket per family, as for IKE's own addressing: an IPv6 socket must
    // not also take IPv4 as mapped addresses.
    if (!SetIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", failure)) return false;
    if (!SetIntOption(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", failure)) {
      return false;
    }
  } else if (!SetIntOption(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO", failure)) {
    return false;
  }
  if (options.has_mark && !SetOption(fd, SOL_SOCKET, SO_MARK, &options.mark,
                                     sizeof options.mark, "SO_MARK", failure)) {
    return false;
  }
  if (options.receive_buffer_size != 0) {
    const int size = static_cast<int>(options.receive_buffer_size);
    // SO_RCVBUFFORCE may exceed net.core.rmem_max but needs CAP_NET_ADMIN;
    // without it, SO_RCVBUF up to that maximum.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0 &&
        !SetIntOption(fd, SOL_SOCKET, SO_RCVBUF, size, "SO_RCVBUF", failure)) {
      return false;
    }
  }
  if (options.bypass_policy && !SetBypassPolicy(fd, family, failure)) return false;
  if (options.encap_esp_in_udp &&
      !SetIntOption(fd, IPPROTO_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP, "UDP_ENCAP", failure)) {
    return false;
  }
  if (bind(fd, options.bind_address.get(), options.bind_address.length) != 0) {
    failure->err = errno;
    failure->syscall = "bind";
    return false;
  }
  return true;
}

}  // namespace

int OpenUdpSocket(const UdpSocketOptions& options, SyscallFailure* failure) {
  const int fd = socket(options.bind_address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        IPPROTO_UDP);
  if (fd < 0) {
    failure->err = errno;
    failure->syscall = "socket";
    return -1;
  }
  if (!Configure(fd, options, failure)) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace styx
