/**
 * What a command that cannot start prints: one JSON line on stderr with the error's code and its
 * message (which names the option and the file or address at fault), in the shape of the log lines
 * (level 60: fatal), and the exit status 1. An error the gateway did not foresee keeps its stack,
 * still on that one line, under code `GW_INTERNAL`.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isGatewayError } from '../errors.js'

/** The exit status of a fatal start error (2 is a usage error, 0 a clean stop). */
export const FATAL_EXIT_CODE = 1

export function fatalLine (err: unknown, now: Date = new Date()): string {
  const base = { level: 60, time: now.toISOString(), service: 'sne-gateway' }
  if (isGatewayError(err)) return JSON.stringify({ ...base, code: err.code, msg: err.message })
  const error = err instanceof Error ? err : new Error(String(err))
  return JSON.stringify({ ...base, code: 'GW_INTERNAL', cause: (error as { code?: unknown }).code, msg: error.message, stack: error.stack })
}

/** The version of the package this file belongs to (package.json, found upwards from here). */
export function packageVersion (): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)), i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'sne-gateway' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // not here: one level up
    }
  }
  return 'unknown'
}
