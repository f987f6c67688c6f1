// Numeric IPv4/IPv6 socket addresses to and from text. No name resolution ever:
// IKE endpoints are addresses, and a DNS lookup here would block the event loop.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace styx {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

// Parses a numeric address ("192.0.2.1", "2001:db8::1", "fe80::1%eth0") with a
// port. `family` is AF_INET, AF_INET6 or AF_UNSPEC (any). Returns false when the
// text is not a numeric address of that family.
bool ParseSocketAddress(const std::string& text, uint16_t port, int family, SocketAddress* out);

// The address part as text; an IPv6 address with a scope (link-local) gets
// "%<interface name>" (or "%<index>" when the interface is gone).
std::string FormatAddress(const sockaddr* address);

// The same for a bare IPv4/IPv6 address as found in IP_PKTINFO/IPV6_PKTINFO.
std::string FormatInet4(const in_addr& address);
std::string FormatInet6(const in6_addr& address, uint32_t scope_id);

uint16_t PortOf(const sockaddr* address);

}  // namespace styx
