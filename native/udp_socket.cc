#include "udp_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "environment_sockets.h"
#include "socket_address.h"
#include "sys_error.h"
#include "udp_setup.h"

namespace styx {
namespace {

// Largest UDP payload over IPv4/IPv6 without jumbograms; a datagram never
// arrives truncated into this buffer.
constexpr size_t kReceiveBufferSize = 65536;
// Datagrams read per readiness callback before yielding to the event loop; the
// poll is level-triggered, so the rest are read on the next turn.
constexpr int kMaxDatagramsPerWakeup = 64;

std::string Endpoint(const std::string& address, uint32_t port) {
  return (address.find(':') == std::string::npos ? address : "[" + address + "]") + ":" +
         std::to_string(port);
}

bool ReadPort(const Napi::Value& value, uint16_t* port) {
  if (!value.IsNumber()) return false;
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= 65535) || number != static_cast<uint16_t>(number)) return false;
  *port = static_cast<uint16_t>(number);
  return true;
}

bool ReadFlag(const Napi::Object& options, const char* name, bool fallback) {
  const Napi::Value value = options.Get(name);
  return value.IsBoolean() ? value.As<Napi::Boolean>().Value() : fallback;
}

// Fills `out` from the JS options; on failure throws a TypeError and returns false.
bool ReadOptions(Napi::Env env, const Napi::Value& value, UdpSocketOptions* out) {
  if (!value.IsObject()) {
    MakeArgumentError(env, "ERR_INVALID_ARG_TYPE", "options must be an object")
        .ThrowAsJavaScriptException();
    return false;
  }
  const Napi::Object options = value.As<Napi::Object>();
  const Napi::Value address = options.Get("address");
  uint16_t port = 0;
  if (!address.IsString() || !ReadPort(options.Get("port"), &port)) {
    MakeArgumentError(env, "ERR_INVALID_ARG_TYPE",
                      "options.address must be a string and options.port an integer 0-65535")
        .ThrowAsJavaScriptException();
    return false;
  }
  const std::string text = address.As<Napi::String>().Utf8Value();
  if (!ParseSocketAddress(text, port, AF_UNSPEC, &out->bind_address)) {
    MakeArgumentError(env, "ERR_INVALID_ARG_VALUE", "not a numeric IP address: " + text)
        .ThrowAsJavaScriptException();
    return false;
  }
  out->reuse_address = ReadFlag(options, "reuseAddress", true);
  out->bypass_policy = ReadFlag(options, "bypassPolicy", true);
  out->encap_esp_in_udp = ReadFlag(options, "encapEspInUdp", false);
  const Napi::Value receive_buffer = options.Get("receiveBufferSize");
  if (receive_buffer.IsNumber()) {
    const double number = receive_buffer.As<Napi::Number>().DoubleValue();
    if (!(number >= 1 && number <= 1073741824.0) || number != static_cast<uint32_t>(number)) {
      MakeArgumentError(env, "ERR_INVALID_ARG_VALUE",
                        "options.receiveBufferSize must be an integer 1-2^30")
          .ThrowAsJavaScriptException();
      return false;
    }
    out->receive_buffer_size = static_cast<uint32_t>(number);
  }
  const Napi::Value mark = options.Get("mark");
  if (mark.IsNumber()) {
    const double number = mark.As<Napi::Number>().DoubleValue();
    if (!(number >= 0 && number <= 4294967295.0) || number != static_cast<uint32_t>(number)) {
      MakeArgumentError(env, "ERR_INVALID_ARG_VALUE", "options.mark must be a 32-bit unsigned")
          .ThrowAsJavaScriptException();
      return false;
    }
    out->has_mark = true;
    out->mark = static_cast<uint32_t>(number);
  }
  return true;
}

// The local address and interface of a received datagram, from its
// IP_PKTINFO / IPV6_PKTINFO control message: the destination address in the
// packet's header, which a wildcard-bound socket cannot otherwise tell.
void ReadPacketInfo(const msghdr& header, std::string* local, uint32_t* ifindex) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&header), c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      *local = FormatInet4(info.ipi_addr);
      *ifindex = static_cast<uint32_t>(info.ipi_ifindex);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info;
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      const bool scoped = IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr);
      *local = FormatInet6(info.ipi6_addr, scoped ? info.ipi6_ifindex : 0);
      *ifindex = info.ipi6_ifindex;
    }
  }
}

union ControlBuffer {
  cmsghdr align;
  char bytes[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))];
};

// Puts the source address into a pktinfo control message: the kernel then
// sends from that address (and routes as if from it), whatever the socket is
// bound to. Returns the control length.
size_t WriteSourceInfo(const SocketAddress& from, ControlBuffer* control) {
  std::memset(control, 0, sizeof *control);
  msghdr header{};
  header.msg_control = control->bytes;
  header.msg_controllen = sizeof control->bytes;
  cmsghdr* c = CMSG_FIRSTHDR(&header);
  if (from.family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(from.get());
    in6_pktinfo info{};
    info.ipi6_addr = in6->sin6_addr;
    info.ipi6_ifindex = in6->sin6_scope_id;  // required for a link-local source
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
  }
  in_pktinfo info{};
  // ipi_spec_dst is the source for the route lookup and the header; with
  // ipi_ifindex 0 the kernel does not replace it by an interface's address.
  info.ipi_spec_dst = reinterpret_cast<const sockaddr_in*>(from.get())->sin_addr;
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof info);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  return CMSG_SPACE(sizeof info);
}

Napi::Error SocketClosedError(Napi::Env env) {
  Napi::Error error = Napi::Error::New(env, "the socket is closed");
  error.Set("code", Napi::String::New(env, "ERR_SOCKET_CLOSED"));
  return error;
}

}  // namespace

struct UdpSocket::PollHandle {
  uv_poll_t poll;
  int fd;
  UdpSocket* owner;  // null once the socket is closed
  EnvironmentSockets* environment;
};

Napi::Function UdpSocket::Define(Napi::Env env) {
  return DefineClass(env, "UdpSocket",
                     {
                         InstanceMethod<&UdpSocket::Send>("send"),
                         InstanceMethod<&UdpSocket::CloseMethod>("close"),
                         InstanceMethod<&UdpSocket::Address>("address"),
                         InstanceMethod<&UdpSocket::Ref>("ref"),
                         InstanceMethod<&UdpSocket::Unref>("unref"),
                         InstanceMethod<&UdpSocket::Stats>("stats"),
                     });
}

UdpSocket::UdpSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UdpSocket>(info) {
  Napi::Env env = info.Env();
  UdpSocketOptions options;
  if (!ReadOptions(env, info[0], &options)) return;
  if (!info[1].IsFunction() || !info[2].IsFunction()) {
    MakeArgumentError(env, "ERR_INVALID_ARG_TYPE", "onMessage and onError must be functions")
        .ThrowAsJavaScriptException();
    return;
  }
  SyscallFailure failure;
  const int fd = OpenUdpSocket(options, &failure);
  if (fd < 0) {
    const std::string where = std::string(failure.option) + (*failure.option ? " " : "") +
                              Endpoint(FormatAddress(options.bind_address.get()),
                                       PortOf(options.bind_address.get()));
    MakeSystemError(env, failure.err, failure.syscall, where).ThrowAsJavaScriptException();
    return;
  }
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  auto* handle = new PollHandle{};
  handle->fd = fd;
  handle->owner = this;
  handle->environment = EnvironmentSockets::For(env);
  handle->poll.data = handle;
  int rc = uv_poll_init(loop, &handle->poll, fd);
  if (rc != 0) {
    // Not registered with the loop: nothing for libuv to close.
    delete handle;
    close(fd);
    MakeSystemError(env, -rc, "uv_poll_init", "").ThrowAsJavaScriptException();
    return;
  }
  rc = uv_poll_start(&handle->poll, UV_READABLE, &UdpSocket::OnPoll);
  if (rc != 0) {
    handle->owner = nullptr;
    handle->environment->Closing(nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&handle->poll), &UdpSocket::OnHandleClosed);
    MakeSystemError(env, -rc, "uv_poll_start", "").ThrowAsJavaScriptException();
    return;
  }
  handle_ = handle;
  fd_ = fd;
  family_ = options.bind_address.family();
  on_message_ = Napi::Persistent(info[1].As<Napi::Function>());
  on_error_ = Napi::Persistent(info[2].As<Napi::Function>());
  self_ = Napi::Persistent(info.This().As<Napi::Object>());
  async_context_ = std::make_unique<Napi::AsyncContext>(env, "StyxUdpSocket");
  receive_buffer_ = std::make_unique<uint8_t[]>(kReceiveBufferSize);
  handle->environment->Opened(this);
}

UdpSocket::~UdpSocket() { Close(); }

void UdpSocket::Close() {
  if (handle_ == nullptr) return;
  uv_poll_stop(&handle_->poll);
  handle_->owner = nullptr;
  handle_->environment->Closing(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_->poll), &UdpSocket::OnHandleClosed);
  handle_ = nullptr;
  fd_ = -1;
  // close() may be called from inside a callback made with async_context_ and
  // receive_buffer_: both stay until the object is collected. The callbacks and
  // the self-reference go now, so nothing keeps a closed socket alive.
  on_message_.Reset();
  on_error_.Reset();
  if (!self_.IsEmpty()) self_.Reset();
}

// The descriptor is closed only once libuv has let go of the handle.
void UdpSocket::OnHandleClosed(uv_handle_t* closed) {
  auto* handle = static_cast<PollHandle*>(closed->data);
  close(handle->fd);
  handle->environment->Closed();
  delete handle;
}

void UdpSocket::OnPoll(uv_poll_t* poll, int status, int events) {
  auto* handle = static_cast<PollHandle*>(poll->data);
  UdpSocket* self = handle->owner;
  if (self == nullptr) return;
  if (status < 0) {
    self->ReportError(-status, "uv_poll");
    return;
  }
  if (events & UV_READABLE) self->ReadPendingDatagrams();
}

void UdpSocket::ReadPendingDatagrams() {
  for (int i = 0; i < kMaxDatagramsPerWakeup && handle_ != nullptr; i++) {
    sockaddr_storage remote{};
    iovec vector{receive_buffer_.get(), kReceiveBufferSize};
    ControlBuffer control;
    msghdr header{};
    header.msg_name = &remote;
    header.msg_namelen = sizeof remote;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = control.bytes;
    header.msg_controllen = sizeof control.bytes;
    const ssize_t length = recvmsg(fd_, &header, MSG_DONTWAIT);
    if (length < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) ReportError(errno, "recvmsg");
      return;
    }
    if (header.msg_flags & MSG_TRUNC) {
      truncated_++;
      continue;
    }
    if (!DeliverDatagram(static_cast<size_t>(length), reinterpret_cast<sockaddr*>(&remote),
                         header)) {
      return;
    }
  }
}

bool UdpSocket::DeliverDatagram(size_t length, const sockaddr* remote, const msghdr& header) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  std::string local;
  uint32_t ifindex = 0;
  ReadPacketInfo(header, &local, &ifindex);
  const std::initializer_list<napi_value> args = {
      Napi::Buffer<uint8_t>::Copy(env, receive_buffer_.get(), length),
      Napi::String::New(env, FormatAddress(remote)),
      Napi::Number::New(env, PortOf(remote)),
      local.empty() ? env.Undefined() : Napi::String::New(env, local),
      Napi::Number::New(env, ifindex),
  };
  on_message_.MakeCallback(Value(), args, *async_context_);
  if (env.IsExceptionPending()) {
    // Thrown by a listener: hand it to process 'uncaughtException' as Node.js
    // does for its own sockets, rather than swallowing it here.
    napi_fatal_exception(env, env.GetAndClearPendingException().Value());
    return false;
  }
  return handle_ != nullptr;
}

void UdpSocket::ReportError(int err, const char* syscall) {
  if (handle_ == nullptr) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  Napi::Error error = MakeSystemError(env, err, syscall, "");
  on_error_.MakeCallback(Value(), {error.Value()}, *async_context_);
  if (env.IsExceptionPending()) {
    napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }
}

Napi::Value UdpSocket::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handle_ == nullptr) {
    SocketClosedError(env).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uint16_t port = 0;
  if (!info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      !info[1].IsString() || !ReadPort(info[2], &port) ||
      !(info[3].IsUndefined() || info[3].IsString())) {
    MakeArgumentError(env, "ERR_INVALID_ARG_TYPE",
                      "send(data: Uint8Array, address: string, port: number, from?: string)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();
  const std::string to = info[1].As<Napi::String>().Utf8Value();
  SocketAddress destination;
  if (!ParseSocketAddress(to, port, family_, &destination)) {
    MakeArgumentError(env, "ERR_INVALID_ARG_VALUE",
                      "not a numeric address of the socket's family: " + to)
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  ControlBuffer control;
  // sendmsg only reads the payload; iovec has no const variant.
  iovec vector{const_cast<uint8_t*>(data.Data()), data.ByteLength()};
  msghdr header{};
  header.msg_name = destination.get();
  header.msg_namelen = destination.length;
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  if (info[3].IsString()) {
    const std::string from = info[3].As<Napi::String>().Utf8Value();
    SocketAddress source;
    if (!ParseSocketAddress(from, 0, family_, &source)) {
      MakeArgumentError(env, "ERR_INVALID_ARG_VALUE",
                        "not a numeric address of the socket's family: " + from)
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    header.msg_control = control.bytes;
    header.msg_controllen = WriteSourceInfo(source, &control);
  }
  ssize_t sent;
  do {
    sent = sendmsg(fd_, &header, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    // EAGAIN (a full send buffer) is reported, not queued: IKE retransmits.
    MakeSystemError(env, errno, "sendmsg", Endpoint(to, port)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(sent));
}

Napi::Value UdpSocket::CloseMethod(const Napi::CallbackInfo& info) {
  Close();
  return info.Env().Undefined();
}

Napi::Value UdpSocket::Address(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (handle_ == nullptr) {
    SocketClosedError(env).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  SocketAddress local;
  local.length = sizeof local.storage;
  if (getsockname(fd_, local.get(), &local.length) != 0) {
    MakeSystemError(env, errno, "getsockname", "").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("address", Napi::String::New(env, FormatAddress(local.get())));
  result.Set("port", Napi::Number::New(env, PortOf(local.get())));
  result.Set("family", Napi::Number::New(env, family_ == AF_INET6 ? 6 : 4));
  return result;
}

Napi::Value UdpSocket::Ref(const Napi::CallbackInfo& info) {
  if (handle_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  return info.Env().Undefined();
}

Napi::Value UdpSocket::Unref(const Napi::CallbackInfo& info) {
  if (handle_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->poll));
  return info.Env().Undefined();
}

Napi::Value UdpSocket::Stats(const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("truncated", Napi::Number::New(info.Env(), truncated_));
  return result;
}

}  // namespace styx
