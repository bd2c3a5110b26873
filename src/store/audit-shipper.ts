/**
 * The audit records of every instance, in the shared store: each record is appended to the
 * instance's audit file first (`observability/audit.ts`, synchronous, on disk before the answer),
 * then this shipper copies the file's new lines into `sne_audit_records`. A store outage loses
 * nothing: the lines wait in the file and go at the next attempt. The file offset shipped so far is
 * kept beside it (`<file>.shipped`); a line's id is the SHA-256 of its text, so that a line sent
 * twice (a crash between the insert and the offset's write) is stored once. A file smaller than
 * the offset was replaced (rotated): it is shipped from its start.
 */
import { createHash } from 'node:crypto'
import { open, readFile, rename, writeFile } from 'node:fs/promises'
import type pg from 'pg'
import type { Logger } from 'pino'

/** At most this much of the file per attempt (records are a few hundred bytes). */
const CHUNK_BYTES = 1 << 20

export interface AuditShipperOptions {
  file: string
  pool: pg.Pool
  /** this instance's name in the table (host name and process id) */
  instance: string
  logger: Logger
  intervalMs: number
}

export interface AuditShipper {
  /** ships what the file holds now (after a record) */
  kick: () => void
  /** one attempt, resolved when done (tests) */
  ship: () => Promise<number>
  /** stops the interval and makes a last copy of what the file holds */
  stop: () => Promise<void>
}

export function startAuditShipper (options: AuditShipperOptions): AuditShipper {
  const { file, pool, instance, logger } = options
  const cursorFile = `${file}.shipped`
  let running: Promise<number> | undefined
  let again = false

  const readCursor = async (): Promise<number> => {
    try {
      const n = Number((await readFile(cursorFile, 'utf8')).trim())
      return Number.isSafeInteger(n) && n >= 0 ? n : 0
    } catch {
      return 0
    }
  }

  const once = async (): Promise<number> => {
    let handle
    try {
      handle = await open(file, 'r')
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return 0
      throw err
    }
    let shipped = 0
    try {
      const size = (await handle.stat()).size
      let offset = await readCursor()
      if (offset > size) offset = 0
      while (offset < size) {
        const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size - offset))
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset)
        const end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a)
        // A line still being written (no newline yet): the next attempt takes it.
        if (end < 0) break
        const lines = buffer.subarray(0, end).toString('utf8').split('\n').filter((l) => l !== '')
        const rows: Array<[string, string, string]> = []
        for (const line of lines) {
          let time: string
          try {
            time = String((JSON.parse(line) as { time?: unknown }).time ?? new Date().toISOString())
          } catch {
            continue // not a record (a torn write after a crash): skipped, never blocks the rest
          }
          rows.push([createHash('sha256').update(line).digest('hex'), time, line])
        }
        if (rows.length > 0) {
          await pool.query(`INSERT INTO sne_audit_records (id, time, instance, record)
            SELECT id, time::timestamptz, $4, record::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS r(id, time, record)
            ON CONFLICT (id) DO NOTHING`, [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), instance])
        }
        offset += end + 1
        shipped += rows.length
        await writeFile(`${cursorFile}.tmp`, String(offset), { mode: 0o600 })
        await rename(`${cursorFile}.tmp`, cursorFile)
      }
    } finally {
      await handle.close()
    }
    return shipped
  }

  const ship = async (): Promise<number> => {
    if (running !== undefined) {
      again = true
      return await running
    }
    running = once().catch((err: unknown) => {
      logger.warn({ store: 'postgresql', code: (err as { code?: string }).code }, 'audit records not shipped to the shared store yet: they wait in the audit file')
      return 0
    }).finally(() => { running = undefined })
    const n = await running
    if (again) {
      again = false
      return n + await ship()
    }
    return n
  }

  const timer = setInterval(() => { void ship() }, options.intervalMs)
  timer.unref()
  return {
    kick: () => { void ship() },
    ship,
    stop: async () => {
      clearInterval(timer)
      // A last copy: the records of the last calls, before the pod (and an emptyDir with its file) goes.
      await ship()
    }
  }
}

/** The audit records since `since` (ISO 8601), oldest first, at most `limit`, from the shared store. */
export async function auditRecordsSince (pool: pg.Pool, since: string, limit: number): Promise<Array<Record<string, unknown>>> {
  const result = await pool.query<{ record: Record<string, unknown>, instance: string }>(
    'SELECT record, instance FROM sne_audit_records WHERE time >= $1::timestamptz ORDER BY time, id LIMIT $2', [since, limit])
  return result.rows.map((r) => ({ ...r.record, instance: r.instance }))
}
