// TLS to ZooKeeper and the ACL of our nodes, from the command line (--zk-tls ...) or the
// Docker variables (ZK_TLS_* with --from-env). Pure: the file names and choices, checked for
// shape; reading and checking the files themselves is main/zk/zk-tls-files.ts.

export const ZK_ACL_MODES = ['auto', 'open'] as const;
/** auto: digest with [auth], else x509 with a client certificate, else open; open: world:anyone ALL. */
export type ZkAclMode = (typeof ZK_ACL_MODES)[number];

/** Which file setting: named in messages by its flag or its variable. */
export type ZkTlsFileSetting = 'ca' | 'cert' | 'key';

export interface ZkTlsSettings {
  /** PEM CA bundle the servers' certificates must chain to; null: Node's built-in CAs. */
  readonly caFile: string | null;
  /** The client certificate (PEM) and its unencrypted key (PEM); both or neither. */
  readonly certFile: string | null;
  readonly keyFile: string | null;
  /** Check the server certificate names the host of the connect string. */
  readonly verifyHostname: boolean;
  /** How a setting is named to the operator: the flags', or the variables' (--from-env). */
  readonly namedBy: 'flags' | 'env';
}

export const TLS_FLAG_NAMES: Readonly<Record<ZkTlsFileSetting, string>> = { ca: '--zk-tls-ca', cert: '--zk-tls-cert', key: '--zk-tls-key' };
export const TLS_VARIABLE_NAMES: Readonly<Record<ZkTlsFileSetting, string>> = { ca: 'ZK_TLS_CA', cert: 'ZK_TLS_CERT', key: 'ZK_TLS_KEY' };

/** "--zk-tls-ca" or "ZK_TLS_CA": how the operator set it. */
export function tlsSettingName(settings: ZkTlsSettings, which: ZkTlsFileSetting): string {
  return (settings.namedBy === 'flags' ? TLS_FLAG_NAMES : TLS_VARIABLE_NAMES)[which];
}

/** The TLS flags as parseArgs gives them. */
export interface ZkTlsFlagValues {
  readonly 'zk-tls'?: boolean | undefined;
  readonly 'zk-tls-ca'?: string | undefined;
  readonly 'zk-tls-cert'?: string | undefined;
  readonly 'zk-tls-key'?: string | undefined;
  readonly 'zk-tls-no-verify-hostname'?: boolean | undefined;
  readonly 'zk-acl'?: string | undefined;
}

export type ZkTlsParsed = { readonly tls: ZkTlsSettings | null; readonly acl: ZkAclMode } | { readonly error: string };

/** The flags -> settings (null: plain TCP); any --zk-tls-* flag implies --zk-tls. */
export function zkTlsFromFlags(v: ZkTlsFlagValues): ZkTlsParsed {
  const acl = v['zk-acl'] ?? 'auto';
  if (!isAclMode(acl)) return { error: `--zk-acl must be ${ZK_ACL_MODES.join(' or ')}, got '${acl}'` };
  const files = { ca: v['zk-tls-ca'], cert: v['zk-tls-cert'], key: v['zk-tls-key'] };
  for (const which of ['ca', 'cert', 'key'] as const) {
    if (files[which] === '') return { error: `${TLS_FLAG_NAMES[which]} is empty` };
  }
  if ((files.cert === undefined) !== (files.key === undefined)) return { error: '--zk-tls-cert and --zk-tls-key go together (the client certificate and its key)' };
  const on = v['zk-tls'] === true || Object.values(files).some((f) => f !== undefined) || v['zk-tls-no-verify-hostname'] === true;
  if (!on) return { tls: null, acl };
  return { tls: { caFile: files.ca ?? null, certFile: files.cert ?? null, keyFile: files.key ?? null, verifyHostname: v['zk-tls-no-verify-hostname'] !== true, namedBy: 'flags' }, acl };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * ZK_TLS (true/false), ZK_TLS_CA, ZK_TLS_CERT, ZK_TLS_KEY, ZK_TLS_VERIFY_HOSTNAME (true/false)
 * and ZK_ACL (auto/open): the same settings as the flags. Empty counts as unset, as the image's other variables.
 */
/** tls and acl undefined where nothing is set: the command line's stand; tls null for ZK_TLS=false, which turns off TLS flags too. */
export function zkTlsFromEnv(env: Env, bad: (variable: string, message: string) => void): { tls: ZkTlsSettings | null | undefined; acl: ZkAclMode | undefined } {
  const get = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const bool = (name: string): boolean | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    if (/^(true|yes|on|1)$/i.test(raw)) return true;
    if (/^(false|no|off|0)$/i.test(raw)) return false;
    bad(name, `must be true or false, got '${raw}'`);
    return undefined;
  };
  let acl: ZkAclMode | undefined;
  const rawAcl = get('ZK_ACL');
  if (rawAcl !== undefined) {
    if (isAclMode(rawAcl)) acl = rawAcl;
    else bad('ZK_ACL', `must be ${ZK_ACL_MODES.join(' or ')}, got '${rawAcl}'`);
  }
  const enabled = bool('ZK_TLS');
  const verify = bool('ZK_TLS_VERIFY_HOSTNAME');
  const files = { ca: get('ZK_TLS_CA'), cert: get('ZK_TLS_CERT'), key: get('ZK_TLS_KEY') };
  if ((files.cert === undefined) !== (files.key === undefined)) bad(files.cert === undefined ? 'ZK_TLS_CERT' : 'ZK_TLS_KEY', 'ZK_TLS_CERT and ZK_TLS_KEY go together (the client certificate and its key)');
  const implied = Object.values(files).some((f) => f !== undefined) || verify === false;
  if (enabled === false && implied) bad('ZK_TLS', 'is false, but ZK_TLS_CA, ZK_TLS_CERT, ZK_TLS_KEY or ZK_TLS_VERIFY_HOSTNAME are set');
  // An explicit false wins over the command line's TLS flags, as every other variable does over its flag.
  if (enabled === false) return { tls: null, acl };
  if (enabled !== true && !implied) return { tls: undefined, acl };
  return { tls: { caFile: files.ca ?? null, certFile: files.cert ?? null, keyFile: files.key ?? null, verifyHostname: verify !== false, namedBy: 'env' }, acl };
}

function isAclMode(value: string): value is ZkAclMode {
  return (ZK_ACL_MODES as readonly string[]).includes(value);
}
