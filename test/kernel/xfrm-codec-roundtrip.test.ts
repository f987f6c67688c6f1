/**
 * Encode -> decode round trips of the XFRM codec: a NEWSA/NEWPOLICY request
 * has the same layout as the kernel's GETSA/GETPOLICY answer, so decoding our
 * own request must give back the spec (normalised), for any spec.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../src/kernel/address.js';
import { ByteWriter, splitMessages } from '../../src/kernel/netlink/message.js';
import type { Lifetime, PolicySpec, SaInfo, SaSpec, Selector } from '../../src/kernel/types.js';
import { XFRM_MSG, XFRMA } from '../../src/kernel/xfrm/constants.js';
import { decodePolicy, encodePolicyRequest } from '../../src/kernel/xfrm/policy.js';
import { decodeSa, encodeSaRequest } from '../../src/kernel/xfrm/sa.js';
import {
  isAnySelector,
  normalizeSelector,
  normalizeTemplate,
} from '../../src/kernel/xfrm/structs.js';

const v4pair = fc.tuple(fc.ipV4(), fc.ipV4());
const v6pair = fc.tuple(fc.ipV6(), fc.ipV6());
const addressPair = fc.oneof(v4pair, v6pair);

const selectorFor = (family: 4 | 6): fc.Arbitrary<Selector> =>
  fc.record(
    {
      src: family === 4 ? fc.ipV4() : fc.ipV6(),
      dst: family === 4 ? fc.ipV4() : fc.ipV6(),
      srcPrefixLen: fc.integer({ min: 0, max: family === 4 ? 32 : 128 }),
      dstPrefixLen: fc.integer({ min: 0, max: family === 4 ? 32 : 128 }),
      proto: fc.constantFrom(0, 1, 6, 17, 58),
      sport: fc.integer({ min: 0, max: 0xffff }),
      dport: fc.integer({ min: 0, max: 0xffff }),
      ifindex: fc.integer({ min: 0, max: 1000 }),
    },
    { requiredKeys: ['src', 'dst'] },
  );

const lifetime: fc.Arbitrary<Lifetime> = fc.record(
  {
    softBytes: fc.integer({ min: 0, max: 2 ** 40 }),
    hardBytes: fc.integer({ min: 0, max: 2 ** 40 }),
    softPackets: fc.integer({ min: 0, max: 2 ** 32 }),
    hardPackets: fc.integer({ min: 0, max: 2 ** 32 }),
    softAddSeconds: fc.integer({ min: 1, max: 86400 }),
    hardAddSeconds: fc.integer({ min: 1, max: 86400 }),
    softUseSeconds: fc.integer({ min: 1, max: 86400 }),
    hardUseSeconds: fc.integer({ min: 1, max: 86400 }),
  },
  { requiredKeys: [] },
);

const key = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const mark = fc.record({ value: u32, mask: u32 });

const saSpec: fc.Arbitrary<SaSpec> = addressPair.chain(([src, dst]) => {
  const family = src.includes(':') ? 6 : 4;
  const common = {
    src: fc.constant(src),
    dst: fc.constant(dst),
    mode: fc.constantFrom('transport' as const, 'tunnel' as const),
    reqid: u32,
    replayWindow: fc.integer({ min: 0, max: 4096 }),
    esn: fc.boolean(),
    lifetime,
    mark,
    setMark: fc.record({ value: u32, mask: u32 }, { requiredKeys: ['value'] }),
    ifId: u32,
    selector: selectorFor(family),
    flags: fc.subarray([
      'noecn',
      'decap-dscp',
      'nopmtudisc',
      'wildrecv',
      'icmp',
      'af-unspec',
      'align4',
    ] as const),
    extraFlags: fc.subarray(['dont-encap-dscp', 'oseq-may-wrap'] as const, { minLength: 1 }),
    tfcPad: u32,
  };
  const optional = { requiredKeys: ['src', 'dst', 'mode', 'proto', 'spi'] as never[] };
  const espAead = fc.record(
    {
      ...common,
      proto: fc.constant('esp' as const),
      spi: u32,
      aead: fc.record({
        name: fc.constantFrom('rfc4106(gcm(aes))', 'rfc7539esp(chacha20,poly1305)'),
        key: key(20),
        icvBits: fc.constantFrom(64, 96, 128),
      }),
      encap: fc.record({
        type: fc.constantFrom('espinudp' as const, 'espinudp-nonike' as const),
        sport: fc.integer({ min: 1, max: 0xffff }),
        dport: fc.integer({ min: 1, max: 0xffff }),
      }),
    },
    optional,
  );
  const espCbc = fc.record(
    {
      ...common,
      proto: fc.constant('esp' as const),
      spi: u32,
      crypt: fc.record({ name: fc.constant('cbc(aes)'), key: key(32) }),
      auth: fc.record({
        name: fc.constant('hmac(sha512)'),
        key: key(64),
        truncBits: fc.constant(256),
      }),
    },
    optional,
  );
  const ah = fc.record(
    {
      ...common,
      proto: fc.constant('ah' as const),
      spi: u32,
      auth: fc.record({
        name: fc.constant('hmac(sha256)'),
        key: key(32),
        truncBits: fc.constant(128),
      }),
    },
    optional,
  );
  const comp = fc.record(
    {
      ...common,
      proto: fc.constant('comp' as const),
      spi: fc.integer({ min: 0, max: 0xffff }),
      comp: fc.constant({ name: 'deflate' }),
    },
    optional,
  );
  return fc.oneof(espAead, espCbc, ah, comp) as fc.Arbitrary<SaSpec>;
});

/** What the kernel's form of `spec` decodes to. */
function expectedSaInfo(spec: SaSpec): SaInfo {
  const esnAttr = Boolean(spec.esn) || (spec.replayWindow ?? 0) > 32;
  const out: SaInfo = {
    ...spec,
    src: normalizeAddress(spec.src),
    dst: normalizeAddress(spec.dst),
    reqid: spec.reqid ?? 0,
    replayWindow: spec.replayWindow ?? 0,
    lifetime: { ...spec.lifetime },
    counters: { bytes: 0, packets: 0, addTime: 0, useTime: 0 },
    stats: { replayWindow: 0, replay: 0, integrityFailed: 0 },
  };
  if (!spec.esn) delete out.esn;
  if (spec.selector) out.selector = normalizeSelector(spec.selector);
  if (spec.selector && isAnySelector(normalizeSelector(spec.selector))) delete out.selector;
  if (spec.flags && spec.flags.length === 0) delete out.flags;
  if (spec.mark) out.mark = { value: spec.mark.value, mask: spec.mark.mask ?? 0xffffffff };
  if (esnAttr) out.replayState = { oseq: 0, seq: 0, oseqHi: 0, seqHi: 0 };
  return out;
}

describe('XFRM SA codec', () => {
  it('decodes what it encodes, for any SA', () => {
    fc.assert(
      fc.property(saSpec, (spec) => {
        const [msg] = splitMessages(encodeSaRequest('add', spec, 1));
        expect(msg?.type).toBe(XFRM_MSG.NEWSA);
        expect(decodeSa(msg!.payload)).toEqual(expectedSaInfo(spec));
      }),
      { numRuns: 300 },
    );
  });

  it('sends replay windows above 32 and ESN in XFRMA_REPLAY_ESN_VAL, smaller ones in the struct', () => {
    const base: SaSpec = {
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp',
      spi: 1,
      mode: 'tunnel',
      aead: { name: 'rfc4106(gcm(aes))', key: new Uint8Array(20), icvBits: 128 },
    };
    const small = encodeSaRequest('add', { ...base, replayWindow: 32 }, 1);
    const large = encodeSaRequest('add', { ...base, replayWindow: 64 }, 1);
    expect(small[16 + 215]).toBe(32);
    expect(large[16 + 215]).toBe(0);
    expect(large.length - small.length).toBe(28); // 4-byte header + 24-byte xfrm_replay_state_esn
  });

  it('refuses a spec the kernel would reject in a way we can name', () => {
    const base: SaSpec = {
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'esp',
      spi: 1,
      mode: 'tunnel',
    };
    const gcm = { name: 'rfc4106(gcm(aes))', key: new Uint8Array(20), icvBits: 128 };
    expect(() =>
      encodeSaRequest(
        'add',
        { ...base, aead: gcm, crypt: { name: 'cbc(aes)', key: new Uint8Array(16) } },
        1,
      ),
    ).toThrow(/not both/);
    expect(() =>
      encodeSaRequest(
        'add',
        { ...base, proto: 'comp', spi: 0x10000, comp: { name: 'deflate' } },
        1,
      ),
    ).toThrow(/16 bits/);
    expect(() => encodeSaRequest('add', { ...base, src: '2001:db8::1' }, 1)).toThrow(/family/);
    expect(() => encodeSaRequest('add', { ...base, replayWindow: 4097 }, 1)).toThrow(/replay/);
  });
});

const policySpec: fc.Arbitrary<PolicySpec> = fc
  .constantFrom(4 as const, 6 as const)
  .chain((family) =>
    fc.record(
      {
        selector: selectorFor(family),
        dir: fc.constantFrom('in' as const, 'out' as const, 'fwd' as const),
        action: fc.constantFrom('allow' as const, 'block' as const),
        priority: u32,
        index: u32,
        templates: fc.array(
          fc.record(
            {
              src: family === 4 ? fc.ipV4() : fc.ipV6(),
              dst: family === 4 ? fc.ipV4() : fc.ipV6(),
              proto: fc.constantFrom('esp' as const, 'ah' as const, 'comp' as const),
              mode: fc.constantFrom('transport' as const, 'tunnel' as const),
              spi: u32,
              reqid: u32,
              optional: fc.boolean(),
              ealgos: u32,
            },
            { requiredKeys: ['proto', 'mode'] },
          ),
          { maxLength: 3 },
        ),
        mark,
        ifId: u32,
        lifetime,
        type: fc.constantFrom('main' as const, 'sub' as const),
        flags: fc.subarray(['localok', 'icmp'] as const, { minLength: 1 }),
      },
      { requiredKeys: ['selector', 'dir'] },
    ),
  );

describe('XFRM policy codec', () => {
  it('decodes what it encodes, for any policy', () => {
    fc.assert(
      fc.property(policySpec, (spec) => {
        const [msg] = splitMessages(encodePolicyRequest('add', spec, 1));
        const decoded = decodePolicy(msg!.payload);
        const expected = {
          ...spec,
          selector: normalizeSelector(spec.selector),
          action: spec.action ?? 'allow',
          priority: spec.priority ?? 0,
          index: spec.index ?? 0,
          templates: (spec.templates ?? []).map(normalizeTemplate),
          lifetime: { ...spec.lifetime },
          counters: { bytes: 0, packets: 0, addTime: 0, useTime: 0 },
        };
        if (spec.mark)
          expected.mark = { value: spec.mark.value, mask: spec.mark.mask ?? 0xffffffff };
        if (spec.type === 'main') delete expected.type;
        expect(decoded).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('XFRM SA attributes only the kernel sends', () => {
  it('reads XFRMA_LTIME_VAL counters, XFRMA_LASTUSED and a plain XFRMA_ALG_AUTH', () => {
    const spec: SaSpec = {
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 'ah',
      spi: 9,
      mode: 'transport',
    };
    const base = encodeSaRequest(
      'add',
      { ...spec, auth: { name: 'hmac(sha1)', key: new Uint8Array(20), truncBits: 96 } },
      1,
    );
    // Replace the request's attributes by what an older kernel's dump carries.
    const w = new ByteWriter();
    w.bytes(base.subarray(0, 16 + 224));
    w.attr(XFRMA.ALG_AUTH, (a) =>
      a.fixedString('hmac(sha1)', 64).u32(160).bytes(new Uint8Array(20).fill(7)),
    );
    w.attr(XFRMA.LTIME_VAL, (a) => a.u64(5000n).u64(40n).u64(1_700_000_000n).u64(1_700_000_100n));
    w.attr(XFRMA.LASTUSED, (a) => a.u64(1_700_000_200n));
    const bytes = w.finish();
    new DataView(bytes.buffer).setUint32(0, bytes.length, true);
    const sa = decodeSa(splitMessages(bytes)[0]!.payload);
    expect(sa.auth).toEqual({ name: 'hmac(sha1)', key: new Uint8Array(20).fill(7), truncBits: 96 });
    expect(sa.counters).toEqual({
      bytes: 5000,
      packets: 40,
      addTime: 1_700_000_000,
      useTime: 1_700_000_100,
    });
    expect(sa.lastUsed).toBe(1_700_000_200);
  });
});
