/**
 * The manual's "Associate Firewall Rule ... keeps it up to date with any
 * changes you do": the table of firewall-rules.ts is written at start and on
 * every reload (one atomic `nft -f` each time), and deleted when no
 * connection asks for it any more and when the daemon stops. Nothing outside
 * the table `inet styx` is touched.
 *
 * The rules follow the configuration, not the tunnel's state: the IKE
 * packets that bring the tunnel up must pass before it is up.
 *
 * nftables is driven through the `nft` program (Debian package nftables)
 * rather than nfnetlink: its batch format with expressions is large, and
 * `nft -f` gives the atomic replacement this needs (docs/appliance-firewall.md).
 */
import { spawn } from 'node:child_process';
import type { ConnectionConfig } from '../../config/types.js';
import type { ConnectionFeature, ManagedConnection, ManagerLog } from '../connection-manager.js';
import { FIREWALL_TABLE, type FirewallOptions, firewallScript } from './firewall-rules.js';

/** Applies an nftables script atomically; rejects with nft's message. */
export type NftRunner = (script: string) => Promise<void>;

export const runNft: NftRunner = (script) =>
  new Promise((resolve, reject) => {
    const child = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (e) => reject(new Error(`cannot run nft: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`nft failed: ${stderr.trim().split('\n').slice(0, 3).join(' / ')}`));
    });
    child.stdin.end(script);
  });

export class FirewallRules implements ConnectionFeature {
  readonly name = 'firewall rule';
  /** The table is ours: written by us and not yet deleted. */
  private written = false;

  constructor(
    private readonly options: FirewallOptions,
    private readonly log: ManagerLog,
    private readonly nft: NftRunner = runNft,
  ) {}

  async configure(conns: readonly ManagedConnection[]): Promise<void> {
    const configs = conns.flatMap((c) => (c.config ? [c.config] : []));
    const wanted = configs.filter((c) => c.appliance.firewallRule);
    if (wanted.length === 0 && !this.written) return;
    await this.apply(configs);
    this.written = wanted.length > 0;
    this.log(
      'info',
      wanted.length > 0
        ? `firewall table inet ${FIREWALL_TABLE} written for ${wanted.map((c) => c.name).join(', ')}`
        : `firewall table inet ${FIREWALL_TABLE} removed (no connection has firewall_rule)`,
    );
  }

  async stop(): Promise<void> {
    if (!this.written) return;
    await this.apply([]);
    this.written = false;
    this.log('info', `firewall table inet ${FIREWALL_TABLE} removed`);
  }

  private apply(configs: readonly ConnectionConfig[]): Promise<void> {
    return this.nft(firewallScript(configs, this.options));
  }
}
