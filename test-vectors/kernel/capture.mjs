#!/usr/bin/env node
// Records the exact netlink requests that iproute2 sends for a set of commands,
// so that Styx's XFRM and rtnetlink encoders can be compared byte for byte with
// a encoder we did not write. Each command runs in a fresh network namespace
// (`unshare -n`) under `strace -e write=all`, which dumps every sendmsg buffer.
//
// Usage (root, strace and iproute2 installed):
//   node test-vectors/kernel/capture.mjs > test-vectors/kernel/iproute2-requests.json
//
// The host kernel may refuse the request (no ESP, no xfrm interfaces): the bytes
// are sent before the kernel answers, and they are what we keep.
import { execFileSync, spawnSync } from 'node:child_process';

const K20 = '0x0102030405060708090a0b0c0d0e0f1011121314';
const K16 = '0x000102030405060708090a0b0c0d0e0f';
const K32 = '0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f';

const commands = [
  { name: 'sa-esp-gcm-tunnel-v4', cmd: `ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc0ffee01 reqid 7 mode tunnel replay-window 32 aead rfc4106(gcm(aes)) ${K20} 128 sel src 10.1.0.0/16 dst 10.2.0.0/16` },
  { name: 'sa-esp-cbc-sha256-transport-v6-esn', cmd: `ip xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x00001000 reqid 9 mode transport flag esn replay-window 128 enc cbc(aes) ${K16} auth-trunc hmac(sha256) ${K32} 128 limit time-soft 2 limit time-hard 4 limit byte-soft 1000000 limit byte-hard 2000000 limit packet-soft 100 limit packet-hard 200` },
  { name: 'sa-esp-udp-encap-mark-ifid', cmd: `ip xfrm state add src 198.51.100.7 dst 203.0.113.9 proto esp spi 0x0badcafe reqid 3 mode tunnel aead rfc4106(gcm(aes)) ${K20} 128 encap espinudp 4500 4501 0.0.0.0 mark 0x10 mask 0xff output-mark 0x5 if_id 42` },
  { name: 'sa-ah-tunnel-v4', cmd: `ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto ah spi 0x00002000 reqid 11 mode tunnel auth-trunc hmac(sha256) ${K32} 128` },
  { name: 'sa-ipcomp-tunnel-v4', cmd: 'ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto comp spi 0x00003000 reqid 7 mode tunnel comp deflate' },
  { name: 'sa-allocspi', cmd: 'ip xfrm state allocspi src 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel min 0x100 max 0x200' },
  { name: 'sa-delete', cmd: 'ip xfrm state delete src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc0ffee01' },
  { name: 'sa-get', cmd: 'ip xfrm state get src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xc0ffee01' },
  { name: 'sa-flush-esp', cmd: 'ip xfrm state flush proto esp' },
  { name: 'policy-out-tunnel-v4', cmd: 'ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir out priority 100 tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel' },
  { name: 'policy-in-transport-v6-mark-ifid', cmd: 'ip xfrm policy add src 2001:db8::2/128 dst 2001:db8::1/128 proto udp sport 500 dport 500 dir in priority 200 mark 0x10 mask 0xff if_id 42 tmpl src :: dst :: proto esp reqid 9 mode transport level use' },
  { name: 'policy-fwd-block', cmd: 'ip xfrm policy add src 10.1.0.0/16 dst 10.2.0.0/16 dir fwd action block priority 300' },
  { name: 'policy-delete', cmd: 'ip xfrm policy delete src 10.1.0.0/16 dst 10.2.0.0/16 dir out' },
  { name: 'policy-get', cmd: 'ip xfrm policy get src 10.1.0.0/16 dst 10.2.0.0/16 dir out' },
  { name: 'policy-flush', cmd: 'ip xfrm policy flush' },
  { name: 'link-add-xfrm', cmd: 'ip link add xfrm42 type xfrm dev lo if_id 42' },
  { name: 'addr-add-v4', cmd: 'ip addr add 10.9.0.1/24 dev lo' },
  { name: 'route-add-table-metric', cmd: 'ip route add 10.8.0.0/16 dev lo table 220 metric 50' },
];

/** Parses strace's `-e write=all` hex dumps into one Buffer per sendmsg. */
function parseDumps(text) {
  const sends = [];
  let current = null;
  for (const line of text.split('\n')) {
    if (/^\s*\* \d+ bytes in buffer 0/.test(line)) {
      current = [];
      sends.push(current);
      continue;
    }
    const m = /^\s*\| [0-9a-f]{5}  ((?:[0-9a-f]{2} ?\s?){1,16})/.exec(line);
    if (m && current) current.push(...m[1].trim().split(/\s+/));
  }
  return sends.map((bytes) => bytes.join(''));
}

const out = [];
for (const { name, cmd } of commands) {
  const args = ['-n', 'strace', '-f', '-e', 'trace=sendmsg', '-e', 'write=all', ...cmd.split(' ')];
  // strace writes its dump to stderr, whatever the command's exit status.
  const run = spawnSync('unshare', args, { encoding: 'utf8' });
  const text = `${run.stdout}${run.stderr}`;
  const messages = parseDumps(text);
  out.push({ name, command: cmd, messages });
}
process.stdout.write(`${JSON.stringify({ source: 'iproute2 ' + execFileSync('ip', ['-V'], { encoding: 'utf8' }).trim() + ', captured with strace -e write=all in unshare -n', vectors: out }, null, 2)}\n`);
