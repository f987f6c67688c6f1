{
  "targets": [
    {
      "target_name": "styx_native",
      "sources": [
        "native/styx_native.cc",
        "native/udp_socket.cc",
        "native/udp_setup.cc",
        "native/environment_sockets.cc",
        "native/socket_address.cc",
        "native/sys_error.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    }
  ]
}
