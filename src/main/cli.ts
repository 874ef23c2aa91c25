#!/bin/sh
//bin/true; exec node --max-semi-space-size=2 "$0" "$@"
// The two lines above: run as a program, /bin/sh execs node with its flags on this same file
// (to JavaScript, the second line is a comment). `env -S` would do it in one line, but
// BusyBox's env (Alpine) has no -S. The flag: young-generation semi-spaces of 2 MB instead of
// V8's 16 MB held 36 MB of RSS at 1000 services, for the same checks a second at saturation.
// On node's command line, not in NODE_OPTIONS, which every check would inherit.
//
// The installed `zk-watcher` executable, also installed as `zk_watcher`, the original's
// name (package.json's bin): runs the command line and exits with its code. Exit codes:
// 0 stopped cleanly, 1 failed at run time, 2 bad command line or config.

import { basename } from 'node:path';
import { holdEarlySignals } from './cli/early-signals.js';

// Before anything else loads: a signal from now on is held, not fatal (early-signals.ts).
const early = holdEarlySignals();
const { main } = await import('./cli/main.js');

// argv[1] is the name we were run as (npm's bin links keep it), not the file it links to.
main(process.argv.slice(2), early, basename(process.argv[1] ?? 'zk-watcher')).then(
  (code) => {
    process.exitCode = code;
    // Give pino and stdio a moment to flush, then make sure nothing keeps us alive.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (e: unknown) => {
    process.stderr.write(`zk-watcher: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
