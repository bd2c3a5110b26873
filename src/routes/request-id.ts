/**
 * Request ids. The gateway's id is always its own (a UUID): it keys the access line, the audit
 * record and the upstream call, and a client-chosen id could collide with another guichet's. The
 * client's `X-Request-Id`, if any, is kept beside it, bounded and reduced to a safe alphabet, so
 * that an editor's logs and ours still correlate.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/** The longest client id kept. */
export const CLIENT_ID_MAX = 128
const UNSAFE = /[^A-Za-z0-9._:-]/g

export function requestId (): string {
  return randomUUID()
}

/** The client's X-Request-Id, sanitized (characters outside `A-Za-z0-9._:-` become `_`) and bounded; undefined when absent or empty. */
export function clientRequestId (headers: IncomingHttpHeaders): string | undefined {
  const given = headers['x-request-id']
  const value = Array.isArray(given) ? given[0] : given
  if (value === undefined || value === '') return undefined
  return value.slice(0, CLIENT_ID_MAX).replace(UNSAFE, '_')
}
