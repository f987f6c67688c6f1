#include "socket_address.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>

#include <cstring>

namespace styx {

bool ParseSocketAddress(const std::string& text, uint16_t port, int family, SocketAddress* out) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_DGRAM;
  // Numeric only: getaddrinfo then never touches DNS, and it understands IPv6
  // scope suffixes ("%eth0"), which inet_pton does not.
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  const std::string service = std::to_string(port);
  if (getaddrinfo(text.c_str(), service.c_str(), &hints, &result) != 0 || result == nullptr) {
    return false;
  }
  bool ok = result->ai_addrlen <= sizeof out->storage;
  if (ok) {
    std::memset(&out->storage, 0, sizeof out->storage);
    std::memcpy(&out->storage, result->ai_addr, result->ai_addrlen);
    out->length = result->ai_addrlen;
  }
  freeaddrinfo(result);
  return ok;
}

std::string FormatInet4(const in_addr& address) {
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

std::string FormatInet6(const in6_addr& address, uint32_t scope_id) {
  char text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &address, text, sizeof text);
  std::string result = text;
  if (scope_id != 0) {
    char name[IF_NAMESIZE];
    result += "%";
    result += if_indextoname(scope_id, name) != nullptr ? name : std::to_string(scope_id);
  }
  return result;
}

std::string FormatAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return FormatInet4(reinterpret_cast<const sockaddr_in*>(address)->sin_addr);
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    return FormatInet6(in6->sin6_addr, in6->sin6_scope_id);
  }
  return "";
}

uint16_t PortOf(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(address)->sin_port);
  }
  if (address->sa_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(address)->sin6_port);
  }
  return 0;
}

}  // namespace styx
