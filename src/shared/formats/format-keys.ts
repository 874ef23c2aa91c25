// A section's `format` and the keys only some formats have (ssl_port, uri_spec), and what
// each format's readers need of zookeeper_data. Called by config.ts; pure.

import type { PyJson } from '../pyjson.js';
import { nearest } from '../suggest.js';
import type { ZookeeperData } from '../types.js';
import { parseUriSpec } from './curator.js';
import { userEntries } from './facts.js';
import { REGISTRY_FORMATS, ZK_WATCHER_FORMAT, type FormatSpec, type RegistryFormat } from './format.js';
import { nonFiniteIn } from './json.js';

export const FORMAT_KEYS = ['format', 'ssl_port', 'uri_spec'] as const;
/** The names of the ServerSet Endpoint Status enum (Twitter commons / Aurora endpoint.thrift), the only ones readers decode. */
const SERVERSET_STATUSES = ['DEAD', 'STARTING', 'ALIVE', 'STOPPING', 'STOPPED', 'WARNING'] as const;
/** Keys that mean something for one format only. */
const CURATOR_ONLY = ['ssl_port', 'uri_spec'] as const;

export interface FormatKeyReader {
  /** The key's interpolated value and line, or undefined (absent, or already reported as broken). */
  read(key: string): { value: string; line: number } | undefined;
  /** Set in the section itself, not inherited from [DEFAULT]. */
  own(key: string): boolean;
  /** The section's parsed zookeeper_data and its line, when it has one that parsed. */
  readonly data: { readonly value: ZookeeperData; readonly line: number } | null;
  fail(line: number, message: string, key: string): void;
}

/** The section's FormatSpec; every problem goes to `fail` (the spec returned then does not matter). */
export function readFormatKeys(r: FormatKeyReader): FormatSpec {
  const raw = r.read('format');
  let kind: RegistryFormat = 'zk_watcher';
  if (raw !== undefined) {
    if ((REGISTRY_FORMATS as readonly string[]).includes(raw.value)) kind = raw.value as RegistryFormat;
    else {
      const guess = nearest(raw.value, REGISTRY_FORMATS);
      r.fail(raw.line, `format '${raw.value}' is not one of ${REGISTRY_FORMATS.join(', ')}${guess === null ? '' : `; did you mean '${guess}'?`}`, 'format');
      return ZK_WATCHER_FORMAT;
    }
  }
  if (kind !== 'curator') {
    // A [DEFAULT] value is for the sections that use it: configparser gives a section no way to unset one.
    for (const key of CURATOR_ONLY) {
      const v = r.own(key) ? r.read(key) : undefined;
      if (v !== undefined) r.fail(v.line, `${key} is only read with format = curator, and this section's format is ${kind}`, key);
    }
  }
  if (r.data !== null && kind !== 'zk_watcher') {
    const bad = dataProblem(kind, r.data.value);
    if (bad !== null) r.fail(r.data.line, `zookeeper_data ${bad}`, 'zookeeper_data');
  }
  switch (kind) {
    case 'zk_watcher':
      return ZK_WATCHER_FORMAT;
    case 'nerve':
    case 'serverset':
      return { kind };
    case 'curator':
      return { kind, sslPort: readSslPort(r), uriSpec: readUriSpec(r) };
  }
}

function readSslPort(r: FormatKeyReader): number | null {
  const v = r.read('ssl_port');
  if (v === undefined) return null;
  const port = /^[0-9]{1,5}$/.test(v.value) ? Number(v.value) : NaN;
  if (port >= 1 && port <= 65535) return port;
  r.fail(v.line, `ssl_port must be a whole number from 1 to 65535, got '${v.value}'`, 'ssl_port');
  return null;
}

function readUriSpec(r: FormatKeyReader): string | null {
  const v = r.read('uri_spec');
  if (v === undefined) return null;
  const parts = v.value.trim() === '' ? 'is empty' : parseUriSpec(v.value);
  if (typeof parts !== 'string') return v.value;
  r.fail(v.line, `uri_spec '${v.value}' ${parts} (a Curator UriSpec such as {scheme}://{address}:{port}/)`, 'uri_spec');
  return null;
}

/** What a format's readers would choke on in zookeeper_data, or null. */
function dataProblem(kind: Exclude<RegistryFormat, 'zk_watcher'>, data: ZookeeperData): string | null {
  const entries = userEntries(data);
  for (const [key, value] of entries) {
    const bad = nonFiniteIn(value);
    if (bad !== null) return `has ${bad} in '${key}', which the ${kind} format's readers (strict JSON) refuse`;
  }
  const get = (key: string): PyJson | undefined => entries.find(([k]) => k === key)?.[1];
  if (kind === 'curator') {
    return get('@class') === undefined ? null : "cannot set '@class': Curator's payload names its own class there";
  }
  if (kind === 'nerve') {
    // Synapse puts host and port into HAProxy's server line: one HAProxy cannot read breaks the consumers' whole config.
    const host = get('host');
    if (host !== undefined && !(host.kind === 'str' && host.value.trim() !== '')) return "'host' must be a host name or address, as Nerve writes it";
    const port = get('port');
    if (port !== undefined && !(port.kind === 'int' && /^[0-9]{1,5}$/.test(port.digits) && Number(port.digits) >= 1 && Number(port.digits) <= 65535)) return "'port' must be a whole number from 1 to 65535, as Nerve writes it";
    const weight = get('weight');
    if (weight !== undefined && !(weight.kind === 'int' && !weight.digits.startsWith('-'))) return "'weight' must be a whole number of 0 or more, as Nerve writes it";
    const labels = get('labels');
    if (labels !== undefined && labels.kind !== 'object') return "'labels' must be a JSON object";
    const options = get('haproxy_server_options');
    if (options !== undefined && options.kind !== 'str') return "'haproxy_server_options' must be a string";
    return null;
  }
  const shard = get('shard');
  if (shard !== undefined && shard.kind !== 'int') return "'shard' must be a whole number";
  const status = get('status');
  if (status !== undefined && !(status.kind === 'str' && (SERVERSET_STATUSES as readonly string[]).includes(status.value))) {
    return `'status' must be one of ${SERVERSET_STATUSES.join(', ')} (Finagle's Endpoint Status), got ${status.kind === 'str' ? `'${status.value}'` : `a JSON ${status.kind}`}`;
  }
  const service = get('serviceEndpoint');
  if (service !== undefined && !isEndpoint(service)) return `'serviceEndpoint' must be {"host": "...", "port": N}`;
  const additional = get('additionalEndpoints');
  if (additional !== undefined) {
    if (additional.kind !== 'object') return `'additionalEndpoints' must be a JSON object of name: {"host": "...", "port": N}`;
    const wrong = additional.entries.find(([, e]) => !isEndpoint(e));
    if (wrong !== undefined) return `'additionalEndpoints' entry '${wrong[0]}' must be {"host": "...", "port": N}`;
  }
  return null;
}

/** {"host": string, "port": whole number}: the one endpoint shape Finagle reads (anything else is skipped). */
function isEndpoint(v: PyJson): boolean {
  if (v.kind !== 'object') return false;
  const host = v.entries.find(([k]) => k === 'host')?.[1];
  const port = v.entries.find(([k]) => k === 'port')?.[1];
  return host?.kind === 'str' && port?.kind === 'int';
}
