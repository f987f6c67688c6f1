// Lab driver: runs styxd with a configuration given inline (base64 YAML), so a
// scenario can state its Styx configuration next to strongSwan's swanctl.conf.
//   node styxd.js --config-b64 BASE64 [--config-file PATH] [other styxd arguments]
// With --config-file the configuration is written there, so a scenario can
// change it and ask for a reload.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/daemon/styxd.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--config-b64');
if (i < 0 || !argv[i + 1]) {
  process.stderr.write('usage: styxd.js --config-b64 BASE64\n');
  process.exit(2);
}
const at = argv.indexOf('--config-file');
const file =
  at >= 0 && argv[at + 1]
    ? argv[at + 1]!
    : join(mkdtempSync(join(tmpdir(), 'styx-lab-')), 'styx.yaml');
if (at >= 0) argv.splice(at, 2);
writeFileSync(file, Buffer.from(argv[i + 1]!, 'base64'), { mode: 0o600 });
argv.splice(i, 2, '--config', file);
main(argv).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`styxd: ${(e as Error).stack}\n`);
    process.exit(1);
  },
);
