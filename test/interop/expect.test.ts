import { describe, expect, it } from 'vitest';
import {
  countMatchingLines,
  escapeRegExp,
  evaluateText,
  formatQueue,
  parsePingSummary,
  parseQueue,
  queueOrder,
  resultLine,
  selectByPattern,
  splitPerNamespace,
  summaryLine,
  xfrmEntries,
} from '../../interop/runner/expect.js';

const XFRM_STATE = `src 192.0.2.1 dst 192.0.2.2
\tproto esp spi 0xcd182e8a(3440914058) reqid 1(0x00000001) mode tunnel
\taead rfc4106(gcm(aes)) 0x00 (288 bits) 128
src 192.0.2.2 dst 192.0.2.1
\tproto esp spi 0xca2e270c(3392022284) reqid 1(0x00000001) mode tunnel
`;

describe('evaluateText', () => {
  it('passes when every match pattern is found and no noMatch pattern is', () => {
    expect(
      evaluateText(XFRM_STATE, { match: [/mode tunnel/, /rfc4106/], noMatch: [/mode transport/] }),
    ).toEqual([]);
  });

  it('names each missing pattern', () => {
    expect(
      evaluateText(XFRM_STATE, { match: [/proto ah/, /mode tunnel/, /comp deflate/] }),
    ).toEqual(['no match for /proto ah/', 'no match for /comp deflate/']);
  });

  it('quotes the line an unexpected pattern matched', () => {
    expect(evaluateText(XFRM_STATE, { noMatch: [/aead \S+/] })).toEqual([
      'unexpected match for /aead \\S+/: "aead rfc4106(gcm(aes)) 0x00 (288 bits) 128"',
    ]);
  });

  it('checks the number of matching lines against min and max', () => {
    expect(evaluateText(XFRM_STATE, { count: [{ pattern: /^src /, min: 2, max: 2 }] })).toEqual([]);
    expect(evaluateText(XFRM_STATE, { count: [{ pattern: /^src /, min: 3 }] })).toEqual([
      '2 lines match /^src /, expected at least 3',
    ]);
    expect(evaluateText(XFRM_STATE, { count: [{ pattern: /proto esp/, max: 1 }] })).toEqual([
      '2 lines match /proto esp/, expected at most 1',
    ]);
  });

  it('an empty expectation holds for any text', () => {
    expect(evaluateText('', {})).toEqual([]);
  });
});

describe('countMatchingLines', () => {
  it('is not thrown off by a global regex keeping lastIndex', () => {
    const re = /esp/g;
    expect(countMatchingLines('esp\nesp\nah\nesp', re)).toBe(3);
    expect(countMatchingLines('esp\nesp\nah\nesp', re)).toBe(3);
  });
});

describe('parsePingSummary', () => {
  it('reads transmitted and received counts from iputils ping', () => {
    const out =
      '--- 203.0.113.10 ping statistics ---\n3 packets transmitted, 2 received, 33% packet loss, time 402ms\n';
    expect(parsePingSummary(out)).toEqual({ transmitted: 3, received: 2 });
  });

  it('reads a summary with errors', () => {
    const out = '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2040ms';
    expect(parsePingSummary(out)).toEqual({ transmitted: 3, received: 0 });
  });

  it('gives undefined when ping printed no summary', () => {
    expect(parsePingSummary('ping: connect: Network is unreachable')).toBeUndefined();
  });
});

describe('selectByPattern', () => {
  const scenarios = [
    { name: 'strongswan-psk-net2net' },
    { name: 'kernel-esp-tunnel-v4' },
    { name: 'kernel-ah-v6' },
  ];

  it('selects all with an empty pattern', () => {
    expect(selectByPattern(scenarios, '')).toHaveLength(3);
  });

  it('selects by substring, case-insensitively', () => {
    expect(selectByPattern(scenarios, 'KERNEL').map((s) => s.name)).toEqual([
      'kernel-esp-tunnel-v4',
      'kernel-ah-v6',
    ]);
  });

  it('selects by regular expression', () => {
    expect(selectByPattern(scenarios, 'v6$|^strong').map((s) => s.name)).toEqual([
      'strongswan-psk-net2net',
      'kernel-ah-v6',
    ]);
  });
});

describe('xfrmEntries', () => {
  it('counts entries, not their indented continuation lines', () => {
    expect(xfrmEntries(XFRM_STATE)).toHaveLength(2);
    expect(xfrmEntries('')).toHaveLength(0);
  });

  it('leaves out the per-socket policies of open sockets', () => {
    const policies = `src 0.0.0.0/0 dst 0.0.0.0/0 
\tsocket out priority 0 ptype main 
src 198.51.100.0/24 dst 203.0.113.0/24 
\tdir out priority 2000 ptype main 
\ttmpl src 192.0.2.1 dst 192.0.2.2
\t\tproto esp reqid 7 mode tunnel
src 0.0.0.0/0 dst 0.0.0.0/0 
\tsocket in priority 0 ptype main 
`;
    const entries = xfrmEntries(policies);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(
      /^src 198\.51\.100\.0\/24 .*\n\s+dir out .*\n\s+tmpl .*\n\s+proto esp/,
    );
  });
});

describe('result lines', () => {
  it('formats a pass with its duration and a failure with its reason on one line', () => {
    expect(resultLine('a', undefined, 12_345)).toBe('PASS a (12.3s)');
    expect(resultLine('b', 'step 2 (ping): no reply\n  more', 1)).toBe(
      'FAIL b: step 2 (ping): no reply; more',
    );
    expect(summaryLine(3, 1)).toBe('3 passed, 1 failed');
  });
});

describe('escapeRegExp', () => {
  it('matches addresses literally', () => {
    const re = new RegExp(`^${escapeRegExp('192.0.2.1/32')}$`);
    expect(re.test('192.0.2.1/32')).toBe(true);
    expect(re.test('192x0x2x1/32')).toBe(false);
  });
});

describe('splitPerNamespace', () => {
  it('splits ip -all netns exec output by namespace, keeping empty ones', () => {
    const text =
      '\nnetns: labt1\n\nnetns: labt2\nsrc 1.1.1.1/32 dst 2.2.2.2/32 \n\tdir out priority 0 ptype main \n';
    const parts = splitPerNamespace(text);
    expect([...parts.keys()]).toEqual(['labt1', 'labt2']);
    expect(parts.get('labt1')).toBe('');
    expect(xfrmEntries(parts.get('labt2')!)).toHaveLength(1);
  });
});

describe('the work queue', () => {
  it('puts the longest bound first and breaks ties by name', () => {
    const order = queueOrder([
      { name: 'b', boundS: 100 },
      { name: 'long', boundS: 400 },
      { name: 'a', boundS: 100 },
    ]);
    expect(order.map((e) => e.name)).toEqual(['long', 'a', 'b']);
  });

  it('reads back what it writes and skips malformed lines', () => {
    const entries = [
      { name: 'x-one', boundS: 210 },
      { name: 'x-two', boundS: 300 },
    ];
    const text = formatQueue(entries);
    expect(text).toBe('x-two 300\nx-one 210\n');
    expect(parseQueue(`${text}garbage\n\nname-without-bound\n`)).toEqual(queueOrder(entries));
  });
});
