/**
 * The manual's settings Styx does not act on yet. Each is refused at load with
 * file:line, the setting and "not supported yet", never parsed and dropped
 * (docs/configuration.md lists them). A setting leaves this list in the commit
 * that makes it work in the kernel; test/config/settings-reach.test.ts fails
 * when a setting is neither here nor reaches the engine, the manager or a
 * feature.
 */

import type { ChildDefaults } from './child.js';
import type { Fields } from './reader.js';
import type { ChildConfig, ConnectionConfig } from './types.js';

type Connection = Omit<ConnectionConfig, 'source'>;

interface Refusal<T> {
  readonly key: string;
  /** True when the value asks for something not implemented (defaults never do). */
  readonly refuses: (value: T) => boolean;
  readonly message: string;
}

export const CONNECTION_REFUSALS: readonly Refusal<Connection>[] = [
  {
    key: 'mobike',
    refuses: (c) => c.mobike,
    message:
      'mobike: yes (RFC 4555 address changes) is not supported yet; the tunnel stays on its addresses (mobike: no)',
  },
  {
    key: 'split_connection',
    refuses: (c) => c.splitConnection,
    message:
      'split_connection: yes is not supported yet; every child of a connection shares one IKE_SA',
  },
  {
    key: 'fallback',
    refuses: (c) => c.appliance.fallback !== undefined,
    message: 'fallback (a standby connection) is not supported yet',
  },
  {
    key: 'ping_check',
    refuses: (c) => c.appliance.pingCheck !== undefined,
    message: 'ping_check is not supported yet (it belongs to fallback, which is not either)',
  },
  {
    key: 'reauth_time',
    refuses: (c) => c.reauthTimeMs > 0,
    message:
      'reauth_time (reauthentication) is not supported yet; the IKE_SA is rekeyed after rekey_time instead (remove reauth_time or set it to 0)',
  },
  {
    key: 'fragmentation',
    refuses: (c) => c.fragmentation === 'accept' || c.fragmentation === 'force',
    message:
      'fragmentation accept and force are not supported yet; allowed: yes (RFC 7383, when the peer supports it) or no',
  },
  {
    key: 'unique',
    refuses: (c) => c.unique !== 'no',
    message:
      'unique never, keep and replace are not supported yet; allowed: no (an INITIAL_CONTACT from the peer replaces its old IKE_SAs)',
  },
];

const ownAction = (key: string, where: string) =>
  `a child's own ${key} is not supported yet; set ${where} on the connection (its children follow it)`;

/** A child's actions differing from its connection's (the manager acts per connection). */
export const CHILD_REFUSALS: readonly Refusal<{ child: ChildConfig; inherited: ChildDefaults }>[] =
  [
    {
      key: 'start_action',
      refuses: ({ child, inherited }) => child.startAction !== inherited.startAction,
      message: ownAction('start_action', 'start_action'),
    },
    {
      key: 'close_action',
      refuses: ({ child, inherited }) => child.closeAction !== inherited.closeAction,
      message: ownAction('close_action', 'close_action'),
    },
    {
      key: 'dpd_action',
      refuses: ({ child, inherited }) => child.dpdAction !== inherited.dpdAction,
      message: ownAction('dpd_action', 'dpd.action'),
    },
  ];

export function refuseConnectionSettings(f: Fields, c: Connection): void {
  // Version 1 is refused as a whole (connection.ts), with what IKEv2 alone allows.
  if (c.version !== 2) return;
  for (const r of CONNECTION_REFUSALS) if (f.has(r.key) && r.refuses(c)) f.error(r.key, r.message);
}

export function refuseChildSettings(f: Fields, child: ChildConfig, inherited: ChildDefaults): void {
  for (const r of CHILD_REFUSALS)
    if (f.has(r.key) && r.refuses({ child, inherited })) f.error(r.key, r.message);
}
