/**
 * The kernel layer of Styx: the {@link IpsecKernel} interface, its netlink and
 * in-memory implementations, typed errors and the address helpers.
 */
export type { AddressFamily } from './address.js';
export { familyOf, normalizeAddress } from './address.js';
export { KERNEL_ALGORITHMS, type KernelAlgorithm } from './algorithms.js';
export {
  describePolicy,
  describeSa,
  describeSelector,
  isKernelError,
  isNotFound,
  KernelError,
  type KernelErrorCode,
} from './errors.js';
export { type Flow, selectorMatches } from './memory/flow.js';
export { MemoryKernel, type MemoryKernelOptions } from './memory-kernel.js';
export type { NetlinkTransport } from './netlink/socket.js';
export {
  NetlinkKernel,
  type NetlinkKernelOptions,
  type TransportFactory,
} from './netlink-kernel.js';
export { pickDefaultRoute } from './routes.js';
export type * from './types.js';
