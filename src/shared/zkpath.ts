// The rules ZooKeeper's PathUtils.validatePath applies, checked before we ever send a path.

/** The path kazoo's normpath made of it: empty segments (a trailing or doubled /) dropped; "/" stays "/". */
export function normalizeZookeeperPath(path: string): string {
  if (!path.startsWith('/')) return path;
  const kept = path.split('/').filter((s) => s !== '');
  return `/${kept.join('/')}`;
}

/** Why ZooKeeper would refuse this path as a parent for our nodes, or null when it is fine. */
export function zookeeperPathProblem(path: string): string | null {
  if (path === '') return 'is empty';
  if (!path.startsWith('/')) return 'must be absolute (start with /)';
  if (path === '/') return 'cannot be the root itself: name a path below /';
  if (path.endsWith('/')) return 'must not end with /';
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '')) return 'has an empty segment (//)';
  if (segments.some((s) => s === '.' || s === '..')) return 'has a . or .. segment';
  if (segments[0] === 'zookeeper') return 'is inside /zookeeper, which ZooKeeper reserves';
  const bad = invalidCharacter(path);
  return bad === null ? null : `has a character ZooKeeper refuses (${bad})`;
}

/** A character ZooKeeper refuses anywhere in a node name, described, or null. */
export function invalidCharacter(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || (c > 0 && c < 0x20) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || c >= 0xfff0) {
      return `U+${c.toString(16).toUpperCase().padStart(4, '0')} at position ${i + 1}`;
    }
  }
  return null;
}
