// The life of SAs and policies through src/kernel/ (NetlinkKernel via the xfrm
// driver): ALLOCSPI's larval SA completed by UPDSA, soft and hard EXPIRE
// events from 2- and 4-second lifetimes, ACQUIRE from a policy without SA, and
// deletes and flushes with the errors the kernel gives for what is not there.
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import { REQID, testKey } from './kernel-plans.js';

const MOON = ADDR.moon.v4;
const SUN = ADDR.sun.v4;
const GCM = { name: 'rfc4106(gcm(aes))', key: testKey(36, 5), icvBits: 128 };

function xfrm(ns: string, ops: unknown[], expect: RegExp[] = []): Step {
  return {
    do: 'driver',
    ns,
    driver: 'xfrm',
    args: [JSON.stringify(ops)],
    expect: { match: [/"done":true/, ...expect] },
  };
}

const empty: Step[] = [
  { do: 'xfrm', ns: 'moon', show: 'state', expect: { noMatch: [/^src /m] } },
  { do: 'xfrm', ns: 'moon', show: 'policy', expect: { noMatch: [/^\s+dir /m] } },
];

/** SPIs the scenario lets the kernel choose from: 0xc1000000-0xc10000ff. */
const SPI_MIN = 0xc1000000;
const SPI_MAX = 0xc10000ff;

export const allocSpiUpdate: Scenario = {
  name: 'kernel-allocspi-updsa',
  summary: 'ALLOCSPI leaves a larval SA in the asked range; UPDSA completes it; add/delete errors',
  topology: 'net2net',
  steps: [
    xfrm(
      'moon',
      [
        {
          op: 'allocSpi',
          req: {
            src: SUN,
            dst: MOON,
            proto: 'esp',
            mode: 'tunnel',
            reqid: REQID,
            min: SPI_MIN,
            max: SPI_MAX,
          },
        },
      ],
      [/"op":"allocSpi","ok":true,"result":32\d{8}/],
    ),
    {
      // The larval SA: our SPI range and reqid, no algorithm yet.
      do: 'xfrm',
      ns: 'moon',
      show: 'state',
      expect: {
        match: [
          new RegExp(
            `src ${SUN} dst ${MOON}\\s+proto esp spi 0xc10000[0-9a-f]{2} reqid ${REQID} mode tunnel`,
          ),
        ],
        noMatch: [/aead|enc |auth/],
        count: [{ pattern: /^src /, min: 1, max: 1 }],
      },
    },
    xfrm(
      'moon',
      [
        { op: 'listSas', save: 'sas' },
        {
          op: 'updateSa',
          sa: {
            src: SUN,
            dst: MOON,
            proto: 'esp',
            spi: '$sas.0.spi',
            mode: 'tunnel',
            reqid: REQID,
            replayWindow: 64,
            aead: GCM,
          },
        },
        // The same SA once more: it exists now.
        {
          op: 'addSa',
          sa: {
            src: SUN,
            dst: MOON,
            proto: 'esp',
            spi: '$sas.0.spi',
            mode: 'tunnel',
            reqid: REQID,
            aead: GCM,
          },
          expectError: 'EEXIST',
        },
        // UPDSA for an SPI nobody allocated.
        {
          op: 'updateSa',
          sa: {
            src: SUN,
            dst: MOON,
            proto: 'esp',
            spi: 0xc2000001,
            mode: 'tunnel',
            reqid: REQID,
            aead: GCM,
          },
          expectError: 'ESRCH',
        },
        { op: 'getSa', id: { dst: MOON, spi: '$sas.0.spi', proto: 'esp' } },
      ],
      [/"op":"getSa","ok":true,"result":\{.*"aead":\{"name":"rfc4106\(gcm\(aes\)\)"/],
    ),
    {
      // Completed in place: still one SA, now with its key and window.
      do: 'xfrm',
      ns: 'moon',
      show: 'state',
      expect: {
        match: [
          new RegExp(
            `src ${SUN} dst ${MOON}\\s+proto esp spi 0xc10000[0-9a-f]{2} reqid ${REQID} mode tunnel\\s+replay-window \\d+\\s+aead rfc4106\\(gcm\\(aes\\)\\) 0x${GCM.key} 128`,
          ),
          // A window over 32 packets travels as XFRMA_REPLAY_ESN_VAL, shown as the ESN context.
          /replay-window 64|replay_window 64/,
        ],
        count: [{ pattern: /^src /, min: 1, max: 1 }],
      },
    },
    xfrm('moon', [
      { op: 'listSas', save: 'sas' },
      { op: 'deleteSa', id: { dst: MOON, spi: '$sas.0.spi', proto: 'esp' } },
      { op: 'deleteSa', id: { dst: MOON, spi: '$sas.0.spi', proto: 'esp' }, expectError: 'ESRCH' },
      { op: 'getSa', id: { dst: MOON, spi: '$sas.0.spi', proto: 'esp' }, expectError: 'ESRCH' },
    ]),
    ...empty,
  ],
};

export const expireSoftHard: Scenario = {
  name: 'kernel-expire-soft-hard',
  summary: 'an SA with a 2 s soft and 4 s hard lifetime gives a soft then a hard EXPIRE, and goes',
  topology: 'net2net',
  steps: [
    xfrm(
      'moon',
      [
        { op: 'subscribe' },
        {
          op: 'addSa',
          sa: {
            src: MOON,
            dst: SUN,
            proto: 'esp',
            spi: 0xc0de0e01,
            mode: 'tunnel',
            reqid: REQID,
            aead: GCM,
            lifetime: { softAddSeconds: 2, hardAddSeconds: 4 },
          },
        },
        { op: 'waitEvent', type: 'expire', hard: false, timeoutMs: 8000 },
        { op: 'waitEvent', type: 'expire', hard: true, timeoutMs: 8000 },
      ],
      [
        // Soft first, then hard, each naming the SA (spi 0xc0de0e01 = 3235778049).
        /"event":"expire"[^\n]*"hard":false[^\n]*"spi":3235778049[\s\S]*"event":"expire"[^\n]*"hard":true[^\n]*"spi":3235778049/,
      ],
    ),
    ...empty,
  ],
  timeoutMs: 60_000,
};

export const acquire: Scenario = {
  name: 'kernel-acquire',
  summary:
    'an outbound policy without SA plus a ping from alice gives ACQUIRE with the flow selector',
  topology: 'net2net',
  daemons: [
    {
      kind: 'node',
      ns: 'moon',
      name: 'events',
      driver: 'xfrm',
      args: [JSON.stringify([{ op: 'subscribe' }, { op: 'hold' }])],
      ready: /"op":"subscribe","ok":true/,
    },
  ],
  steps: [
    xfrm('moon', [
      {
        op: 'addPolicy',
        policy: {
          selector: { src: '198.51.100.0', srcPrefixLen: 24, dst: '203.0.113.0', dstPrefixLen: 24 },
          dir: 'out',
          priority: 1000,
          templates: [{ src: MOON, dst: SUN, proto: 'esp', mode: 'tunnel', reqid: REQID }],
        },
      },
    ]),
    { do: 'ping', from: 'alice', to: ADDR.bob.v4, count: 1, expect: 'no-reply' },
    {
      do: 'daemon-output',
      name: 'events',
      expect: {
        match: [
          // The selector of the packet: alice -> bob, ICMP (type 8 in sport).
          /"event":"acquire".*"selector":\{[^}]*"src":"198\.51\.100\.10"[^}]*"dst":"203\.0\.113\.10"[^}]*"proto":1/,
          // What SA is wanted: the template's endpoints, protocol and reqid.
          new RegExp(
            `"event":"acquire".*"src":"${MOON.replace(/\./g, '\\.')}","dst":"${SUN.replace(/\./g, '\\.')}","proto":"esp","reqid":${REQID}`,
          ),
          /"event":"acquire".*"policy":\{[^}]*"dir":"out"/,
        ],
      },
      timeoutMs: 10_000,
    },
    // The kernel keeps a larval SA for the acquire: flushing removes it.
    xfrm('moon', [
      {
        op: 'deletePolicy',
        id: {
          selector: { src: '198.51.100.0', srcPrefixLen: 24, dst: '203.0.113.0', dstPrefixLen: 24 },
          dir: 'out',
        },
      },
      {
        op: 'deletePolicy',
        id: {
          selector: { src: '198.51.100.0', srcPrefixLen: 24, dst: '203.0.113.0', dstPrefixLen: 24 },
          dir: 'out',
        },
        expectError: 'ENOENT',
      },
      { op: 'flushSas' },
      { op: 'flushPolicies' },
    ]),
    ...empty,
  ],
};

export const LIFECYCLE_SCENARIOS: readonly Scenario[] = [allocSpiUpdate, expireSoftHard, acquire];
