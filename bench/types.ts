// The shapes every scenario hands back to bench.ts: table rows with their targets.

/** A bound a value is judged against: `value op bound`, e.g. { op: '<', value: 3000 }. */
export interface Bound {
  readonly op: '<' | '<=' | '>' | '>=' | '=';
  readonly value: number;
}

export interface Row {
  readonly scenario: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** the target: a run that misses it is marked MISS */
  readonly target?: Bound;
  /** where we want to be */
  readonly goal?: Bound;
}

export const SCENARIOS = ['startup', 'flip', 'saturation', 'rest', 'footprint', 'storm', 'soak', 'fleet', 'fleet-sim', 'http-checks'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function meets(value: number, bound: Bound): boolean {
  switch (bound.op) {
    case '<':
      return value < bound.value;
    case '<=':
      return value <= bound.value;
    case '>':
      return value > bound.value;
    case '>=':
      return value >= bound.value;
    case '=':
      return value === bound.value;
  }
}
