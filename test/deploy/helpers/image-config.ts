// examples/gateway.production.json loaded as the image loads it: from /etc/sne-gateway/gateway.json,
// so that the files it names relative to its folder are under /etc/sne-gateway/.
import { readFileSync } from 'node:fs'
import { FILE_OPTIONS, resolveConfig, type Env } from '../../../src/config/load.js'
import type { GatewayConfig } from '../../../src/config/schema.js'
import { PRODUCTION_EXAMPLE, PRODUCTION_EXAMPLE_ENV } from '../../config/helpers/production-example.js'

/** Where the image's configuration lives, and the folder its relative paths resolve against. */
export const IMAGE_ETC = '/etc/sne-gateway/'

export function loadAsInImage (env: Env = PRODUCTION_EXAMPLE_ENV): GatewayConfig {
  const raw = JSON.parse(readFileSync(PRODUCTION_EXAMPLE, 'utf8')) as unknown
  return resolveConfig(raw, { env, cwd: '/app', baseDir: IMAGE_ETC }).config
}

/** Every file option's value in `config` (the files it reads and writes, and spec.dir). */
export function fileOptionValues (config: GatewayConfig): string[] {
  const out: string[] = []
  const walk = (node: unknown, path: readonly string[]): void => {
    if (node === null || typeof node !== 'object') return
    const [head, ...rest] = path
    for (const key of head === '*' ? Object.keys(node) : [head!]) {
      const value = (node as Record<string, unknown>)[key]
      if (rest.length > 0) walk(value, rest)
      else if (typeof value === 'string') out.push(value)
    }
  }
  for (const path of FILE_OPTIONS) walk(config, path)
  return out
}
