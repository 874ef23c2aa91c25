// Our client certificate (--zk-tls-cert) is close to its end: said at start and on SIGHUP, so
// a renewal that did not happen is seen days before ZooKeeper refuses every connection. Pure.

/** As the alert rule (packaging/prometheus): two weeks leaves time for a renewal cycle. */
export const CERT_EXPIRY_WARNING_DAYS = 14;

const DAY_MS = 86_400_000;

/** "3 days", "5 h", "40 min": how long is left, in the largest unit that is at least 1. */
export function timeLeft(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.floor(ms / DAY_MS)} days`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)} h`;
  return `${Math.max(0, Math.floor(ms / 60_000))} min`;
}

/**
 * The warning's words when the certificate `file` (named by its flag or variable, e.g.
 * "--zk-tls-cert /etc/zk/tls/agent.pem") stops being valid within `days` of `now`; null when not.
 */
export function certExpiryWarning(named: string, validTo: Date, now: Date, days = CERT_EXPIRY_WARNING_DAYS): string | null {
  const left = validTo.getTime() - now.getTime();
  if (left >= days * DAY_MS) return null;
  return `${named}: our client certificate for ZooKeeper expires on ${validTo.toISOString()} (in ${timeLeft(left)}): renew it and reload (SIGHUP); once it has expired, the servers refuse every connection`;
}
