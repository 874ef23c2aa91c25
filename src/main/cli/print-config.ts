// --print-config: the parsed services as JSON, as an operator or a script reads them. Never a password.

import { checkOptionFields } from '../../shared/check-options-print.js';
import { formatTcpTarget, redactUrl } from '../../shared/check-target.js';
import { dumpPyJson, pyString } from '../../shared/pyjson.js';
import type { Config } from '../../shared/types.js';
import { formatOf } from '../../shared/formats/format.js';
import { registrationPath } from '../../shared/formats/index.js';

export function renderConfig(config: Config, hostname: string): string {
  const services = config.services.map((s) => {
    const host = s.serviceHostname ?? hostname;
    const data = s.zookeeperData.kind === 'object' ? s.zookeeperData.value : { kind: 'object' as const, entries: [['string_value', { kind: 'str' as const, value: s.zookeeperData.value }] as const] };
    // Only the check kinds the section set; an http URL's password is never shown.
    const checks: [string, string][] = [];
    if (s.cmd !== null) checks.push(['cmd', JSON.stringify(s.cmd)]);
    if (s.http !== null) checks.push(['http', JSON.stringify(redactUrl(s.http))]);
    if (s.tcp !== null) checks.push(['tcp', JSON.stringify(formatTcpTarget(s.tcp))]);
    checks.push(...checkOptionFields(s));
    const fields: [string, string][] = [
      ['name', JSON.stringify(s.name)],
      ...checks,
      ['refresh', JSON.stringify(s.refresh)],
      ['timeout', JSON.stringify(s.timeout)],
      ['service_port', JSON.stringify(s.servicePort)],
      ['service_hostname', JSON.stringify(host)],
      ['zookeeper_path', JSON.stringify(s.zookeeperPath)],
      // Raw, in the key order of the file (JSON.stringify of a JS object would reorder integer-like keys).
      ['zookeeper_data', dumpPyJson(data)],
      // The registry format, with the keys only it has; znode is named as that format names nodes.
      ...formatFields(s),
      ['znode', JSON.stringify(registrationPath(s, hostname))],
      ['rise', JSON.stringify(s.rise)],
      ['fall', JSON.stringify(s.fall)],
      ['source', JSON.stringify(`${s.source.file}:${s.source.line}`)],
    ];
    return `    {${fields.map(([k, v]) => `${pyString(k)}: ${v}`).join(', ')}}`;
  });
  const auth = config.auth === null ? 'null' : `{"user": ${JSON.stringify(config.auth.user)}}`;
  return `{\n  "services": [\n${services.join(',\n')}\n  ],\n  "auth": ${auth}\n}\n`;
}

function formatFields(s: Config['services'][number]): [string, string][] {
  const format = formatOf(s);
  const fields: [string, string][] = [['format', JSON.stringify(format.kind)]];
  if (format.kind === 'curator') fields.push(['ssl_port', JSON.stringify(format.sslPort)], ['uri_spec', JSON.stringify(format.uriSpec)]);
  return fields;
}
