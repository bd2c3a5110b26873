/**
 * What a reload (SIGHUP) may change in a running gateway: the TLS material (certificates, keys,
 * passphrases, the client CA and its CRL, the ticket keys), the upstream credentials and the
 * guichet mapping; the content of the files they name (and of `ops.tokenFile`, whose path stays)
 * is read anew. Every other option (addresses, ports, timeouts, environments, upstream URLs,
 * validation modes, log level…) is fixed at start: a reloaded configuration that changes one is
 * refused whole — applying half of it would leave a configuration nobody wrote.
 */
import type { GatewayConfig } from './schema.js'

/** JSON pointers of the reloadable options; `*` matches any one key. */
export const RELOADABLE = [
  '/dataPlane/tls/cert',
  '/dataPlane/tls/key',
  '/dataPlane/tls/passphrase',
  '/dataPlane/tls/passphraseFile',
  '/dataPlane/tls/clientCa',
  '/dataPlane/tls/clientCrl',
  '/dataPlane/tls/ticketKeys',
  '/environments/*/upstream/ca',
  '/environments/*/upstream/cert',
  '/environments/*/upstream/key',
  '/environments/*/upstream/passphrase',
  '/environments/*/upstream/passphraseFile',
  '/environments/*/upstream/credentials',
  '/environments/*/guichets'
] as const

/**
 * Reloadable options that a reload may change but neither add nor remove: Node's
 * `setSecureContext` keeps the CA, CRL and ticket keys it had when the new options omit them.
 */
export const PRESENCE_FIXED = ['clientCa', 'clientCrl', 'ticketKeys'] as const

const patterns = RELOADABLE.map((p) => p.split('/').slice(1))

function reloadable (path: readonly string[]): boolean {
  return patterns.some((p) => p.length === path.length && p.every((part, i) => part === '*' || part === path[i]))
}

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1')

/**
 * The JSON pointers of the options that differ between `running` and `next` and that a reload
 * cannot apply; empty when the reload may go ahead. Key order never matters.
 */
export function restartOnlyChanges (running: GatewayConfig, next: GatewayConfig): string[] {
  const out: string[] = []
  const walk = (a: unknown, b: unknown, path: string[]): void => {
    if (reloadable(path)) return
    const objects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)
    if (!objects) {
      if (a !== b) out.push(path.length === 0 ? '/' : '/' + path.map(escape).join('/'))
      return
    }
    if (Array.isArray(a)) {
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push('/' + path.map(escape).join('/'))
      return
    }
    const ra = a as Record<string, unknown>
    const rb = b as Record<string, unknown>
    for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) walk(ra[key], rb[key], [...path, key])
  }
  walk(running, next, [])
  for (const option of PRESENCE_FIXED) {
    if ((running.dataPlane.tls[option] === undefined) !== (next.dataPlane.tls[option] === undefined)) out.push(`/dataPlane/tls/${option}`)
  }
  return out
}
