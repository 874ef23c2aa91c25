// A service's check-kind options as --print-config shows them: the keys that differ from
// the defaults, as JSON values, with credential headers and the request body hidden. Pure.

import { DEFAULT_HTTP_OPTIONS, formatStatusList, shownHeaderValue } from './check-options.js';
import { formatTcpTarget } from './check-target.js';
import type { ServiceSpec } from './types.js';

export function checkOptionFields(s: ServiceSpec): [string, string][] {
  const fields: [string, string][] = [];
  const put = (key: string, value: unknown): void => {
    fields.push([key, JSON.stringify(value)]);
  };
  const h = s.httpOptions;
  if (h !== undefined) {
    if (h.method !== DEFAULT_HTTP_OPTIONS.method) put('http_method', h.method);
    if (h.headers.length > 0) put('http_headers', h.headers.map(([n, v]) => `${n}: ${shownHeaderValue(n, v)}`));
    // A POST body may carry credentials (a login, a token): its size is enough to see it is there.
    if (h.body !== null) put('http_body', `<${Buffer.byteLength(h.body)} bytes>`);
    const status = formatStatusList(h.status);
    if (status !== formatStatusList(DEFAULT_HTTP_OPTIONS.status)) put('http_status', status);
    if (h.expect !== null) put('http_expect', h.expect);
    if (h.expectRegex !== null) put('http_expect_regex', h.expectRegex);
    if (h.followRedirects) put('http_follow_redirects', true);
  }
  const t = s.tcpOptions;
  if (t !== undefined) {
    if (t.send !== null) put('tcp_send', t.send);
    if (t.expect !== null) put('tcp_expect', t.expect);
    if (t.tls) put('tcp_tls', true);
  }
  if (s.grpc != null) {
    put('grpc', formatTcpTarget(s.grpc.target));
    put('grpc_service', s.grpc.service);
    if (s.grpc.tls) put('grpc_tls', true);
  }
  if (s.tls !== undefined) {
    if (s.tls.ca !== null) put('tls_ca', s.tls.ca);
    if (s.tls.serverName !== null) put('tls_server_name', s.tls.serverName);
    if (s.tls.skipVerify) put('tls_skip_verify', true);
  }
  return fields;
}
