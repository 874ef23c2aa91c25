// zk_watcher INI text -> Config, or every problem at once (FILE:LINE: ... (key: K)).
// Values are read as configparser.get() reads them (see ini.ts); what each key may
// hold is checked here, and nowhere else.

import { getValue, parseIni, type IniDocument, type IniSection } from './ini.js';
import { PyJsonError, parsePyJson, type PyJsonObject } from './pyjson.js';
import type { Problem } from './problems.js';
import { httpUrlProblem, parseTcpTarget } from './check-target.js';
import { CHECK_OPTION_KEYS, readCheckOptions } from './check-options-config.js';
import { nearest } from './suggest.js';
import { FORMAT_KEYS, readFormatKeys } from './formats/format-keys.js';
import { dataSizeProblem } from './formats/data-size.js';
import { loopbackHostnameProblem } from './loopback-name.js';
import type { AuthSpec, Config, ServiceSpec, TcpTarget, ZookeeperData } from './types.js';
import { cmdShellHazard } from './cmd-syntax.js';
import { invalidCharacter, normalizeZookeeperPath, zookeeperPathProblem } from './zkpath.js';

export interface ConfigSource {
  readonly file: string;
  readonly text: string;
}

export const SERVICE_KEYS = [
  'cmd',
  'http',
  'tcp',
  'grpc',
  ...CHECK_OPTION_KEYS,
  'refresh',
  'timeout',
  'service_port',
  'service_hostname',
  'zookeeper_path',
  'zookeeper_data',
  'rise',
  'fall',
  ...FORMAT_KEYS,
] as const;
const REQUIRED_KEYS = ['refresh', 'service_port', 'zookeeper_path'] as const;
/** A section needs at least one of these; all it sets must pass. */
const CHECK_KEYS = ['cmd', 'http', 'tcp', 'grpc'] as const;
const AUTH_KEYS = ['user', 'password'] as const;

/** Longest refresh or timeout we accept: a day (timers cannot exceed ~24.8 days). */
const MAX_SECONDS = 86_400;
/** zk_watcher killed a check after a fixed 90 s; our default is tied to refresh, within [10, 90]. */
export function defaultTimeout(refresh: number): number {
  return Math.min(90, Math.max(10, refresh));
}

export interface BuiltConfig {
  /** Present when there is no error (warnings allowed). */
  readonly config: Config | null;
  readonly problems: readonly Problem[];
}

export function buildConfig(sources: readonly ConfigSource[]): BuiltConfig {
  const problems: Problem[] = [];
  const services: ServiceSpec[] = [];
  const seen = new Map<string, { file: string; line: number }>();
  let auth: AuthSpec | null = null;

  for (const { file, text } of sources) {
    const doc = parseIni(text);
    const err: Report = (line, message, key) => {
      problems.push({ file, line, message, severity: 'error', ...(key === undefined ? {} : { key }) });
    };
    const warn: Report = (line, message, key) => {
      problems.push({ file, line, message, severity: 'warning', ...(key === undefined ? {} : { key }) });
    };
    // The sections that did parse are still checked, so one run lists every problem in the file.
    for (const p of doc.problems) err(p.line, p.message, p.key);
    warnUnknownKeys(file, doc, problems);

    for (const section of doc.sections) {
      const first = seen.get(section.name);
      if (first !== undefined) {
        err(section.line, `section [${section.name}] is defined twice (also at ${first.file}:${first.line})`);
        continue;
      }
      seen.set(section.name, { file, line: section.line });
      if (section.name === 'auth') {
        auth = readAuth(file, doc, section, err);
        continue;
      }
      const spec = readService(file, doc, section, err, warn);
      if (spec !== null) services.push(spec);
    }
  }
  const failed = problems.some((p) => p.severity === 'error');
  // zk_watcher ran idle on such a file, and emptying it is how a host's services are retired.
  if (!failed && services.length === 0) {
    problems.push({
      file: sources.length > 0 ? sources.map((s) => s.file).join(', ') : 'the config',
      line: 0,
      severity: 'warning',
      message: 'defines no service (no section besides [auth]): the agent runs idle and registers nothing',
    });
  }
  return { config: failed ? null : { services, auth }, problems };
}

type Report = (line: number, message: string, key?: string) => void;

function readAuth(file: string, doc: IniDocument, section: IniSection, err: Report): AuthSpec | null {
  const user = getValue(doc, section, 'user');
  const password = getValue(doc, section, 'password');
  let ok = true;
  for (const [key, v] of [['user', user], ['password', password]] as const) {
    if (v === undefined) {
      err(section.line, `[auth] needs both user and password; '${key}' is missing`, key);
      ok = false;
    } else if (!v.ok) {
      err(v.problem.line, `[auth] ${v.problem.message}`, key);
      ok = false;
    } else if (v.value === '') {
      err(v.line, `[auth] ${key} is empty`, key);
      ok = false;
    }
  }
  if (!ok || user?.ok !== true || password?.ok !== true) return null;
  if (user.value.includes(':')) {
    err(user.line, '[auth] user cannot contain ":" (digest authentication splits on it)', 'user');
    return null;
  }
  return { user: user.value, password: password.value, source: { file, line: section.line } };
}

function readService(file: string, doc: IniDocument, section: IniSection, err: Report, warn: Report): ServiceSpec | null {
  const name = section.name;
  const where = `[${name}]`;
  let ok = true;
  const fail = (line: number, message: string, key: string): void => {
    err(line, `${where} ${message}`, key);
    ok = false;
  };
  const read = (key: string): { value: string; line: number } | undefined => {
    const v = getValue(doc, section, key);
    if (v === undefined) return undefined;
    if (!v.ok) {
      fail(v.problem.line, v.problem.message, key);
      return undefined;
    }
    return v;
  };
  for (const key of REQUIRED_KEYS) {
    if (getValue(doc, section, key) === undefined) fail(section.line, `is missing the required key '${key}'`, key);
  }

  if (CHECK_KEYS.every((key) => getValue(doc, section, key) === undefined)) {
    fail(section.line, `has no check: set at least one of ${CHECK_KEYS.join(', ')}`, CHECK_KEYS.join(', '));
  }
  const checks = new Map<string, { value: string; line: number }>();
  for (const key of CHECK_KEYS) {
    const v = read(key);
    if (v === undefined) continue;
    if (v.value.trim() === '') fail(v.line, `${key} is empty`, key);
    else checks.set(key, v);
  }
  const cmd = checks.get('cmd');
  const hazard = cmd === undefined ? null : cmdShellHazard(cmd.value);
  if (hazard !== null) fail(cmd!.line, `cmd ${hazard}`, 'cmd');
  const httpRaw = checks.get('http');
  if (httpRaw !== undefined) {
    const bad = httpUrlProblem(httpRaw.value);
    if (bad !== null) fail(httpRaw.line, `http ${bad}`, 'http');
  }
  const tcpRaw = checks.get('tcp');
  let tcp: TcpTarget | null = null;
  if (tcpRaw !== undefined) {
    const parsed = parseTcpTarget(tcpRaw.value);
    if (typeof parsed === 'string') fail(tcpRaw.line, `tcp '${tcpRaw.value}' ${parsed}`, 'tcp');
    else tcp = parsed;
  }

  const options = readCheckOptions(
    { read, own: (key) => section.entries.has(key), fail, warn: (line, message, key) => warn(line, `${where} ${message}`, key) },
    { http: httpRaw?.value ?? null, tcp: tcpRaw !== undefined, grpc: checks.get('grpc') },
  );

  const refreshRaw = read('refresh');
  const refresh = refreshRaw === undefined ? undefined : seconds(refreshRaw, 'refresh', fail);
  const timeoutRaw = read('timeout');
  const timeout = timeoutRaw === undefined ? undefined : seconds(timeoutRaw, 'timeout', fail);

  const portRaw = read('service_port');
  let port: number | undefined;
  if (portRaw !== undefined) {
    port = /^[0-9]{1,5}$/.test(portRaw.value) ? Number(portRaw.value) : NaN;
    if (!(port >= 1 && port <= 65535)) fail(portRaw.line, `service_port must be a whole number from 1 to 65535, got '${portRaw.value}'`, 'service_port');
  }

  const hostRaw = read('service_hostname');
  if (hostRaw !== undefined) {
    const bad = hostRaw.value === '' ? 'is empty' : hostRaw.value.includes('/') ? 'contains /' : invalidCharacter(hostRaw.value);
    if (bad !== null) fail(hostRaw.line, `service_hostname ${bad}, which cannot be part of a node name`, 'service_hostname');
    const loopback = bad === null ? loopbackHostnameProblem(name, hostRaw.value) : null;
    if (loopback !== null) warn(hostRaw.line, loopback, 'service_hostname');
  }

  const pathRaw = read('zookeeper_path');
  let zookeeperPath = pathRaw?.value;
  if (pathRaw !== undefined) {
    // kazoo dropped empty segments (a trailing or doubled /) from every path it was given.
    zookeeperPath = normalizeZookeeperPath(pathRaw.value);
    const bad = zookeeperPathProblem(zookeeperPath);
    if (bad !== null) fail(pathRaw.line, `zookeeper_path '${pathRaw.value}' ${bad}`, 'zookeeper_path');
    else if (zookeeperPath !== pathRaw.value) {
      warn(pathRaw.line, `${where} zookeeper_path '${pathRaw.value}' is read as '${zookeeperPath}', as zk_watcher's kazoo did; write it so to silence this`, 'zookeeper_path');
    }
  }

  const dataRaw = read('zookeeper_data');
  let data: ZookeeperData = { kind: 'object', value: { kind: 'object', entries: [] } };
  if (dataRaw !== undefined) {
    const parsed = parseZookeeperData(dataRaw.value);
    if (typeof parsed === 'string') fail(dataRaw.line, `zookeeper_data ${parsed}`, 'zookeeper_data');
    else data = parsed;
  }
  const format = readFormatKeys({ read, own: (key) => section.entries.has(key), data: dataRaw === undefined ? null : { value: data, line: dataRaw.line }, fail });
  // Judged on the bytes the format writes, not on the text (formats/data-size.ts).
  const tooBig = dataRaw !== undefined && zookeeperPath !== undefined ? dataSizeProblem(format, zookeeperPath, data) : null;
  if (tooBig !== null) fail(dataRaw!.line, `zookeeper_data ${tooBig}`, 'zookeeper_data');

  const rise = count(read('rise'), 'rise', fail);
  const fall = count(read('fall'), 'fall', fail);

  if (!ok || refresh === undefined || port === undefined || zookeeperPath === undefined) return null;
  return {
    name,
    cmd: cmd?.value ?? null,
    http: httpRaw?.value ?? null,
    tcp,
    ...(options.httpOptions === undefined ? {} : { httpOptions: options.httpOptions }),
    ...(options.tcpOptions === undefined ? {} : { tcpOptions: options.tcpOptions }),
    ...(options.grpc === null ? {} : { grpc: options.grpc }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    refresh,
    timeout: timeout ?? defaultTimeout(refresh),
    servicePort: port,
    serviceHostname: hostRaw?.value ?? null,
    zookeeperPath,
    zookeeperData: data,
    ...(format.kind === 'zk_watcher' ? {} : { format }),
    rise,
    fall,
    source: { file, line: section.line, ...(options.tlsCaLine === undefined ? {} : { tlsCaLine: options.tlsCaLine }) },
  };
}

type Fail = (line: number, message: string, key: string) => void;

function seconds(raw: { value: string; line: number }, key: string, fail: Fail): number | undefined {
  const n = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(raw.value) ? Number(raw.value) : NaN;
  if (!(n > 0) || n > MAX_SECONDS) {
    fail(raw.line, `${key} must be a positive number of seconds (at most ${MAX_SECONDS}), got '${raw.value}'`, key);
    return undefined;
  }
  return n;
}

function count(raw: { value: string; line: number } | undefined, key: string, fail: Fail): number {
  if (raw === undefined) return 1;
  const n = /^[0-9]{1,4}$/.test(raw.value) ? Number(raw.value) : NaN;
  if (!(n >= 1 && n <= 1000)) {
    fail(raw.line, `${key} must be a whole number from 1 to 1000, got '${raw.value}'`, key);
    return 1;
  }
  return n;
}

/**
 * zk_watcher's _parse_data: JSON first, else `k=v, k=v` pairs. Unlike zk_watcher, keys
 * and values are trimmed, and a pair without exactly one '=' is an error rather than
 * silently dropped. Returns the data or what is wrong with it.
 */
export function parseZookeeperData(text: string): ZookeeperData | string {
  let json;
  try {
    json = parsePyJson(text);
  } catch (e) {
    if (!(e instanceof PyJsonError)) throw e;
  }
  let data: ZookeeperData;
  if (json !== undefined) {
    if (json.kind === 'object') data = { kind: 'object', value: json };
    else if (json.kind === 'str') data = { kind: 'string', value: json.value };
    else return `must be a JSON object or k=v pairs, got JSON ${json.kind === 'null' ? 'null' : `of type ${json.kind}`}`;
  } else if (text.trimStart().startsWith('{')) {
    return 'looks like JSON but is not valid JSON';
  } else {
    const entries: [string, { kind: 'str'; value: string }][] = [];
    for (const piece of text.split(',')) {
      if (piece.trim() === '') continue;
      const parts = piece.split('=');
      if (parts.length !== 2 || parts[0]!.trim() === '') {
        return `must be a JSON object or k=v pairs separated by commas; '${piece.trim()}' is not a k=v pair`;
      }
      const key = parts[0]!.trim();
      const at = entries.findIndex(([k]) => k === key);
      const entry: [string, { kind: 'str'; value: string }] = [key, { kind: 'str', value: parts[1]!.trim() }];
      if (at >= 0) entries[at] = entry;
      else entries.push(entry);
    }
    data = { kind: 'object', value: { kind: 'object', entries } satisfies PyJsonObject };
  }
  return data;
}

function warnUnknownKeys(file: string, doc: IniDocument, problems: Problem[]): void {
  const warn = (line: number, where: string, key: string, known: readonly string[]): void => {
    const guess = nearest(key, known);
    problems.push({
      file,
      line,
      key,
      severity: 'warning',
      message: `${where} unknown key '${key}' is ignored${guess === null ? '' : `; did you mean '${guess}'?`}`,
    });
  };
  for (const [key, entry] of doc.defaults) {
    if (!(SERVICE_KEYS as readonly string[]).includes(key)) warn(entry.line, '[DEFAULT]', key, SERVICE_KEYS);
  }
  for (const section of doc.sections) {
    const known: readonly string[] = section.name === 'auth' ? AUTH_KEYS : SERVICE_KEYS;
    for (const [key, entry] of section.entries) {
      if (!known.includes(key)) warn(entry.line, `[${section.name}]`, key, known);
    }
  }
}
