// A problem found in the operator's input, and the one way it is printed.

export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  readonly key?: string;
  readonly severity: 'error' | 'warning';
}

/** FILE:LINE: message (key: KEY) — what an operator greps for and an editor jumps to. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  const prefix = p.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${prefix}${p.message}${p.key === undefined ? '' : ` (key: ${p.key})`}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
