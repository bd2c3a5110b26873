/**
 * Whether the gateway as built can run without the ClientHello inspector, for the handshake
 * comparison. The configuration schema is the authority: a boolean `enabled` under a `census`
 * object (top level, or under `dataPlane` / `dataPlane.tls`) turns it off. Whether the inspector
 * is wired at all is read from the compiled entry points, for the report's note.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface InspectorSwitch {
  /** configuration to merge to turn the inspector off; undefined when there is no switch */
  off: Record<string, unknown> | undefined
  /** one line for the report */
  note: string
}

interface SchemaNode {
  type?: string
  properties?: Record<string, SchemaNode>
}

/** The configuration (path of objects) whose `census.enabled: false` turns the inspector off, if the schema has one. */
export function findCensusSwitch (schema: SchemaNode): string[] | undefined {
  const candidates = [['census'], ['dataPlane', 'census'], ['dataPlane', 'tls', 'census']]
  for (const path of candidates) {
    let node: SchemaNode | undefined = schema
    for (const key of path) node = node?.properties?.[key]
    if (node?.properties?.enabled?.type === 'boolean') return path
  }
  return undefined
}

/** `{ a: { b: { census: { enabled: false } } } }` from the path ['a', 'b', 'census']. */
export function disabledAt (path: readonly string[]): Record<string, unknown> {
  let value: Record<string, unknown> = { enabled: false }
  for (const key of [...path].reverse()) value = { [key]: value }
  return value
}

/** Reads the compiled gateway (dist/src) of the repository at `root`. */
export async function inspectorSwitch (root: string): Promise<InspectorSwitch> {
  const dist = join(root, 'dist', 'src')
  const { configSchema } = await import(pathToFileURL(join(dist, 'config', 'schema.js')).href) as { configSchema: SchemaNode }
  const path = findCensusSwitch(configSchema)
  const sources = await Promise.all(['cli/start.js', 'gateway.js'].map(async (f) => await readFile(join(dist, f), 'utf8').catch(() => '')))
  const wired = sources.some((s) => /buildTlsCensus|inspectConnection\s*:/.test(s))
  if (!wired) return { off: undefined, note: 'Handshakes: the gateway as started by `sne-gateway start` does not wire the ClientHello inspector yet, so its figures are without it; bench/handshake.ts measures node:tls with and without it.' }
  if (path === undefined) return { off: undefined, note: 'Handshakes: the configuration has no switch for the ClientHello inspector, so the gateway is measured with it only.' }
  return { off: disabledAt(path), note: `Handshakes: "gateway (inspector off)" sets \`${path.join('.')}.enabled: false\` in its configuration.` }
}
