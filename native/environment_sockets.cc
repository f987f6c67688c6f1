#include "environment_sockets.h"

#include "udp_socket.h"

namespace styx {

EnvironmentSockets* EnvironmentSockets::For(Napi::Env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  if (data != nullptr) return static_cast<EnvironmentSockets*>(data);
  auto* sockets = new EnvironmentSockets();
  napi_set_instance_data(env, sockets, &EnvironmentSockets::OnInstanceDataReleased, nullptr);
  napi_add_async_cleanup_hook(env, &EnvironmentSockets::OnTeardown, sockets, nullptr);
  return sockets;
}

void EnvironmentSockets::Opened(UdpSocket* socket) { open_.insert(socket); }

void EnvironmentSockets::Closing(UdpSocket* socket) {
  open_.erase(socket);
  closing_++;
}

void EnvironmentSockets::Closed() {
  closing_--;
  FinishTeardownIfIdle();
}

void EnvironmentSockets::OnTeardown(napi_async_cleanup_hook_handle hook, void* data) {
  auto* self = static_cast<EnvironmentSockets*>(data);
  self->hook_ = hook;
  self->tearing_down_ = true;
  const std::set<UdpSocket*> open = self->open_;  // Close() edits open_
  for (UdpSocket* socket : open) socket->Close();
  self->FinishTeardownIfIdle();
}

void EnvironmentSockets::OnInstanceDataReleased(napi_env, void* data, void*) {
  auto* self = static_cast<EnvironmentSockets*>(data);
  self->instance_data_released_ = true;
  self->DeleteIfUnused();
}

void EnvironmentSockets::FinishTeardownIfIdle() {
  if (!tearing_down_ || teardown_finished_ || !open_.empty() || closing_ != 0) return;
  teardown_finished_ = true;
  napi_remove_async_cleanup_hook(hook_);
  DeleteIfUnused();
}

// Both N-API (instance data) and the teardown hook refer to this object; the
// last of them to let go deletes it.
void EnvironmentSockets::DeleteIfUnused() {
  if (teardown_finished_ && instance_data_released_) delete this;
}

}  // namespace styx
