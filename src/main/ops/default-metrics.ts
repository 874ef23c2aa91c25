// Node's default process_* and nodejs_* metrics, as prom-client makes them, minus two kinds.
// Its event-loop lag: a 100 Hz sampler timer of its own (monitorEventLoopDelay) that wakes
// an idle agent a hundred times a second; zkwatcher_event_loop_delay_seconds measures the
// same without one (loop-delay.ts). Its nodejs_active_{handles,requests,resources}_total:
// gauges named like counters, which `promtool check metrics` rejects; the sum over `type` of
// nodejs_active_handles (and the others) is the same number.

import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';

const require = createRequire(import.meta.url);

/** prom-client's default metrics (lib/defaultMetrics.js), each a module that registers its families. */
const KEPT = ['processCpuTotal', 'processStartTime', 'osMemoryHeap', 'processOpenFileDescriptors', 'processMaxFileDescriptors', 'processHandles', 'processRequests', 'heapSizeAndUsed', 'heapSpacesSizeAndUsed', 'version', 'gc'] as const;
const GAUGES_NAMED_AS_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

type DefaultMetric = (registry: Registry, config: object) => void;

export function registerDefaultMetrics(registry: Registry): void {
  const names: string[] = [...KEPT];
  // As prom-client does: only where Node can list its active resources.
  if (typeof (process as { getActiveResourcesInfo?: unknown }).getActiveResourcesInfo === 'function') names.push('processResources');
  for (const name of names) (require(`prom-client/lib/metrics/${name}`) as DefaultMetric)(registry, {});
  for (const name of GAUGES_NAMED_AS_COUNTERS) registry.removeSingleMetric(name);
}
