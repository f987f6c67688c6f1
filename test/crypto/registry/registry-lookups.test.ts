/**
 * The transform registry's lookups (RFC 7296 §3.3.2 IDs, RFC 7296 §3.3.5 Key
 * Length attribute, strongSwan keywords) and the facts each entry carries for
 * proposals and the kernel (sizes, usages, Linux algorithm names).
 */

import { describe, expect, it } from 'vitest';
import {
  getEncr,
  getEncrByKeyword,
  getInteg,
  getIntegByKeyword,
  getKe,
  getKeByKeyword,
  getPrf,
  getPrfByKeyword,
  listEncr,
  listInteg,
  listPrf,
  RegistryError,
  registry,
  TransformRegistry,
} from '../../../src/crypto/registry.js';
import {
  type AeadAlgorithm,
  type CipherAlgorithm,
  EncrId,
  IntegId,
  PrfId,
  TransformType,
} from '../../../src/crypto/types.js';

describe('ENCR lookup by IANA ID and Key Length attribute', () => {
  it.each([
    [EncrId.AES_CBC, 128, 'aes128', 'cbc(aes)', 16, 0, 16, 16],
    [EncrId.AES_CBC, 256, 'aes256', 'cbc(aes)', 32, 0, 16, 16],
    [EncrId.AES_CTR, 192, 'aes192ctr', 'rfc3686(ctr(aes))', 24, 4, 8, 1],
    [EncrId['3DES'], undefined, '3des', 'cbc(des3_ede)', 24, 0, 8, 8],
    [EncrId.NULL, undefined, 'null', 'ecb(cipher_null)', 0, 0, 0, 1],
  ] as const)('ID %i, %s bits -> %s', (id, bits, keyword, kernel, keyLen, salt, iv, block) => {
    const e = getEncr(id, bits) as CipherAlgorithm;
    expect([e.keyword, e.kernelName, e.keyLen, e.saltLen, e.ivLen, e.blockSize]).toEqual([
      keyword,
      kernel,
      keyLen,
      salt,
      iv,
      block,
    ]);
    expect(e.aead).toBe(false);
  });

  it.each([
    [EncrId.AES_GCM_8, 128, 'aes128gcm8', 'rfc4106(gcm(aes))', 4, 8],
    [EncrId.AES_GCM_16, 256, 'aes256gcm16', 'rfc4106(gcm(aes))', 4, 16],
    [EncrId.AES_CCM_12, 192, 'aes192ccm12', 'rfc4309(ccm(aes))', 3, 12],
    [
      EncrId.CHACHA20_POLY1305,
      undefined,
      'chacha20poly1305',
      'rfc7539esp(chacha20,poly1305)',
      4,
      16,
    ],
  ] as const)('AEAD ID %i, %s bits -> %s', (id, bits, keyword, kernel, salt, icv) => {
    const e = getEncr(id, bits) as AeadAlgorithm;
    expect([e.aead, e.keyword, e.kernelName, e.saltLen, e.ivLen, e.icvLen]).toEqual([
      true,
      keyword,
      kernel,
      salt,
      8,
      icv,
    ]);
  });

  it('requires the Key Length attribute for AES and refuses it where it does not fit', () => {
    expect(getEncr(EncrId.AES_CBC)).toBeUndefined();
    expect(getEncr(EncrId.AES_GCM_16, 512)).toBeUndefined();
    expect(getEncr(EncrId['3DES'], 128)).toBeUndefined();
    expect(getEncr(EncrId['3DES'], 192)?.keyword).toBe('3des');
    expect(getEncr(EncrId.CHACHA20_POLY1305, 256)?.keyword).toBe('chacha20poly1305');
    expect(getEncr(EncrId.DES_IV64)).toBeUndefined();
  });

  it('has one entry per AES key length for every AES mode', () => {
    for (const id of [12, 13, 14, 15, 16, 18, 19, 20]) {
      expect(
        listEncr()
          .filter((e) => e.id === id)
          .map((e) => e.keyLen),
      ).toEqual([16, 24, 32]);
    }
  });

  it('offers NULL only for ESP (RFC 7296 §5)', () => {
    expect(listEncr('ike').map((e) => e.id)).not.toContain(EncrId.NULL);
    expect(listEncr('esp').map((e) => e.id)).toContain(EncrId.NULL);
  });
});

describe('PRF and INTEG lookup', () => {
  it.each([
    [PrfId.HMAC_MD5, 'prfmd5', 16, false],
    [PrfId.HMAC_SHA1, 'prfsha1', 20, false],
    [PrfId.AES128_XCBC, 'prfaesxcbc', 16, true],
    [PrfId.HMAC_SHA2_256, 'prfsha256', 32, false],
    [PrfId.HMAC_SHA2_384, 'prfsha384', 48, false],
    [PrfId.HMAC_SHA2_512, 'prfsha512', 64, false],
    [PrfId.AES128_CMAC, 'prfaescmac', 16, true],
  ] as const)('PRF %i is %s', (id, keyword, outLen, fixedKey) => {
    const p = getPrf(id)!;
    expect([p.keyword, p.outLen, p.keyLen, p.fixedKey]).toEqual([
      keyword,
      outLen,
      outLen,
      fixedKey,
    ]);
    expect(getPrfByKeyword(keyword)).toBe(p);
  });

  it.each([
    [IntegId.HMAC_MD5_96, 'md5', 'hmac(md5)', 16, 12],
    [IntegId.HMAC_SHA1_96, 'sha1', 'hmac(sha1)', 20, 12],
    [IntegId.AES_XCBC_96, 'aesxcbc', 'xcbc(aes)', 16, 12],
    [IntegId.AES_CMAC_96, 'aescmac', 'cmac(aes)', 16, 12],
    [IntegId.HMAC_SHA2_256_128, 'sha256', 'hmac(sha256)', 32, 16],
    [IntegId.HMAC_SHA2_384_192, 'sha384', 'hmac(sha384)', 48, 24],
    [IntegId.HMAC_SHA2_512_256, 'sha512', 'hmac(sha512)', 64, 32],
  ] as const)('INTEG %i is %s (%s, ICV %i)', (id, keyword, kernel, keyLen, icvLen) => {
    const i = getInteg(id)!;
    expect([i.keyword, i.kernelName, i.keyLen, i.icvLen]).toEqual([
      keyword,
      kernel,
      keyLen,
      icvLen,
    ]);
    expect(i.usages).toEqual(expect.arrayContaining(['ike', 'esp', 'ah']));
    expect(getIntegByKeyword(keyword)).toBe(i);
  });

  it('has no entry for IDs it does not implement', () => {
    expect(getPrf(3)).toBeUndefined();
    expect(getInteg(IntegId.NONE)).toBeUndefined();
    expect(listPrf().length).toBe(7);
    expect(listInteg().length).toBe(7);
  });
});

describe('keywords as the configuration writes them', () => {
  it.each([
    ['aes256gcm16', EncrId.AES_GCM_16, 32],
    ['AES256GCM16', EncrId.AES_GCM_16, 32],
    ['aes128gcm128', EncrId.AES_GCM_16, 16],
    ['aes128gcm64', EncrId.AES_GCM_8, 16],
    ['aes192gcm', EncrId.AES_GCM_16, 24],
    ['aes256ccm96', EncrId.AES_CCM_12, 32],
    ['aes', EncrId.AES_CBC, 16],
    ['aes256ctr', EncrId.AES_CTR, 32],
  ] as const)('%s', (keyword, id, keyLen) => {
    const e = getEncrByKeyword(keyword)!;
    expect([e.id, e.keyLen]).toEqual([id, keyLen]);
  });

  it('resolves INTEG, PRF and KE keywords and their aliases', () => {
    expect(getIntegByKeyword('sha2_256')?.id).toBe(IntegId.HMAC_SHA2_256_128);
    expect(getPrfByKeyword('prfsha2_512')?.id).toBe(PrfId.HMAC_SHA2_512);
    expect(getKeByKeyword('modp2048')?.id).toBe(14);
    expect(getKeByKeyword('x25519')?.id).toBe(31);
    expect(getKeByKeyword('curve25519')?.id).toBe(31);
    expect(getKeByKeyword('mlkem768')?.id).toBe(36);
    expect(getEncrByKeyword('sha256')).toBeUndefined();
    expect(getIntegByKeyword('aes256')).toBeUndefined();
  });

  it('gives every entry a unique keyword within its transform type', () => {
    for (const list of [registry.listEncr(), registry.listPrf(), registry.listInteg()]) {
      const keywords = list.map((e) => e.keyword);
      expect(new Set(keywords).size).toBe(keywords.length);
      expect(keywords.every((k) => typeof k === 'string' && k.length > 0)).toBe(true);
    }
  });
});

describe('lookup by transform type, as an SA payload names a transform', () => {
  it('dispatches types 1-4 and the RFC 9370 additional key exchanges', () => {
    expect(registry.get(TransformType.ENCR, EncrId.AES_CBC, 256)?.name).toBe('ENCR_AES_CBC');
    expect(registry.get(TransformType.PRF, PrfId.HMAC_SHA2_256)?.name).toBe('PRF_HMAC_SHA2_256');
    expect(registry.get(TransformType.INTEG, IntegId.AES_XCBC_96)?.name).toBe('AUTH_AES_XCBC_96');
    expect(registry.get(TransformType.KE, 19)).toBe(getKe(19));
    expect(registry.get(TransformType.ADDKE1, 36)).toBe(getKe(36));
    expect(registry.get(TransformType.ESN, 0)).toBeUndefined();
  });
});

describe('registry construction', () => {
  it('rejects two entries with the same ID', () => {
    const prf = registry.listPrf();
    expect(() => new TransformRegistry([], [...prf, prf[0]!], [], [])).toThrow(RegistryError);
  });

  it('rejects two ENCR entries with the same ID and key length', () => {
    const encr = registry.listEncr();
    expect(() => new TransformRegistry([...encr, encr[0]!], [], [], [])).toThrow(RegistryError);
  });
});
