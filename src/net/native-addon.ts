/**
 * Loads the native addon (`native/`, built by `node-gyp` from `binding.gyp`
 * during `npm ci`) and types the small interface it exposes. Only what Node.js
 * cannot do lives there; see docs/native.md.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's interface version; native/styx_native.cc must report the same. */
const EXPECTED_ABI_VERSION = 2;

/** Options of the native socket constructor (see native/udp_socket.h). */
export interface NativeUdpSocketOptions {
  address: string;
  port: number;
  reuseAddress?: boolean;
  bypassPolicy?: boolean;
  encapEspInUdp?: boolean;
  mark?: number;
  receiveBufferSize?: number;
}

export type NativeMessageCallback = (
  data: Buffer,
  remoteAddress: string,
  remotePort: number,
  localAddress: string | undefined,
  ifindex: number,
) => void;

export interface NativeUdpSocket {
  /** Returns the number of bytes sent; throws a {@link SystemError}. */
  send(data: Uint8Array, address: string, port: number, from?: string): number;
  close(): void;
  address(): { address: string; port: number; family: 4 | 6 };
  ref(): void;
  unref(): void;
  stats(): { truncated: number };
}

interface NativeAddon {
  abiVersion: number;
  UdpSocket: new (
    options: NativeUdpSocketOptions,
    onMessage: NativeMessageCallback,
    onError: (error: Error) => void,
  ) => NativeUdpSocket;
}

/**
 * A failed system call, shaped like Node.js's own: `code` is the errno name
 * ("EADDRNOTAVAIL"), `errno` its negation, `syscall` the call ("bind",
 * "setsockopt", "sendmsg", "recvmsg").
 */
export interface SystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
}

export function isSystemError(error: unknown): error is SystemError {
  return (
    error instanceof Error &&
    typeof (error as Partial<SystemError>).code === 'string' &&
    typeof (error as Partial<SystemError>).syscall === 'string'
  );
}

// Relative to this file both in the source tree (src/net/) and once compiled
// (dist/src/net/).
const ADDON_CANDIDATES = [
  '../../build/Release/styx_native.node',
  '../../../build/Release/styx_native.node',
];

let loaded: NativeAddon | undefined;

/**
 * The addon, loaded on first use so that importing this module never fails on
 * a machine where only the pure TypeScript parts are needed.
 */
export function nativeAddon(): NativeAddon {
  if (loaded !== undefined) return loaded;
  const path = ADDON_CANDIDATES.map((candidate) =>
    fileURLToPath(new URL(candidate, import.meta.url)),
  ).find((candidate) => existsSync(candidate));
  if (path === undefined) {
    throw Object.assign(
      new Error('build/Release/styx_native.node is missing: run `npm ci` (or `node-gyp rebuild`)'),
      { code: 'ERR_STYX_NATIVE_MISSING' },
    );
  }
  const addon = createRequire(import.meta.url)(path) as NativeAddon;
  if (addon.abiVersion !== EXPECTED_ABI_VERSION) {
    throw Object.assign(
      new Error(
        `${path} has interface version ${addon.abiVersion}, expected ${EXPECTED_ABI_VERSION}: rebuild it`,
      ),
      { code: 'ERR_STYX_NATIVE_VERSION' },
    );
  }
  loaded = addon;
  return addon;
}
