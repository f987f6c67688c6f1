import { describe, expect, it } from 'vitest';
import { redactKeys } from '../../interop/runner/exec.js';

describe('lab logs carry no key material', () => {
  it('redacts the keys ip xfrm state prints', () => {
    const state = [
      '\tproto esp spi 0xc6c62418(3334874136) reqid 1(0x00000001) mode tunnel',
      '\taead rfc4106(gcm(aes)) 0x68c5e0e6da2afdefcd8c (288 bits) 128',
      '\tenc cbc(aes) 0x0123456789abcdef',
      '\tauth-trunc hmac(sha256) 0xdb061a38faf63996 (256 bits) 128',
    ].join('\n');
    const out = redactKeys(state);
    expect(out).not.toMatch(/68c5e0e6|0123456789abcdef|db061a38/);
    expect(out).toContain('aead rfc4106(gcm(aes)) <key redacted> (288 bits) 128');
    expect(out).toContain('spi 0xc6c62418');
  });
});
