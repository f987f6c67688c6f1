#include "sys_error.h"

#include <uv.h>

#include <cstring>

namespace styx {

Napi::Error MakeSystemError(Napi::Env env, int err, const char* syscall,
                            const std::string& detail) {
  // libuv names errno values on Unix as their negation (UV_EADDRNOTAVAIL ==
  // -EADDRNOTAVAIL); uv_err_name_r writes "Unknown system error N" otherwise.
  char name[64];
  uv_err_name_r(-err, name, sizeof name);
  std::string code = std::strncmp(name, "Unknown", 7) == 0 ? "ERRNO_" + std::to_string(err)
                                                           : std::string(name);
  std::string message = std::string(syscall) + " " + code;
  if (!detail.empty()) message += " " + detail;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  error.Set("errno", Napi::Number::New(env, -err));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

Napi::Error MakeArgumentError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

}  // namespace styx
