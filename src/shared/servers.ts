// The --server connect string: host:port[,host:port...][/chroot], checked before the
// ZooKeeper client sees it (it asserts, and shuffles, and would crash on a bad one).

import { zookeeperPathProblem } from './zkpath.js';

export function connectStringProblem(servers: string): string | null {
  const slash = servers.indexOf('/');
  const hosts = slash === -1 ? servers : servers.slice(0, slash);
  const chroot = slash === -1 ? '' : servers.slice(slash);
  if (chroot !== '' && chroot !== '/') {
    const bad = zookeeperPathProblem(chroot);
    if (bad !== null) return `the chroot ${bad}`;
  }
  const list = hosts.split(',');
  if (list.every((h) => h.trim() === '')) return 'names no server (expected host:port[,host:port...][/chroot])';
  for (const item of list) {
    if (item.trim() === '') continue;
    const [host, port, extra] = item.trim().split(':');
    if (host === '' || extra !== undefined) return `'${item}' is not host:port`;
    if (port !== undefined && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return `'${item}' has a port outside 1-65535`;
  }
  return null;
}

/** The hosts part and the chroot (null when there is none, or it is just "/"), as the client library splits them. */
export function splitConnectString(servers: string): { servers: string; chroot: string | null } {
  const slash = servers.indexOf('/');
  if (slash === -1) return { servers, chroot: null };
  const chroot = servers.slice(slash);
  return { servers: servers.slice(0, slash), chroot: chroot === '/' ? null : chroot };
}
