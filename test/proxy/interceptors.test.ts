// The two interceptors on a scripted dispatch: request-phase records whether a failure came
// before or after the request went out; retry-connect retries an idempotent request once after a
// connection-phase failure, and never anything else.
import t from 'tap'
import type { Dispatcher } from 'undici'
import { requestPhase, wasRequestSent } from '../../src/proxy/interceptors/request-phase.js'
import { retryConnect } from '../../src/proxy/interceptors/retry-connect.js'

type Outcome = { kind: 'error-before', code: string } | { kind: 'error-after', code: string } | { kind: 'ok' }

function scripted (outcomes: Outcome[]): { dispatch: Dispatcher.Dispatch, calls: () => number } {
  let calls = 0
  const controller = { abort () {}, pause () {}, resume () {}, aborted: false, paused: false, reason: null } as unknown as Dispatcher.DispatchController
  const dispatch: Dispatcher.Dispatch = (_opts, handler) => {
    calls++
    const outcome = outcomes.shift() ?? { kind: 'ok' }
    queueMicrotask(() => {
      if (outcome.kind === 'error-before') return handler.onResponseError?.(controller, Object.assign(new Error(outcome.code), { code: outcome.code }))
      handler.onRequestStart?.(controller, {})
      if (outcome.kind === 'error-after') return handler.onResponseError?.(controller, Object.assign(new Error(outcome.code), { code: outcome.code }))
      handler.onResponseStart?.(controller, 200, {}, 'OK')
      handler.onResponseEnd?.(controller, {})
    })
    return true
  }
  return { dispatch, calls: () => calls }
}

async function run (dispatch: Dispatcher.Dispatch, idempotent: boolean): Promise<{ status?: number, error?: Error }> {
  return await new Promise((resolve) => {
    dispatch({ path: '/', method: 'POST', idempotent }, {
      onResponseStart: (_c, status) => resolve({ status }),
      onResponseError: (_c, error) => resolve({ error })
    })
  })
}

const composed = (base: Dispatcher.Dispatch, onRetry?: () => void): Dispatcher.Dispatch =>
  retryConnect({ onRetry: () => onRetry?.() })(requestPhase()(base))

t.test('request-phase marks failures before and after sending', async (t) => {
  const before = scripted([{ kind: 'error-before', code: 'ECONNREFUSED' }])
  const r1 = await run(requestPhase()(before.dispatch), false)
  t.equal(wasRequestSent(r1.error), false)
  const after = scripted([{ kind: 'error-after', code: 'ECONNRESET' }])
  const r2 = await run(requestPhase()(after.dispatch), false)
  t.equal(wasRequestSent(r2.error), true)
  t.equal(wasRequestSent(new Error('unmarked')), undefined)
})

t.test('an idempotent request is retried once after a connection-phase failure', async (t) => {
  const s = scripted([{ kind: 'error-before', code: 'ECONNREFUSED' }, { kind: 'ok' }])
  let retries = 0
  const result = await run(composed(s.dispatch, () => { retries++ }), true)
  t.equal(result.status, 200)
  t.equal(s.calls(), 2)
  t.equal(retries, 1)
})

t.test('at most once', async (t) => {
  const s = scripted([{ kind: 'error-before', code: 'ECONNREFUSED' }, { kind: 'error-before', code: 'ENOTFOUND' }, { kind: 'ok' }])
  const result = await run(composed(s.dispatch), true)
  t.equal((result.error as { code?: string }).code, 'ENOTFOUND')
  t.equal(s.calls(), 2)
})

t.test('not after the request went out', async (t) => {
  const s = scripted([{ kind: 'error-after', code: 'ECONNRESET' }, { kind: 'ok' }])
  const result = await run(composed(s.dispatch), true)
  t.equal((result.error as { code?: string }).code, 'ECONNRESET')
  t.equal(s.calls(), 1)
})

t.test('not for a failure that is not of the connection phase, even unsent', async (t) => {
  const s = scripted([{ kind: 'error-before', code: 'UND_ERR_DESTROYED' }, { kind: 'ok' }])
  await run(composed(s.dispatch), true)
  t.equal(s.calls(), 1)
})

t.test('never for a non-idempotent request (a write)', async (t) => {
  const s = scripted([{ kind: 'error-before', code: 'ECONNREFUSED' }, { kind: 'ok' }])
  const result = await run(composed(s.dispatch), false)
  t.equal((result.error as { code?: string }).code, 'ECONNREFUSED')
  t.equal(s.calls(), 1)
})
