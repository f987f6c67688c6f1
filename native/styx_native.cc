// Styx native addon: only what Node.js cannot do itself (see docs/native.md).
#include <napi.h>

#include "udp_socket.h"

namespace {

// Bumped whenever the JS-facing interface changes; src/net/native-addon.ts
// refuses a build of another version (a stale build/ after a pull).
constexpr int kAbiVersion = 2;

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("UdpSocket", styx::UdpSocket::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(styx_native, Init)
