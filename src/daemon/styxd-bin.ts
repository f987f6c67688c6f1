#!/usr/bin/env node
import { main } from './styxd.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`styxd: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
