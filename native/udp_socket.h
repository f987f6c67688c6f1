// The IKE UDP socket exposed to JavaScript: receive with the local address and
// interface, send from a chosen source address, driven by libuv readiness.
#pragma once

#include <napi.h>
#include <uv.h>

#include <memory>

namespace styx {

// JS: new UdpSocket(options, onMessage, onError)
//   options   { address, port, reuseAddress?, bypassPolicy?, encapEspInUdp?, mark?,
//               receiveBufferSize? }
//   onMessage (data: Buffer, remoteAddress, remotePort, localAddress, ifindex)
//   onError   (error) for failures after the socket was opened (recvmsg, poll)
// Methods: send(data, address, port, from?) -> bytes sent; close(); address();
// ref(); unref(); stats().
class UdpSocket : public Napi::ObjectWrap<UdpSocket> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit UdpSocket(const Napi::CallbackInfo& info);
  ~UdpSocket() override;

  // Stops polling and releases the callbacks; the descriptor is closed when
  // libuv has closed the handle. Idempotent.
  void Close();

 private:
  struct PollHandle;

  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value Address(const Napi::CallbackInfo& info);
  Napi::Value Ref(const Napi::CallbackInfo& info);
  Napi::Value Unref(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* poll, int status, int events);
  static void OnHandleClosed(uv_handle_t* handle);
  void ReadPendingDatagrams();
  // Returns false when the callback threw or closed the socket: stop reading.
  bool DeliverDatagram(size_t length, const sockaddr* remote, const msghdr& header);
  void ReportError(int err, const char* syscall);

  PollHandle* handle_ = nullptr;  // null once closed
  int fd_ = -1;
  int family_ = 0;
  Napi::FunctionReference on_message_;
  Napi::FunctionReference on_error_;
  // Keeps this object alive while the socket is open, as node:dgram does.
  Napi::ObjectReference self_;
  std::unique_ptr<Napi::AsyncContext> async_context_;
  std::unique_ptr<uint8_t[]> receive_buffer_;
  double truncated_ = 0;
};

}  // namespace styx
