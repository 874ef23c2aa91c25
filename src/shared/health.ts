// Rise/fall: how many consecutive results it takes to change a service's health.
// The only place this rule lives. Like Consul's StatusHandler, the first result
// after start applies at once; an opposite result resets the streak.

export interface Health {
  /** null until the first result. */
  readonly healthy: boolean | null;
  /** Consecutive results that disagree with `healthy`. */
  readonly streak: number;
}

export const UNKNOWN_HEALTH: Health = { healthy: null, streak: 0 };

export function nextHealth(prev: Health, passed: boolean, limits: { rise: number; fall: number }): Health {
  if (prev.healthy === null || prev.healthy === passed) return { healthy: passed, streak: 0 };
  const streak = prev.streak + 1;
  const needed = passed ? limits.rise : limits.fall;
  return streak >= needed ? { healthy: passed, streak: 0 } : { healthy: prev.healthy, streak };
}
