/**
 * What the OpenAPI document needs from disk, read once at start: the package version (its
 * `info.version`) and the example documents of `examples/documents/` (its examples).
 */
import { existsSync, readFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JsonContract } from '../contract/json-contract.js'
import type { XmlLimits } from '../soap/types.js'
import { restExamples, type RestExamples } from './openapi-examples.js'
import { datedExample } from '../contract/dated-examples.js'

/** The package's root: the nearest folder above this module with a package.json and examples/. */
function packageRoot (): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (let dir = here, i = 0; i < 5; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples'))) return dir
  }
  return join(here, '..', '..')
}

/** The repository's `examples/documents/` folder (`src/rest/` or `dist/src/rest/` alike). */
export function defaultExamplesDir (): string {
  return join(packageRoot(), 'examples', 'documents')
}

/** The gateway's version, from its package.json. */
export function packageVersion (): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0'
}

export interface RestOpenApiSources {
  version: string
  examples: RestExamples
}

/**
 * Reads the version and the `*.xml` example documents of `dir`, and makes the examples, dated for
 * `now` (default: today): the documents' own dates are fixed (2025), and a demande created from
 * an example must be live on the day it is read (`contract/dated-examples.ts`).
 */
export async function loadRestOpenApiSources (contract: JsonContract, options: { examplesDir?: string, xmlLimits?: Partial<XmlLimits>, now?: Date } = {}): Promise<RestOpenApiSources> {
  const dir = options.examplesDir ?? defaultExamplesDir()
  const now = options.now ?? new Date()
  const documents = new Map<string, Buffer>()
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.xml'))) documents.set(name, datedExample(await readFile(join(dir, name)), now))
  return { version: packageVersion(), examples: restExamples(contract, documents, options.xmlLimits) }
}
