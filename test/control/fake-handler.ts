/** A ControlHandler with canned answers, for the control socket and styxctl tests. */

import {
  type ActionResult,
  ControlError,
  type ControlHandler,
  type LogsOptions,
  type ReloadResult,
  type StatusResult,
} from '../../src/control/types.js';
import type { Logger } from '../../src/daemon/logger.js';

export const STATUS: StatusResult = {
  ikeSas: [
    {
      name: 'gw-gw',
      uniqueId: 3,
      state: 'ESTABLISHED',
      version: 2,
      initiator: true,
      initiatorSpi: '1a2b3c4d5e6f7a8b',
      responderSpi: '8b7a6f5e4d3c2b1a',
      local: { address: '192.0.2.1', port: 4500, id: 'moon.example.org', nat: true },
      remote: { address: '192.0.2.2', port: 4500, id: 'sun.example.org' },
      algorithms: {
        encryption: 'AES_CBC',
        keySize: 256,
        integrity: 'HMAC_SHA2_256_128',
        prf: 'PRF_HMAC_SHA2_256',
        ke: 'MODP_3072',
      },
      establishedSeconds: 125,
      rekeyInSeconds: 13_975,
      children: [
        {
          name: 'net',
          uniqueId: 5,
          reqid: 1,
          state: 'INSTALLED',
          mode: 'tunnel',
          protocol: 'esp',
          encap: true,
          spiIn: 'c1a2b3c4',
          spiOut: 'c5d6e7f8',
          algorithms: { encryption: 'AES_GCM_16', keySize: 256, esn: false },
          localTs: ['10.1.0.0/16'],
          remoteTs: ['10.2.0.0/16', '10.3.0.0/16'],
          bytesIn: 1536,
          bytesOut: 84,
          packetsIn: 12,
          packetsOut: 1,
          lastInSeconds: 2,
          installedSeconds: 125,
          rekeyInSeconds: 3000,
          lifeInSeconds: 3835,
        },
      ],
    },
  ],
};

export class FakeHandler implements ControlHandler {
  readonly calls: string[] = [];
  /** Set by a test to make `up` wait until released. */
  upGate?: Promise<void>;

  constructor(readonly logger: Logger) {}

  async up(name: string): Promise<ActionResult> {
    this.calls.push(`up ${name}`);
    await this.upGate;
    if (name !== 'gw-gw') throw new ControlError('NOT_FOUND', `no connection named "${name}"`);
    return { message: 'IKE_SA gw-gw #3 established, CHILD_SA net #5 installed' };
  }

  async down(name: string): Promise<ActionResult> {
    this.calls.push(`down ${name}`);
    if (name === 'boom') throw new Error('secret internal detail');
    return { message: `closed 1 IKE_SA of ${name}` };
  }

  async status(name?: string): Promise<StatusResult> {
    this.calls.push(`status ${name ?? ''}`.trim());
    return name === undefined || name === 'gw-gw' ? STATUS : { ikeSas: [] };
  }

  async reload(): Promise<ReloadResult> {
    this.calls.push('reload');
    if (this.calls.filter((c) => c === 'reload').length > 1) {
      throw new ControlError(
        'CONFIG_INVALID',
        'the configuration has 1 error; nothing was changed',
        [
          'styx.yaml:12:15: connections.gw-gw.children.net.mode: "tunel" is not allowed; expected one of tunnel, transport',
        ],
      );
    }
    return { added: ['new'], removed: [], changed: ['gw-gw'], unchanged: ['other'] };
  }

  logs(options: LogsOptions, onLine: (line: string) => void): () => void {
    const recent = this.logger.recent(options.lines);
    for (const line of recent) onLine(line);
    return options.follow ? this.logger.subscribe(onLine) : () => {};
  }
}
