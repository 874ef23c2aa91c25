// A service's spec -> the CheckJob a worker runs: only what a check needs crosses the thread
// boundary, and the option fields only when the service has them (a plain check's job stays small).

import type { CheckJob, ServiceSpec } from './types.js';

export function checkJob(spec: ServiceSpec): CheckJob {
  return {
    service: spec.name,
    cmd: spec.cmd,
    http: spec.http,
    tcp: spec.tcp,
    ...(spec.httpOptions === undefined ? {} : { httpOptions: spec.httpOptions }),
    ...(spec.tcpOptions === undefined ? {} : { tcpOptions: spec.tcpOptions }),
    ...(spec.grpc == null ? {} : { grpc: spec.grpc }),
    ...(spec.tls === undefined ? {} : { tls: spec.tls }),
    timeoutMs: spec.timeout * 1000,
  };
}
