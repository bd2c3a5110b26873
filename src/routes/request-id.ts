/**
 * Request ids: the client's `X-Request-Id` when it is a plain token (so that an editor's logs and
 * ours correlate), a fresh UUID otherwise. The id is echoed in the answer and forwarded upstream.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

export function requestId (request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID()
}
