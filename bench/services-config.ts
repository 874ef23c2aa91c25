// Generated INI files: N services in zk_watcher's format, as an operator would write them. Pure.

export interface ServiceTemplate {
  /** the check command for service i (configparser text: a literal % is written %%) */
  readonly cmd: (i: number) => string;
  readonly refresh: (i: number) => number;
  /** zookeeper_path of service i */
  readonly path: (i: number) => string;
  readonly port: (i: number) => number;
  readonly hostname: string;
}

export function servicesConfig(n: number, t: ServiceTemplate): string {
  const sections: string[] = [];
  for (let i = 0; i < n; i++) {
    sections.push(
      `[s${i}]\ncmd: ${t.cmd(i)}\nrefresh: ${t.refresh(i)}\nservice_port: ${t.port(i)}\nservice_hostname: ${t.hostname}\nzookeeper_path: ${t.path(i)}\n`,
    );
  }
  return sections.join('\n');
}

/** configparser interpolation: a literal % in a value is written %%. */
export function escapePercent(cmd: string): string {
  return cmd.replaceAll('%', '%%');
}
