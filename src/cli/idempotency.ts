/**
 * `sne-gateway idempotency [--config FILE | --file STORE] [--limit N]`: lists, oldest first, the
 * REST writes whose outcome is unknown — records in state `unknown`, or `sent` by a gateway that
 * stopped before their answer — for ops to reconcile with the editors: one JSON line each, with
 * the client identity, the environment, the Idempotency-Key, the route, the acting guichet, when
 * it was recorded and last sent, and how many attempts were sent. Never a demandeur's field.
 * With a configuration whose `store.url` is set, the shared PostgreSQL store is read instead.
 * Exits 0 (even with none listed), 1 when the store cannot be read, 2 on usage errors.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { cwd as processCwd, env as processEnv, stderr as processStderr, stdout as processStdout } from 'node:process'
import { CONFIG_FILE_VARIABLE } from '../config/env-overrides.js'
import { loadConfig } from '../config/load.js'
import { configSchema } from '../config/schema.js'
import { openSqliteIdempotencyStore } from '../idempotency/sqlite-store.js'
import type { IdempotencyStore } from '../idempotency/store.js'
import { openSharedStore, type SharedStoreConfig } from '../store/postgres.js'
import { pino } from 'pino'
import { scanArgs } from './args.js'

const USAGE = `usage: sne-gateway idempotency [--config FILE | --file STORE] [--limit N]

Lists the REST writes whose outcome is unknown (one JSON line each, oldest first).

  --config FILE   the gateway's configuration: its store.url, else its idempotency.file
                  (default: $${CONFIG_FILE_VARIABLE})
  --file STORE    the store file itself (default: ${configSchema.properties.idempotency.properties.file.default})
  --limit N       at most N lines (default 1000)
`.replace('$$', '$')

const iso = (ms: number | undefined): string | undefined => ms === undefined ? undefined : new Date(ms).toISOString()

interface Io {
  stdout: { write: (s: string) => unknown }
  stderr: { write: (s: string) => unknown }
  cwd?: string
}

export default async function idempotency (args: string[], io: Io = { stdout: processStdout, stderr: processStderr }): Promise<number> {
  const { stdout, stderr } = io
  const scanned = scanArgs(args, ['--config', '--file', '--limit'])
  if (typeof scanned === 'string' || scanned.positionals.length > 0 || (scanned.values.has('--config') && scanned.values.has('--file'))) {
    stderr.write(`sne-gateway idempotency: ${typeof scanned === 'string' ? scanned : 'give --config or --file, and no other argument'}\n\n${USAGE}`)
    return 2
  }
  if (scanned.help) {
    stderr.write(USAGE)
    return 0
  }
  const limit = Number(scanned.values.get('--limit') ?? '1000')
  if (!Number.isInteger(limit) || limit < 1) {
    stderr.write(`sne-gateway idempotency: --limit takes a positive integer\n\n${USAGE}`)
    return 2
  }
  const cwd = io.cwd ?? processCwd()
  let file = scanned.values.get('--file')
  const config = scanned.values.get('--config') ?? (file === undefined ? processEnv[CONFIG_FILE_VARIABLE] : undefined)
  let store: IdempotencyStore
  const loaded = config !== undefined && config !== '' ? (await loadConfig(config, { env: processEnv, cwd })).config : undefined
  const { url, ...storeOptions } = loaded?.store ?? {}
  if (loaded !== undefined && url !== undefined) {
    // The validated configuration has every default; one connection is enough to list.
    const shared = await openSharedStore({ ...storeOptions as Omit<SharedStoreConfig, 'url'>, url, poolSize: 1 }, pino({ level: 'silent' }))
    store = { ...shared.idempotency, close: shared.close }
  } else {
    if (loaded !== undefined) file = loaded.idempotency.file
    const path = resolve(cwd, file ?? configSchema.properties.idempotency.properties.file.default)
    // Listing never creates a store.
    if (!existsSync(path)) {
      stderr.write(`sne-gateway idempotency: no idempotency store at ${path}\n`)
      return 1
    }
    store = openSqliteIdempotencyStore(path)
  }
  try {
    for (const r of await store.unknownOutcomes(Date.now(), limit)) {
      stdout.write(JSON.stringify({
        identity: r.scope.identity,
        env: r.scope.env,
        idempotencyKey: r.scope.key,
        route: r.route,
        guichet: r.guichet,
        state: r.state,
        createdAt: iso(r.createdAt),
        sentAt: iso(r.sentAt),
        attempts: r.attempts
      }) + '\n')
    }
  } finally {
    await store.close()
  }
  return 0
}
