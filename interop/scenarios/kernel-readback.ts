// Every field Styx can set on an SA and a policy, installed through src/kernel/
// and read back by iproute2's own decoder (`ip -s xfrm state`, `ip -s xfrm
// policy`): marks, output mark, if_id, ESN with a 128-packet window, all eight
// lifetime limits, an SA selector with protocol and ports, flags, extra flags,
// TFC padding, NAT-OA; policy ports, action, priority, mark, if_id, lifetime,
// and template SPI, reqid, level and algorithm masks.
import { escapeRegExp as esc } from '../runner/expect.js';
import type { Scenario, Step } from '../runner/scenario.js';
import { ADDR } from '../runner/topologies.js';
import { testKey } from './kernel-plans.js';

const MOON = ADDR.moon.v4;
const SUN = ADDR.sun.v4;
const CRYPT_KEY = testKey(32, 9);
const AUTH_KEY = testKey(32, 19);

const SA = {
  src: MOON,
  dst: SUN,
  proto: 'esp',
  spi: 0xc0de0b01,
  mode: 'tunnel',
  reqid: 42,
  crypt: { name: 'cbc(aes)', key: CRYPT_KEY },
  auth: { name: 'hmac(sha256)', key: AUTH_KEY, truncBits: 128 },
  encap: { type: 'espinudp', sport: 4500, dport: 4501, oa: '10.9.9.9' },
  replayWindow: 128,
  esn: true,
  lifetime: {
    softBytes: 1_000_000,
    hardBytes: 2_000_000,
    softPackets: 1000,
    hardPackets: 2000,
    softAddSeconds: 300,
    hardAddSeconds: 400,
    softUseSeconds: 100,
    hardUseSeconds: 200,
  },
  mark: { value: 0x11, mask: 0xff },
  setMark: { value: 0x22, mask: 0xf0 },
  ifId: 0x33,
  selector: {
    src: '198.51.100.0',
    srcPrefixLen: 24,
    dst: '203.0.113.0',
    dstPrefixLen: 24,
    proto: 6,
    sport: 1234,
    dport: 443,
  },
  flags: ['noecn', 'decap-dscp'],
  extraFlags: ['dont-encap-dscp'],
  tfcPad: 256,
};

const POLICY = {
  selector: {
    src: '198.51.100.0',
    srcPrefixLen: 25,
    dst: '203.0.113.128',
    dstPrefixLen: 25,
    proto: 17,
    sport: 500,
    dport: 4500,
  },
  dir: 'out',
  action: 'allow',
  priority: 3333,
  mark: { value: 0x11, mask: 0xff },
  ifId: 0x33,
  lifetime: { softAddSeconds: 600, hardAddSeconds: 700 },
  templates: [{ src: MOON, dst: SUN, proto: 'esp', mode: 'tunnel', spi: 0xc0de0b01, reqid: 42 }],
};

/** Inbound, where an optional ("level use") template is allowed; with algorithm masks. */
const POLICY_IN = {
  selector: { src: '203.0.113.0', srcPrefixLen: 24, dst: '198.51.100.0', dstPrefixLen: 24 },
  dir: 'in',
  priority: 4444,
  templates: [
    { src: SUN, dst: MOON, proto: 'comp', mode: 'tunnel', reqid: 43, optional: true },
    { src: SUN, dst: MOON, proto: 'esp', mode: 'transport', reqid: 43, ealgos: 0x0f, aalgos: 0xf0 },
  ],
};

const BLOCK = {
  selector: { src: '198.51.100.77', dst: '203.0.113.77', proto: 1 },
  dir: 'fwd',
  action: 'block',
  priority: 10,
};

/** `line` (a regex source) among the indented lines of the entry starting with `head`. */
function inEntry(head: string, line: string): RegExp {
  return new RegExp(`^${head}[^\\n]*(?:\\n\\s[^\\n]*)*?\\n\\s+${line}`, 'm');
}

function xfrm(ops: unknown[], expect: RegExp[] = []): Step {
  return {
    do: 'driver',
    ns: 'moon',
    driver: 'xfrm',
    args: [JSON.stringify(ops)],
    expect: { match: [/"done":true/, ...expect] },
  };
}

export const readback: Scenario = {
  name: 'kernel-readback',
  summary: 'every SA and policy field set through src/kernel reads back through ip xfrm',
  topology: 'net2net',
  steps: [
    xfrm(
      [
        { op: 'addSa', sa: SA },
        { op: 'addPolicy', policy: POLICY },
        { op: 'addPolicy', policy: POLICY_IN },
        { op: 'addPolicy', policy: BLOCK },
        { op: 'getSa', id: { dst: SUN, spi: SA.spi, proto: 'esp', mark: SA.mark, ifId: SA.ifId } },
      ],
      [
        /"op":"getSa","ok":true,"result":\{.*"ifId":51/,
        /"op":"getSa","ok":true,"result":\{.*"tfcPad":256/,
      ],
    ),
    {
      do: 'xfrm',
      ns: 'moon',
      show: 'stats',
      expect: {
        match: [
          'proto esp spi 0xc0de0b01\\(\\d+\\) reqid 42\\(0x0000002a\\) mode tunnel',
          'replay-window \\d+ seq 0x0+ flag noecn decap-dscp esn ?extra_flag dont-encap-dscp',
          'mark 0x11/0xff output-mark 0x22/0xf0',
          `auth-trunc hmac\\(sha256\\) 0x${AUTH_KEY} \\(256 bits\\) 128`,
          `enc cbc\\(aes\\) 0x${CRYPT_KEY} \\(256 bits\\)`,
          'encap type espinudp sport 4500 dport 4501 addr 10\\.9\\.9\\.9',
          'anti-replay esn context:',
          'replay_window 128,',
          'if_id 0x33',
          'tfcpad 256',
          'sel src 198\\.51\\.100\\.0/24 dst 203\\.0\\.113\\.0/24 proto tcp sport 1234 dport 443',
          'limit: soft 1000000\\(bytes\\), hard 2000000\\(bytes\\)',
          'limit: soft 1000\\(packets\\), hard 2000\\(packets\\)',
          'expire add: soft 300\\(sec\\), hard 400\\(sec\\)',
          'expire use: soft 100\\(sec\\), hard 200\\(sec\\)',
        ].map((line) => inEntry(`src ${esc(MOON)} dst ${esc(SUN)}`, line)),
      },
    },
    {
      do: 'exec',
      ns: 'moon',
      argv: ['ip', '-s', '-d', 'xfrm', 'policy'],
      expect: {
        match: [
          ...[
            'dir out action allow index \\d+ priority 3333 ',
            'expire add: soft 600\\(sec\\), hard 700\\(sec\\)',
            'mark 0x11/0xff',
            'tmpl src 192\\.0\\.2\\.1 dst 192\\.0\\.2\\.2\\s+proto esp spi 0xc0de0b01\\(\\d+\\) reqid 42\\(0x0000002a\\) mode tunnel\\s+level required',
            'if_id 0x33',
          ].map((line) =>
            inEntry(
              'src 198\\.51\\.100\\.0/25 dst 203\\.0\\.113\\.128/25 proto udp sport 500 dport 4500',
              line,
            ),
          ),
          ...[
            'dir in action allow index \\d+ priority 4444 ',
            'tmpl src 192\\.0\\.2\\.2 dst 192\\.0\\.2\\.1\\s+proto comp spi 0x00000000\\(0\\) reqid 43\\(0x0000002b\\) mode tunnel\\s+level use',
            'proto esp spi 0x00000000\\(0\\) reqid 43\\(0x0000002b\\) mode transport\\s+level required share any\\s+enc-mask 0000000f auth-mask 000000f0',
          ].map((line) => inEntry('src 203\\.0\\.113\\.0/24 dst 198\\.51\\.100\\.0/24', line)),
          inEntry(
            'src 198\\.51\\.100\\.77/32 dst 203\\.0\\.113\\.77/32 proto icmp',
            'dir fwd action block index \\d+ priority 10 ',
          ),
        ],
      },
    },
    xfrm([{ op: 'flushSas' }, { op: 'flushPolicies' }]),
  ],
};
