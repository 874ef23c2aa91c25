// Reads the config files named on the command line (a file, or a directory of
// *.cfg, *.ini, *.conf in name order) and builds the Config, or the problems.

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildConfig, type ConfigSource } from '../../shared/config.js';
import { decodeConfigBytes } from '../../shared/decode.js';
import type { Problem } from '../../shared/problems.js';
import { readablePasswordWarning } from '../../shared/secrets.js';
import type { Config } from '../../shared/types.js';
import { tlsCaProblems } from './tls-ca-files.js';

const CONFIG_SUFFIXES = ['.cfg', '.ini', '.conf'];

export async function loadConfig(paths: readonly string[]): Promise<{ config: Config | null; problems: Problem[] }> {
  const problems: Problem[] = [];
  const sources: ConfigSource[] = [];
  const fail = (file: string, line: number, message: string): void => {
    problems.push({ file, line, message, severity: 'error' });
  };
  for (const path of paths) {
    let files: string[];
    try {
      const st = await stat(path);
      files = st.isDirectory() ? await configFilesIn(path) : [path];
    } catch (e) {
      fail(path, 0, `cannot read the config: ${reason(e)}`);
      continue;
    }
    // Like an empty file (config.ts): removing every file is how a conf.d retires a host's services.
    if (files.length === 0) problems.push({ file: path, line: 0, severity: 'warning', message: `is a directory with no ${CONFIG_SUFFIXES.join(', ')} files; nothing is read from it` });
    for (const file of files) {
      let bytes: Buffer;
      try {
        // A FIFO or a device would block the read for ever (and the process's exit with it).
        if (!(await stat(file)).isFile()) {
          fail(file, 0, 'is not a regular file (a FIFO, socket or device cannot be a config file)');
          continue;
        }
        bytes = await readFile(file);
      } catch (e) {
        fail(file, 0, `cannot read the config: ${reason(e)}`);
        continue;
      }
      const decoded = decodeConfigBytes(bytes);
      if (decoded.ok) sources.push({ file, text: decoded.text });
      else fail(file, decoded.line, decoded.message);
    }
  }
  if (problems.some((p) => p.severity === 'error')) return { config: null, problems };
  const built = buildConfig(sources);
  const found = [...problems, ...built.problems];
  const caProblems = built.config === null ? [] : await tlsCaProblems(built.config);
  if (caProblems.length > 0) return { config: null, problems: [...found, ...caProblems] };
  const auth = built.config?.auth;
  if (auth != null) {
    const mode = await stat(auth.source.file).then((st) => st.mode, () => 0); // just read: a vanished file has no mode to warn about
    const warning = readablePasswordWarning(auth.source, mode);
    if (warning !== null) found.push(warning);
  }
  return { config: built.config, problems: found };
}

async function configFilesIn(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => CONFIG_SUFFIXES.some((s) => n.endsWith(s)) && !n.startsWith('.')).sort();
  return names.map((n) => join(dir, n));
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  if (err.code === 'EACCES') return 'permission denied';
  if (err.code === 'EISDIR') return 'is a directory';
  return err.message;
}
