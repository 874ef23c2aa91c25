// Keeping the [auth] password to ourselves: blotted out of any text a check produced,
// and a warning when the file that holds it is readable by every user. Pure.

import type { Problem } from './problems.js';
import type { SourceRef } from './types.js';

/** The warning for the file holding [auth] when its mode lets any user read it, or null. */
export function readablePasswordWarning(source: SourceRef, mode: number): Problem | null {
  if ((mode & 0o004) === 0) return null;
  const octal = (mode & 0o7777).toString(8).padStart(4, '0');
  return {
    file: source.file,
    line: source.line,
    severity: 'warning',
    key: 'password',
    message: `[auth] holds a password, yet the file is readable by every user on this host (mode ${octal}); run: chmod o-r ${source.file}`,
  };
}

/** Replace every occurrence of `secret` (when there is one) in free text a check produced. */
export function blot(text: string, secret: string | null): string {
  return secret === null || secret === '' ? text : text.split(secret).join('[redacted]');
}
