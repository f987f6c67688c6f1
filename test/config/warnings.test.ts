/** Warnings that do not stop loading: weak algorithms (RFC 8247, RFC 8221) and readable secret files. */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigFile, parseConfig } from '../../src/config/index.js';

const yaml = (ike: string, esp: string, psk = 'x') => `connections:
  gw:
    remote_addrs: [192.0.2.2]
    proposals: [${ike}]
    local: { auth: psk }
    remote: { auth: psk }
    psk: ${psk}
    children:
      net:
        esp_proposals: [${esp}]
`;

describe('configuration warnings', () => {
  it('warns about weak algorithms the user wrote, once each, and still loads', () => {
    const r = parseConfig(
      yaml('aes256-sha1-modp1024, 3des-md5-modp2048', 'aes256-sha1'),
      'styx.yaml',
    );
    expect(r.ok).toBe(true);
    expect(r.warnings.map(formatConfigError)).toEqual([
      'styx.yaml:4:17: connections.gw.proposals[0]: "sha1" is weak (RFC 8247 §2.3: being phased out; use sha256)',
      'styx.yaml:4:17: connections.gw.proposals[0]: "modp1024" is weak (RFC 8247 §2.4: SHOULD NOT; use modp3072 or larger, ecp256 or x25519)',
      'styx.yaml:4:39: connections.gw.proposals[1]: "3des" is weak (RFC 8247 §2.1 / RFC 8221 §5: SHOULD NOT; use aes256 or aes256gcm16)',
      'styx.yaml:4:39: connections.gw.proposals[1]: "md5" is weak (RFC 8247 §2.3 / RFC 8221 §6: MUST NOT; use sha256)',
      'styx.yaml:10:25: connections.gw.children.net.esp_proposals[0]: "sha1" is weak (RFC 8247 §2.3: being phased out; use sha256)',
    ]);
  });

  it("has no warnings for the defaults and the manual's recommendation", () => {
    const defaults = parseConfig(yaml('default', 'default'), 'styx.yaml');
    const recommended = parseConfig(yaml('aes256-sha256-modp4096', 'aes256gcm16'), 'styx.yaml');
    expect([defaults.warnings, recommended.warnings]).toEqual([[], []]);
  });

  it('warns when a secret file can be read by other users', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'styx-warn-'));
    writeFileSync(join(dir, 'open.psk'), 'secret');
    chmodSync(join(dir, 'open.psk'), 0o644);
    writeFileSync(join(dir, 'closed.psk'), 'secret');
    chmodSync(join(dir, 'closed.psk'), 0o600);
    writeFileSync(join(dir, 'open.yaml'), yaml('default', 'default', '{ file: open.psk }'));
    writeFileSync(join(dir, 'closed.yaml'), yaml('default', 'default', '{ file: closed.psk }'));
    const open = await loadConfigFile(join(dir, 'open.yaml'));
    const closed = await loadConfigFile(join(dir, 'closed.yaml'));
    expect(open.warnings.map(formatConfigError)).toEqual([
      `${join(dir, 'open.yaml')}:7:18: connections.gw.psk.file: the secret file "${join(dir, 'open.psk')}" can be read by other users (mode 0644); chmod 600 it`,
    ]);
    expect(closed.warnings).toEqual([]);
  });
});
