import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createAuditLog } from '../../src/observability/audit.js'
import { createLogger } from '../../src/observability/logger.js'
import { LogCapture } from '../integration/helpers/gateway-stack.js'

t.test('records go to the file (JSON lines, appended) and to the log', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'audit.jsonl')
  const capture = new LogCapture()
  const audit = createAuditLog({ file, logger: createLogger({ level: 'info', destination: capture }), clock: () => new Date('2026-02-03T04:05:06Z') })
  const entry = { event: 'outcome_unknown' as const, reqId: 'r', env: 'production', operation: 'getNumUnique', identity: 'G1226', bodySha256: 'ab', fileName: 'DEMG1226-1.xml', cause: 'UND_ERR_HEADERS_TIMEOUT' }
  audit.record(entry)
  audit.record({ ...entry, reqId: 's' })
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  t.same(lines, [{ time: '2026-02-03T04:05:06.000Z', ...entry }, { time: '2026-02-03T04:05:06.000Z', ...entry, reqId: 's' }])
  t.equal(capture.lines().filter((l) => l.audit === true && l.level === 40).length, 2)
})

t.test('an unwritable file is logged, not thrown', async (t) => {
  const capture = new LogCapture()
  // A path under a regular file cannot be created, not even by root (CI runs as root).
  const parent = join(t.testdir(), 'not-a-folder')
  writeFileSync(parent, '')
  const audit = createAuditLog({ file: join(parent, 'audit.jsonl'), logger: createLogger({ level: 'info', destination: capture }), clock: () => new Date() })
  t.doesNotThrow(() => audit.record({ event: 'outcome_unknown', reqId: 'r', env: 'e', operation: 'o', identity: undefined, bodySha256: 'x' }))
  t.ok(capture.lines().some((l) => l.msg === 'audit: the record could not be written to the audit file'))
})
