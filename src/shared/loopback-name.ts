// A node named after the loopback interface (localhost, 127.0.0.1, ::1) is registered and
// looks healthy, yet tells every other host to connect to itself. Pure: names in, words out.

import type { ServiceSpec } from './types.js';

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'localhost4', 'localhost4.localdomain4', 'localhost6', 'localhost6.localdomain6', 'ip6-localhost', 'ip6-loopback']);

/** Whether a node's host part means "this host" wherever it is read. */
export function isLoopbackName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(name)) return true;
  return name === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(name) || name === '[::1]';
}

/** What `service_hostname: VALUE` is told when it names loopback (a warning; null when it does not). */
export function loopbackHostnameProblem(section: string, value: string): string | null {
  if (!isLoopbackName(value)) return null;
  return `[${section}] service_hostname '${value}' names the loopback interface: every other host that reads the node connects to itself`;
}

/**
 * The start-up warning when this host's own name (what a section without service_hostname
 * registers) is a loopback name, as socket.getfqdn() gives on a host with no fully
 * qualified name; null when there is nothing to say.
 */
export function loopbackHostNote(hostname: string, services: readonly Pick<ServiceSpec, 'serviceHostname'>[]): string | null {
  const affected = services.filter((s) => s.serviceHostname === null).length;
  if (affected === 0 || !isLoopbackName(hostname)) return null;
  const which = affected === 1 ? '1 service without service_hostname registers' : `${affected} services without service_hostname register`;
  return `this host's name is '${hostname}' (it has no fully qualified name): ${which} as ${hostname}:PORT, which other hosts cannot reach; give the host a name (hostname -f should print it) or set service_hostname`;
}
