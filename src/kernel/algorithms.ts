/**
 * Kernel algorithm names the in-memory kernel accepts, with their key sizes,
 * so that it refuses what Linux refuses: an unknown name answers ENOSYS
 * (attach_aead/attach_one_algo in net/xfrm/xfrm_user.c), a wrong key or ICV
 * size EINVAL. Names are those of the kernel's xfrm_algo tables
 * (net/xfrm/xfrm_algo.c); key sizes in bytes include any salt/nonce.
 */

export interface KernelAlgorithm {
  kind: 'aead' | 'crypt' | 'auth' | 'comp';
  keyBytes: readonly number[];
  /** Allowed ICV (AEAD) or truncation (auth) lengths in bits. */
  icvBits?: readonly number[];
}

const gcmKeys = [20, 28, 36];

export const KERNEL_ALGORITHMS: ReadonlyMap<string, KernelAlgorithm> = new Map<
  string,
  KernelAlgorithm
>([
  ['rfc4106(gcm(aes))', { kind: 'aead', keyBytes: gcmKeys, icvBits: [64, 96, 128] }],
  ['rfc4309(ccm(aes))', { kind: 'aead', keyBytes: [19, 27, 35], icvBits: [64, 96, 128] }],
  ['rfc4543(gcm(aes))', { kind: 'aead', keyBytes: gcmKeys, icvBits: [128] }],
  ['rfc7539esp(chacha20,poly1305)', { kind: 'aead', keyBytes: [36], icvBits: [128] }],
  ['cbc(aes)', { kind: 'crypt', keyBytes: [16, 24, 32] }],
  ['rfc3686(ctr(aes))', { kind: 'crypt', keyBytes: [20, 28, 36] }],
  ['cbc(des3_ede)', { kind: 'crypt', keyBytes: [24] }],
  ['cbc(camellia)', { kind: 'crypt', keyBytes: [16, 24, 32] }],
  ['ecb(cipher_null)', { kind: 'crypt', keyBytes: [0] }],
  ['hmac(sha1)', { kind: 'auth', keyBytes: [20], icvBits: [96, 160] }],
  ['hmac(sha256)', { kind: 'auth', keyBytes: [32], icvBits: [96, 128, 256] }],
  ['hmac(sha384)', { kind: 'auth', keyBytes: [48], icvBits: [192, 384] }],
  ['hmac(sha512)', { kind: 'auth', keyBytes: [64], icvBits: [256, 512] }],
  ['xcbc(aes)', { kind: 'auth', keyBytes: [16], icvBits: [96] }],
  ['cmac(aes)', { kind: 'auth', keyBytes: [16], icvBits: [96] }],
  ['digest_null', { kind: 'auth', keyBytes: [0], icvBits: [0] }],
  ['deflate', { kind: 'comp', keyBytes: [0] }],
  ['lzs', { kind: 'comp', keyBytes: [0] }],
  ['lzjh', { kind: 'comp', keyBytes: [0] }],
]);
