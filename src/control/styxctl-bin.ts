#!/usr/bin/env node
/** The `styxctl` executable: wires `runStyxctl` to the process. */
import { runStyxctl } from './styxctl.js';

const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
process.stdout.on('error', () => process.exit(0)); // `styxctl log | head` closes the pipe early

runStyxctl(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  signal: abort.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not a user mistake: say so in one line and keep the detail for a report.
    process.stderr.write(
      `styxctl: internal error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    if (process.env.STYX_DEBUG) console.error(error);
    process.exitCode = 70;
  },
);
