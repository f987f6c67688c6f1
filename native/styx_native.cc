// Styx native addon: only what Node.js cannot do itself (see docs/architecture.md).
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  return exports;
}

NODE_API_MODULE(styx_native, Init)
