/** The log line format, per-subsystem levels, the ring buffer, subscribers and JSON mode. */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret.js';
import { createLogger } from '../../src/daemon/logger.js';

const at = (ms: number) => () => new Date(Date.UTC(2026, 10, 26, 16, 40, 58) + ms);

describe('logger', () => {
  it('writes one line per event with time, level, subsystem, connection, SAs, message and fields', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), now: at(123) });
    log.info(
      'ike',
      'CHILD_SA established',
      { connection: 'gw-gw', ikeSa: 3, child: 'net', childSa: 5 },
      {
        spi_in: 'c1a2b3c4',
        ts: '10.1.0.0/16 === 10.2.0.0/16',
        bytes: 0,
        nonce: Uint8Array.of(0xde, 0xad),
        skipped: undefined,
      },
    );
    log.warn('net', 'send failed:\nEHOSTUNREACH', { connection: 'gw-gw', ikeSa: 3 });
    log.error('config', 'reload failed');
    expect(lines).toEqual([
      '2026-11-26T16:40:58.123Z info  [ike] [gw-gw|#3|net{5}] CHILD_SA established spi_in=c1a2b3c4 ts="10.1.0.0/16 === 10.2.0.0/16" bytes=0 nonce=dead',
      '2026-11-26T16:40:58.123Z warn  [net] [gw-gw|#3] send failed:\\nEHOSTUNREACH',
      '2026-11-26T16:40:58.123Z error [config] reload failed',
    ]);
  });

  it('filters levels per subsystem and can change them at run time', () => {
    const lines: string[] = [];
    const log = createLogger({
      sink: (l) => lines.push(l),
      level: 'warn',
      levels: { ike: 'debug' },
      now: at(0),
    });
    log.debug('ike', 'a');
    log.info('kernel', 'b');
    log.warn('kernel', 'c');
    log.setLevel('error', 'ike');
    log.warn('ike', 'd');
    log.setLevel('debug');
    log.debug('kernel', 'e');
    expect(lines.map((l) => l.split(' ').pop())).toEqual(['a', 'c', 'e']);
    expect(log.enabled('info', 'ike')).toBe(false);
  });

  it('keeps the most recent lines in a ring buffer', () => {
    const log = createLogger({ sink: () => {}, ringSize: 3, now: at(0) });
    for (let i = 1; i <= 5; i++) log.info('t', `m${i}`);
    expect(log.recent().map((l) => l.split(' ').pop())).toEqual(['m3', 'm4', 'm5']);
    expect(log.recent(2).map((l) => l.split(' ').pop())).toEqual(['m4', 'm5']);
  });

  it('pushes lines to subscribers until they unsubscribe, and drops a throwing one', () => {
    const log = createLogger({ sink: () => {}, now: at(0) });
    const seen: string[] = [];
    const stop = log.subscribe((_line, record) => seen.push(record.message));
    let calls = 0;
    log.subscribe(() => {
      calls++;
      throw new Error('client gone');
    });
    log.info('t', 'one');
    log.info('t', 'two');
    stop();
    log.info('t', 'three');
    expect(seen).toEqual(['one', 'two']);
    expect(calls).toBe(1);
  });

  it('writes JSON lines with secrets redacted', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), format: 'json', now: at(0) });
    log.info(
      'auth',
      'PSK loaded',
      { connection: 'gw' },
      { psk: Secret.fromUtf8('hunter2'), spi: 42n },
    );
    expect(JSON.parse(lines[0]!)).toEqual({
      time: '2026-11-26T16:40:58.000Z',
      level: 'info',
      subsystem: 'auth',
      connection: 'gw',
      message: 'PSK loaded',
      fields: { psk: '<redacted>', spi: '42' },
    });
    expect(lines[0]).not.toContain('hunter2');
  });

  it('scoped loggers carry their subsystem and context', () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), now: at(0) });
    log
      .scoped('ike', { connection: 'gw' })
      .with({ ikeSa: 7 })
      .info('IKE_SA established', { secret: Secret.fromUtf8('x') });
    expect(lines).toEqual([
      '2026-11-26T16:40:58.000Z info  [ike] [gw|#7] IKE_SA established secret=<redacted>',
    ]);
  });
});
