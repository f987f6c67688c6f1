// The sockets of one Node.js environment (the main thread or a worker), so that
// its teardown closes them and waits for libuv to let go of their handles before
// Node.js unloads the addon: a close callback left pending into unloaded code
// would crash a worker at exit.
#pragma once

#include <napi.h>

#include <set>

namespace styx {

class UdpSocket;

class EnvironmentSockets {
 public:
  // This environment's registry, created (with its teardown hook) on first use.
  static EnvironmentSockets* For(Napi::Env env);

  void Opened(UdpSocket* socket);
  // The socket (null for one that failed to start) is being closed: its
  // handle's close callback is pending.
  void Closing(UdpSocket* socket);
  // A handle's close callback ran.
  void Closed();

 private:
  EnvironmentSockets() = default;
  // napi_add_async_cleanup_hook: Node.js keeps the environment (and the addon)
  // until napi_remove_async_cleanup_hook is called.
  static void OnTeardown(napi_async_cleanup_hook_handle hook, void* data);
  static void OnInstanceDataReleased(napi_env env, void* data, void* hint);
  void FinishTeardownIfIdle();
  void DeleteIfUnused();

  std::set<UdpSocket*> open_;
  int closing_ = 0;
  napi_async_cleanup_hook_handle hook_ = nullptr;
  bool tearing_down_ = false;
  bool teardown_finished_ = false;
  bool instance_data_released_ = false;
};

}  // namespace styx
