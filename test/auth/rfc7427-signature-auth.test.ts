/**
 * AUTH payload signatures: RSA (method 1), ECDSA (9/10/11, RFC 4754) and
 * Digital Signature (14, RFC 7427) with PKCS#1 v1.5, RSA-PSS, ECDSA and EdDSA;
 * the AlgorithmIdentifiers of RFC 7427 Appendix A; SIGNATURE_HASH_ALGORITHMS;
 * and signatures checked by OpenSSL in both directions.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodePssAlgorithmId,
  parseAlgorithmId,
  parsePssParams,
} from '../../src/auth/algorithm-ids.js';
import { readDerSequence } from '../../src/auth/der.js';
import { signAuth, verifyAuth } from '../../src/auth/signature.js';
import {
  decodeSignatureHashAlgorithms,
  encodeSignatureHashAlgorithms,
  negotiateSignatureHashes,
  SUPPORTED_SIGNATURE_HASHES,
} from '../../src/auth/signature-hash.js';
import {
  chooseSignatureScheme,
  LEGACY_VERIFY_SCHEMES,
  SIGNATURE_SCHEMES,
} from '../../src/auth/signature-schemes.js';
import { AuthMethod, HashAlgorithm } from '../../src/wire/ikev2/constants.js';
import { cert, hex, key, pkiPath, unhex, VECTORS_DIR } from './test-pki.js';

const vectors: { section: string; name: string; hex: string }[] = JSON.parse(
  readFileSync(`${VECTORS_DIR}rfc7427-algorithm-identifiers.json`, 'utf8'),
).vectors;
const vector = (section: string) => vectors.find((v) => v.section === section)!.hex;

const ALL_HASHES = [
  HashAlgorithm.SHA2_256,
  HashAlgorithm.SHA2_384,
  HashAlgorithm.SHA2_512,
  HashAlgorithm.IDENTITY,
];
const octets = new Uint8Array(randomBytes(300));

function splitMethod14(data: Uint8Array): { algId: Uint8Array; sig: Uint8Array } {
  const len = data[0]!;
  return { algId: data.subarray(1, 1 + len), sig: data.subarray(1 + len) };
}

describe('RFC 7427 Appendix A AlgorithmIdentifiers', () => {
  it.each([
    ['A.1.2', 'sha256WithRSA'],
    ['A.1.3', 'sha384WithRSA'],
    ['A.1.4', 'sha512WithRSA'],
    ['A.3.2', 'ecdsa-sha256'],
    ['A.3.3', 'ecdsa-sha384'],
    ['A.3.4', 'ecdsa-sha512'],
  ])('%s is what we send for %s', (section, name) => {
    expect(hex(SIGNATURE_SCHEMES.find((s) => s.name === name)!.algorithmId)).toBe(vector(section));
  });

  it('A.1.1 and A.3.1 (SHA-1) are accepted for verification only', () => {
    expect(LEGACY_VERIFY_SCHEMES.map((s) => hex(s.algorithmId))).toEqual([
      vector('A.1.1'),
      vector('A.3.1'),
    ]);
  });

  it('EdDSA identifiers carry no parameters (RFC 8410 §3)', () => {
    expect(hex(SIGNATURE_SCHEMES.find((s) => s.name === 'ed25519')!.algorithmId)).toBe(
      '300506032b6570',
    );
    expect(hex(SIGNATURE_SCHEMES.find((s) => s.name === 'ed448')!.algorithmId)).toBe(
      '300506032b6571',
    );
  });

  it('A.4.3 RSASSA-PSS with SHA-256 decodes to SHA-256, MGF1-SHA-256, salt 32', () => {
    const alg = parseAlgorithmId(unhex(vector('A.4.3')))!;
    expect(alg.oid).toBe('1.2.840.113549.1.1.10');
    expect(parsePssParams(alg.params)).toEqual({
      hash: 'sha256',
      mgfHash: 'sha256',
      saltLength: 32,
    });
  });

  it('A.4.1 and A.4.2 mean the RFC 4055 defaults (SHA-1, salt 20)', () => {
    for (const s of ['A.4.1', 'A.4.2']) {
      const alg = parseAlgorithmId(unhex(vector(s)))!;
      expect(parsePssParams(alg.params)).toEqual({ hash: 'sha1', mgfHash: 'sha1', saltLength: 20 });
    }
  });

  it('our PSS encoding is the DER OpenSSL writes (A.4.3 without the DEFAULT trailerField)', () => {
    const der = new Uint8Array(
      execFileSync('openssl', ['x509', '-in', pkiPath('pss-selfsigned.crt'), '-outform', 'DER']),
    );
    const outer = readDerSequence(der)!;
    const sigAlg = der.slice(outer[1]!.offset, outer[1]!.end);
    expect(hex(encodePssAlgorithmId({ hash: 'sha256', mgfHash: 'sha256', saltLength: 32 }))).toBe(
      hex(sigAlg),
    );
    // Same thing as the RFC's bytes, minus "a3 03 02 01 01" and with lengths reduced by 5.
    expect(hex(sigAlg)).toBe(
      vector('A.4.3')
        .replace('a303020101', '')
        .replace(/^3046/, '3041')
        .replace('3039a0', '3034a0'),
    );
  });
});

describe('SIGNATURE_HASH_ALGORITHMS notify (RFC 7427 §4)', () => {
  it('encodes our list as 2-octet values and decodes it back', () => {
    const data = encodeSignatureHashAlgorithms();
    expect(hex(data)).toBe('0002000300040005');
    expect(decodeSignatureHashAlgorithms(data)).toEqual([...SUPPORTED_SIGNATURE_HASHES]);
  });

  it('rejects odd lengths and keeps unknown values', () => {
    expect(decodeSignatureHashAlgorithms(Uint8Array.of(0, 2, 0))).toEqual({
      error: 'SIGNATURE_HASH_ALGORITHMS data has odd length 3',
    });
    expect(decodeSignatureHashAlgorithms(Uint8Array.of(0, 2, 0x12, 0x34))).toEqual([2, 0x1234]);
    expect(negotiateSignatureHashes([1, 4, 0x1234])).toEqual([HashAlgorithm.SHA2_512]);
  });

  it('chooses a scheme per key from the peer list', () => {
    expect(chooseSignatureScheme('rsa', ALL_HASHES)!.name).toBe('sha256WithRSA');
    expect(chooseSignatureScheme('rsa', ALL_HASHES, { rsaPss: true })!.name).toBe('rsa-pss-sha256');
    expect(chooseSignatureScheme('rsa', [HashAlgorithm.SHA2_512])!.name).toBe('sha512WithRSA');
    expect(chooseSignatureScheme('rsa-pss', ALL_HASHES)!.name).toBe('rsa-pss-sha256');
    expect(chooseSignatureScheme('ecdsa-p384', ALL_HASHES)!.name).toBe('ecdsa-sha384');
    expect(chooseSignatureScheme('ecdsa-p521', [HashAlgorithm.SHA2_256])!.name).toBe(
      'ecdsa-sha256',
    );
    expect(chooseSignatureScheme('ed25519', ALL_HASHES)!.name).toBe('ed25519');
    expect(chooseSignatureScheme('ed25519', [HashAlgorithm.SHA2_256])).toBeUndefined();
  });
});

describe('sign and verify round trips', () => {
  it.each([
    ['moon-rsa', undefined, AuthMethod.RSA_DIGITAL_SIGNATURE, 'sha1WithRSA'],
    ['sun-p256', undefined, AuthMethod.ECDSA_SHA256_P256, 'ecdsa-sha256'],
    ['p384', undefined, AuthMethod.ECDSA_SHA384_P384, 'ecdsa-sha384'],
    ['p521', undefined, AuthMethod.ECDSA_SHA512_P521, 'ecdsa-sha512'],
    ['moon-rsa', ALL_HASHES, AuthMethod.DIGITAL_SIGNATURE, 'sha256WithRSA'],
    ['sun-p256', ALL_HASHES, AuthMethod.DIGITAL_SIGNATURE, 'ecdsa-sha256'],
    ['p384', ALL_HASHES, AuthMethod.DIGITAL_SIGNATURE, 'ecdsa-sha384'],
    ['p521', ALL_HASHES, AuthMethod.DIGITAL_SIGNATURE, 'ecdsa-sha512'],
    ['ed25519', ALL_HASHES, AuthMethod.DIGITAL_SIGNATURE, 'ed25519'],
    ['ed448', ALL_HASHES, AuthMethod.DIGITAL_SIGNATURE, 'ed448'],
  ])(
    '%s with peer hashes %j signs method %i (%s) and verifies',
    (name, peerHashes, method, scheme) => {
      const auth = signAuth(key(name), octets, peerHashes ? { peerHashes } : {});
      if ('error' in auth) throw new Error(auth.error);
      expect(auth.method).toBe(method);
      const pub = cert(name).publicKey;
      expect(verifyAuth(pub, auth.method, auth.data, octets)).toEqual({ ok: true, scheme });
      const tampered = Uint8Array.from(octets);
      tampered[7]! ^= 1;
      expect(verifyAuth(pub, auth.method, auth.data, tampered).ok).toBe(false);
    },
  );

  it('ECDSA methods carry raw r||s of twice the field size (RFC 4754 §7)', () => {
    for (const [name, size] of [
      ['sun-p256', 64],
      ['p384', 96],
      ['p521', 132],
    ] as const) {
      const auth = signAuth(key(name), octets);
      expect('data' in auth && auth.data.length).toBe(size);
    }
  });

  it('RSA-PSS round trip with each hash', () => {
    for (const h of [HashAlgorithm.SHA2_256, HashAlgorithm.SHA2_384, HashAlgorithm.SHA2_512]) {
      const auth = signAuth(key('moon-rsa'), octets, { peerHashes: [h], rsaPss: true });
      if ('error' in auth) throw new Error(auth.error);
      const r = verifyAuth(cert('moon-rsa').publicKey, auth.method, auth.data, octets);
      expect(r.ok && r.scheme).toMatch(/^rsa-pss-sha(256|384|512)$/);
    }
  });

  it('an EdDSA key without a usable hash list cannot sign', () => {
    expect(signAuth(key('ed25519'), octets)).toEqual({
      error:
        'a ed25519 key signs only with Digital Signature (RFC 7427) and the peer announced no usable SIGNATURE_HASH_ALGORITHMS',
    });
  });

  it('reports method/key mismatches and malformed data', () => {
    const rsa = cert('moon-rsa').publicKey;
    const ec = cert('sun-p256').publicKey;
    expect(verifyAuth(ec, AuthMethod.RSA_DIGITAL_SIGNATURE, new Uint8Array(256), octets)).toEqual({
      ok: false,
      reason: 'RSA signature AUTH but the certificate has a ecdsa-p256 key',
    });
    expect(verifyAuth(ec, AuthMethod.ECDSA_SHA384_P384, new Uint8Array(96), octets).ok).toBe(false);
    expect(verifyAuth(rsa, AuthMethod.DIGITAL_SIGNATURE, Uint8Array.of(40, 1, 2), octets)).toEqual({
      ok: false,
      reason: 'Digital Signature AUTH too short for its AlgorithmIdentifier',
    });
    const ecAuth = signAuth(key('sun-p256'), octets, { peerHashes: ALL_HASHES });
    if ('error' in ecAuth) throw new Error(ecAuth.error);
    expect(verifyAuth(rsa, ecAuth.method, ecAuth.data, octets)).toEqual({
      ok: false,
      reason: "signature scheme ecdsa-sha256 does not fit the certificate's rsa key",
    });
    expect(verifyAuth(rsa, AuthMethod.SHARED_KEY_MIC, new Uint8Array(20), octets).ok).toBe(false);
  });

  it('rejects SHA-1 Digital Signatures when asked to', () => {
    const sha1 = LEGACY_VERIFY_SCHEMES[0]!;
    const sig = execSign(['dgst', '-sha1', '-sign', pkiPath('moon-rsa.key')]);
    const data = method14(sha1.algorithmId, sig);
    expect(verifyAuth(cert('moon-rsa').publicKey, 14, data, octets)).toEqual({
      ok: true,
      scheme: 'sha1WithRSA',
    });
    expect(verifyAuth(cert('moon-rsa').publicKey, 14, data, octets, { rejectSha1: true }).ok).toBe(
      false,
    );
  });
});

const dir = mkdtempSync(join(tmpdir(), 'styx-sig-'));
const dataFile = join(dir, 'octets');
writeFileSync(dataFile, octets);

function execSign(args: string[]): Uint8Array {
  return new Uint8Array(execFileSync('openssl', [...args, dataFile]));
}

function opensslVerifies(args: string[], sig: Uint8Array): boolean {
  const sigFile = join(dir, 'sig');
  writeFileSync(sigFile, sig);
  try {
    execFileSync('openssl', [...args, '-signature', sigFile, dataFile], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function method14(algId: Uint8Array, sig: Uint8Array): Uint8Array {
  return Uint8Array.from([algId.length, ...algId, ...sig]);
}

/** Raw r||s (RFC 4754) to a DER ECDSA-Sig-Value for OpenSSL. */
function rawToDer(raw: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return v[0]! & 0x80 ? [0, ...v] : [...v];
  };
  const half = raw.length / 2;
  const r = int(raw.subarray(0, half));
  const s = int(raw.subarray(half));
  const body = [2, r.length, ...r, 2, s.length, ...s];
  return Uint8Array.from(
    body.length < 128 ? [0x30, body.length, ...body] : [0x30, 0x81, body.length, ...body],
  );
}

describe('interoperability with OpenSSL', () => {
  const pub = (name: string) => {
    const f = join(dir, `${name}.pub`);
    writeFileSync(
      f,
      execFileSync('openssl', ['x509', '-in', pkiPath(`${name}.crt`), '-pubkey', '-noout']),
    );
    return f;
  };

  it('OpenSSL verifies our method 1, 9-11 and 14 signatures', () => {
    const rsa1 = signAuth(key('moon-rsa'), octets) as { data: Uint8Array };
    expect(opensslVerifies(['dgst', '-sha1', '-verify', pub('moon-rsa')], rsa1.data)).toBe(true);
    for (const [name, h] of [
      ['sun-p256', 'sha256'],
      ['p384', 'sha384'],
      ['p521', 'sha512'],
    ] as const) {
      const ec = signAuth(key(name), octets) as { data: Uint8Array };
      expect(opensslVerifies(['dgst', `-${h}`, '-verify', pub(name)], rawToDer(ec.data))).toBe(
        true,
      );
      const ec14 = signAuth(key(name), octets, { peerHashes: ALL_HASHES }) as { data: Uint8Array };
      expect(
        opensslVerifies(['dgst', `-${h}`, '-verify', pub(name)], splitMethod14(ec14.data).sig),
      ).toBe(true);
    }
    const pss = signAuth(key('moon-rsa'), octets, { peerHashes: [3], rsaPss: true }) as {
      data: Uint8Array;
    };
    const pssArgs = [
      'dgst',
      '-sha384',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:48',
      '-verify',
      pub('moon-rsa'),
    ];
    expect(opensslVerifies(pssArgs, splitMethod14(pss.data).sig)).toBe(true);
    const pkcs1 = signAuth(key('moon-rsa'), octets, { peerHashes: [4] }) as { data: Uint8Array };
    expect(
      opensslVerifies(
        ['dgst', '-sha512', '-verify', pub('moon-rsa')],
        splitMethod14(pkcs1.data).sig,
      ),
    ).toBe(true);
  });

  it('OpenSSL verifies our Ed25519 and Ed448 signatures', () => {
    for (const name of ['ed25519', 'ed448']) {
      const ed = signAuth(key(name), octets, { peerHashes: ALL_HASHES }) as { data: Uint8Array };
      const sigFile = join(dir, `${name}.sig`);
      writeFileSync(sigFile, splitMethod14(ed.data).sig);
      const out = execFileSync('openssl', [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        pub(name),
        '-rawin',
        '-in',
        dataFile,
        '-sigfile',
        sigFile,
      ]);
      expect(out.toString()).toMatch(/Signature Verified Successfully/);
    }
  });

  it('we verify OpenSSL signatures wrapped in method 14 (RFC 7427 A.4.3 PSS identifier included)', () => {
    const c = (n: string) => cert(n).publicKey;
    const pssSig = execSign([
      'dgst',
      '-sha256',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:32',
      '-sign',
      pkiPath('moon-rsa.key'),
    ]);
    expect(verifyAuth(c('moon-rsa'), 14, method14(unhex(vector('A.4.3')), pssSig), octets)).toEqual(
      { ok: true, scheme: 'rsa-pss-sha256' },
    );
    const pkcs = execSign(['dgst', '-sha384', '-sign', pkiPath('moon-rsa.key')]);
    expect(verifyAuth(c('moon-rsa'), 14, method14(unhex(vector('A.1.3')), pkcs), octets).ok).toBe(
      true,
    );
    expect(verifyAuth(c('moon-rsa'), 14, method14(unhex(vector('A.1.2')), pkcs), octets).ok).toBe(
      false,
    );
    const ecSig = execSign(['dgst', '-sha256', '-sign', pkiPath('sun-p256.key')]);
    expect(verifyAuth(c('sun-p256'), 14, method14(unhex(vector('A.3.2')), ecSig), octets)).toEqual({
      ok: true,
      scheme: 'ecdsa-sha256',
    });
    const edSig = new Uint8Array(
      execFileSync('openssl', [
        'pkeyutl',
        '-sign',
        '-inkey',
        pkiPath('ed25519.key'),
        '-rawin',
        '-in',
        dataFile,
      ]),
    );
    expect(verifyAuth(c('ed25519'), 14, method14(unhex('300506032b6570'), edSig), octets)).toEqual({
      ok: true,
      scheme: 'ed25519',
    });
  });
});
