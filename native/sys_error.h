// Errors from system calls, shaped like Node.js's own system errors so that
// TypeScript can branch on `code` ("EADDRNOTAVAIL") rather than on message text.
#pragma once

#include <napi.h>

#include <string>

namespace styx {

// Returns a JS Error whose message reads "<syscall> <CODE> <detail>" (the form
// Node.js uses, e.g. "bind EADDRNOTAVAIL 192.0.2.1:500"), with the properties
// `code` (errno name), `errno` (negated, as Node.js does) and `syscall`.
Napi::Error MakeSystemError(Napi::Env env, int err, const char* syscall,
                            const std::string& detail);

// A TypeError with `code` = "ERR_INVALID_ARG_TYPE" or "ERR_INVALID_ARG_VALUE".
Napi::Error MakeArgumentError(Napi::Env env, const char* code, const std::string& message);

}  // namespace styx
