import t from 'tap'
import type { FastifyBaseLogger } from 'fastify'
import { LazyChildLogger, lazyChildLoggerFactory } from '../../src/observability/lazy-child-logger.js'
import { createLogger } from '../../src/observability/logger.js'
import { LogCapture } from '../integration/helpers/gateway-stack.js'

function parentWithSpy (level: string): { capture: LogCapture, parent: FastifyBaseLogger, children: () => number } {
  const capture = new LogCapture()
  const parent = createLogger({ level, destination: capture }).child({ plane: 'data' }) as unknown as FastifyBaseLogger
  let made = 0
  const original = parent.child
  // pino's children inherit `child` from their parent: only the parent's own children are counted
  parent.child = function (this: FastifyBaseLogger, bindings, options) {
    if (this === parent) made++
    return original.call(this, bindings, options)
  }
  return { capture, parent, children: () => made }
}

t.test('no child is made for a request that logs nothing, nor for a line below the level', async (t) => {
  const { capture, parent, children } = parentWithSpy('info')
  const log = lazyChildLoggerFactory(parent, { reqId: 'r1' }, {})
  t.equal(log.level, 'info', 'the level is the parent\'s')
  log.debug({ a: 1 }, 'not written')
  log.trace('not written')
  t.equal(children(), 0)
  t.same(capture.lines(), [])
})

t.test('the first line makes the child once: the lines carry the bindings, as an eager child\'s', async (t) => {
  const { capture, parent, children } = parentWithSpy('info')
  const log = new LazyChildLogger(parent, { reqId: 'r2' })
  log.warn({ code: 'GW_X' }, 'first')
  log.info('second %s', 'line')
  log.error(new Error('boom'), 'third')
  t.equal(children(), 1)
  const lines = capture.lines()
  t.same(lines.map((l) => [l.level, l.plane, l.reqId, l.msg]), [[40, 'data', 'r2', 'first'], [30, 'data', 'r2', 'second line'], [50, 'data', 'r2', 'third']])
  t.equal(lines[0]!.code, 'GW_X')
  t.equal((lines[2]!.err as { message: string }).message, 'boom')
})

t.test('level and child reach the real child', async (t) => {
  const { capture, parent, children } = parentWithSpy('info')
  const log = new LazyChildLogger(parent, { reqId: 'r3' })
  log.level = 'debug'
  t.equal(children(), 1)
  log.debug('now written')
  t.equal(log.level, 'debug')
  t.equal(parent.level, 'info', 'the parent keeps its level')
  log.child({ step: 's' }).info('grandchild')
  t.same(capture.lines().map((l) => [l.reqId, l.step, l.msg]), [['r3', undefined, 'now written'], ['r3', 's', 'grandchild']])
})
