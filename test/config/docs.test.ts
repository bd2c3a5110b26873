// docs/configuration.md documents every option of the schema and every environment variable,
// and documents nothing that does not exist.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { configSchema } from '../../src/config/schema.js'
import { CONFIG_FILE_VARIABLE, ENVIRONMENT_OVERRIDES, GLOBAL_OVERRIDES } from '../../src/config/env-overrides.js'

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')

interface Node { properties?: Record<string, Node>, additionalProperties?: Node | boolean, type?: string }

function optionPaths (node: Node, prefix: string): string[] {
  const out: string[] = []
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = prefix === '' ? key : `${prefix}.${key}`
    out.push(path, ...optionPaths(child, path))
  }
  if (typeof node.additionalProperties === 'object' && node.additionalProperties.properties !== undefined) {
    out.push(...optionPaths(node.additionalProperties, `${prefix}.<name>`))
  }
  return out
}

t.test('every option has its heading', async (t) => {
  const paths = optionPaths(configSchema as unknown as Node, '')
  t.ok(paths.length > 50)
  const headings = new Set([...doc.matchAll(/^### `([^`]+)`\s*$/gm)].map((m) => m[1]!))
  for (const path of paths) t.ok(headings.has(path), `### \`${path}\``)
  for (const heading of headings) t.ok(paths.includes(heading), `${heading} is an option`)
})

t.test('every environment variable is documented, with its option', async (t) => {
  for (const o of GLOBAL_OVERRIDES) t.match(doc, `| \`${o.variable}\` | \`${o.path.join('.')}\``, o.variable)
  for (const o of ENVIRONMENT_OVERRIDES) t.match(doc, `| \`SNE_GATEWAY_ENV_<NAME>_${o.suffix}\` | \`environments.<name>.${o.path.join('.')}\``, o.suffix)
  t.match(doc, `\`${CONFIG_FILE_VARIABLE}\``)
  const documented = new Set([...doc.matchAll(/`(SNE_GATEWAY_[A-Z_<>]+)`/g)].map((m) => m[1]!))
  const known = new Set([CONFIG_FILE_VARIABLE, ...GLOBAL_OVERRIDES.map((o) => o.variable), ...ENVIRONMENT_OVERRIDES.map((o) => `SNE_GATEWAY_ENV_<NAME>_${o.suffix}`)])
  for (const v of documented) {
    if (v.endsWith('_') || v === 'SNE_GATEWAY_ENV_<NAME>_<OPTION>') continue
    t.ok(known.has(v), `${v} exists`)
  }
})
