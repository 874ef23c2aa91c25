// The CA files that services name in tls_ca, read once when the config is loaded (start,
// SIGHUP, --once, check): one that cannot be read is an error at its FILE:LINE, so a typo
// stops the load (a reload keeps the running config) instead of failing the check for ever.
// The worker reads the file again at check time, so a CA rotated in place needs no reload.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Problem } from '../../shared/problems.js';
import type { Config } from '../../shared/types.js';

export async function tlsCaProblems(config: Config): Promise<Problem[]> {
  const problems: Problem[] = [];
  const seen = new Map<string, string | null>();
  for (const spec of config.services) {
    const ca = spec.tls?.ca;
    if (ca == null || spec.tls?.skipVerify === true) continue;
    if (!seen.has(ca)) seen.set(ca, await caFileProblem(ca));
    const why = seen.get(ca);
    if (why == null) continue;
    problems.push({ file: spec.source.file, line: spec.source.tlsCaLine ?? spec.source.line, key: 'tls_ca', severity: 'error', message: `[${spec.name}] tls_ca '${ca}' ${why}` });
  }
  return problems;
}

async function caFileProblem(path: string): Promise<string | null> {
  let text: string;
  try {
    // Opened without blocking and judged by the open descriptor: a FIFO (even one swapped in
    // after a stat) would block open() for ever, and the load or reload with it.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) return 'is not a regular file';
      text = await handle.readFile('latin1');
    } finally {
      await handle.close();
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // A unix socket cannot be opened at all (ENXIO): it is no more a regular file than a FIFO.
    if (err.code === 'ENXIO') return 'is not a regular file';
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied (the agent runs as the zk-watcher user under systemd)' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    return `cannot be read: ${why}`;
  }
  return text.includes('-----BEGIN CERTIFICATE-----') ? null : 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
}
