/**
 * `GET /ops/audit?since=…&limit=…`: the audit records (calls whose outcome is unknown, answers not
 * delivered, idempotency resends) since a date-time, oldest first — every instance's when the
 * shared store is configured, this instance's audit file otherwise. Records carry identifiers only
 * (request ids, environment, operation, identity, body hash, file name, numéro unique), never a
 * body or personal data (`observability/audit.ts`).
 */
import type { FastifyInstance } from 'fastify'
import { readFile } from 'node:fs/promises'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/
const MAX_LIMIT = 10000
/** The local file is read whole: audit records are rare, but a runaway file is not read past this. */
const MAX_FILE_BYTES = 64 << 20

export type AuditSource = (since: string, limit: number) => Promise<Array<Record<string, unknown>>>

/** The records of a local audit file since `since`. */
export function fileAuditSource (file: string | undefined): AuditSource {
  return async (since, limit) => {
    if (file === undefined) return []
    let text: string
    try {
      const buffer = await readFile(file)
      text = buffer.subarray(Math.max(0, buffer.length - MAX_FILE_BYTES)).toString('utf8')
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return []
      throw err
    }
    const from = Date.parse(since)
    const records: Array<Record<string, unknown>> = []
    for (const line of text.split('\n')) {
      if (line === '') continue
      try {
        const record = JSON.parse(line) as Record<string, unknown>
        if (Date.parse(String(record.time)) >= from) records.push(record)
      } catch {
        // a torn line: skipped
      }
    }
    return records.slice(0, limit)
  }
}

export function auditRoute (source: AuditSource, shared: boolean) {
  return async function audit (app: FastifyInstance): Promise<void> {
    app.get('/ops/audit', async (request, reply) => {
      const query = request.query as { since?: unknown, limit?: unknown }
      const since = typeof query.since === 'string' ? query.since : ''
      if (!RFC3339.test(since)) {
        return await reply.code(400).send({ error: 'since is required: an RFC 3339 date-time with its offset (a + percent-encoded as %2B)' })
      }
      const limit = query.limit === undefined ? 1000 : Number(query.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return await reply.code(400).send({ error: `limit is an integer from 1 to ${MAX_LIMIT}` })
      try {
        const records = await source(since, limit)
        return { scope: shared ? 'all instances (shared store)' : 'this instance', records }
      } catch (err) {
        request.log.warn({ code: (err as { code?: string }).code }, 'audit records could not be read')
        return await reply.code(503).header('retry-after', '5').send({ error: 'the audit records cannot be read now' })
      }
    })
  }
}
