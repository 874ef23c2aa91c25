// The config the systemd test installs as /etc/zk/config.cfg: a few services whose checks
// always pass, one whose check always fails, and the nodes ZooKeeper should hold for them.

export interface ServiceSpec {
  readonly name: string;
  readonly cmd: string;
  readonly port: number;
  readonly healthy: boolean;
}

export const ZK_ROOT = '/zkw-systemd';
export const HOSTNAME = 'zkw-systemd-test.example';

export const SERVICES: readonly ServiceSpec[] = [
  { name: 'web', cmd: 'true', port: 8080, healthy: true },
  { name: 'ssh', cmd: 'test -d /', port: 22, healthy: true },
  { name: 'api', cmd: 'exit 0', port: 9000, healthy: true },
  { name: 'broken', cmd: 'exit 3', port: 7000, healthy: false },
];

export const pathOf = (s: ServiceSpec): string => `${ZK_ROOT}/${s.name}`;
export const nodeOf = (s: ServiceSpec): string => `${pathOf(s)}/${HOSTNAME}:${s.port}`;
export const HEALTHY_NODES: readonly string[] = SERVICES.filter((s) => s.healthy).map(nodeOf);
export const UNHEALTHY_NODES: readonly string[] = SERVICES.filter((s) => !s.healthy).map(nodeOf);

function section(s: ServiceSpec, refresh: string): string[] {
  return [`[${s.name}]`, `cmd: ${s.cmd}`, `refresh: ${refresh}`, `service_port: ${s.port}`, `service_hostname: ${HOSTNAME}`, `zookeeper_path: ${pathOf(s)}`, ''];
}

/** The good config: a short refresh, so a change of health shows within a second. */
export function goodConfig(): string {
  return ['# zk-watcher systemd test', ...SERVICES.flatMap((s) => section(s, '1'))].join('\n');
}

/** The good config with `refresh: soon` in its second section, and the 1-based line of that key. */
export function brokenConfig(): { text: string; line: number } {
  const lines = ['# zk-watcher systemd test, broken on purpose', ...SERVICES.flatMap((s, i) => section(s, i === 1 ? 'soon' : '1'))];
  return { text: lines.join('\n'), line: lines.indexOf('refresh: soon') + 1 };
}
