// The agent's lifecycle as one explicit state machine (in the manner of Curator's
// PersistentNode): which states exist, which moves between them are allowed, and what
// each state permits. Every late event (a check result, a replacement timer, a maintenance
// poll, a confirmed registration) asks these functions before it acts; the registrar's
// watches and retries follow its own open/draining/closed state, which stop sets. Pure.
//
//            start()            parts up          stop()
//   idle ────────────▶ starting ────────▶ running ───────▶ stopping ──▶ stopped
//     │                   │               │   ▲               ▲
//     │                   │        reload │   │ applied        │
//     │                   │               ▼   │                │
//     │                   │             reloading ─────────────┤
//     └───────────────────┴────────────────────────────────────┘  (stop from anywhere)

export type LifecycleState = 'idle' | 'starting' | 'running' | 'reloading' | 'stopping' | 'stopped';

const MOVES: Readonly<Record<LifecycleState, readonly LifecycleState[]>> = {
  idle: ['starting', 'stopping'],
  starting: ['running', 'stopping'],
  running: ['reloading', 'stopping'],
  reloading: ['running', 'stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export function canMove(from: LifecycleState, to: LifecycleState): boolean {
  return MOVES[from].includes(to);
}

/** Whether check results, maintenance and replacements may still change which nodes should exist. */
export function mayChangeRegistrations(state: LifecycleState): boolean {
  return state === 'starting' || state === 'running' || state === 'reloading';
}

/** What a reload request does in each state: begin one, fold into the one under way, or nothing. */
export function reloadRequestEffect(state: LifecycleState): 'begin' | 'coalesce' | 'ignore' {
  if (state === 'running') return 'begin';
  if (state === 'reloading') return 'coalesce';
  return 'ignore';
}
