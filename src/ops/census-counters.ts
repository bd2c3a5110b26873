/** Reads a counter of the registry as JSON rows `{ labels…, value }`, for the ops page's APIs. */
import type { Registry } from 'prom-client'

export type CounterRow = Record<string, string | number>

/** The non-zero series of the counter `name`, largest first; none when it is not registered. */
export async function counterValues (registry: Registry, name: string): Promise<CounterRow[]> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return []
  const { values } = await metric.get()
  return values
    .filter((v) => v.value !== 0)
    .map((v) => ({ ...(v.labels as Record<string, string | number>), value: v.value }))
    .sort((a, b) => (b.value as number) - (a.value as number))
}
