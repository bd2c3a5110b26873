// A scripted undici dispatcher for the upstream-failure tests: each call takes the next step — an
// error before the request is written (connection phase), an error after it was written, or an
// answer. It speaks the handler API undici's interceptors use (onRequestStart …).
import { Dispatcher } from 'undici'

export type Step =
  | { kind: 'fail-connecting', error: Error }
  | { kind: 'fail-after-send', error: Error }
  | { kind: 'answer', status: number, body: string, headers?: Record<string, string> }
  /** headers (no Content-Length: streamed), then `error` in the same tick */
  | { kind: 'fail-after-headers', status: number, error: Error }
  /** sent, then no answer until the dispatcher is destroyed */
  | { kind: 'hang' }

export function codedError (code: string, message = `upstream said: internal detail 42 (${code})`): Error {
  return Object.assign(new Error(message), { code })
}

export class FakeUpstream extends Dispatcher {
  readonly calls: Array<{ path: string, method: string, headers: Record<string, unknown> }> = []
  private readonly hanging: Array<() => void> = []
  constructor (private readonly steps: Step[]) { super() }

  override dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.calls.push({ path: opts.path, method: opts.method, headers: (opts.headers ?? {}) as Record<string, unknown> })
    const step = this.steps.shift() ?? { kind: 'fail-connecting', error: codedError('ECONNREFUSED') }
    const controller = { abort () {}, pause () {}, resume () {}, aborted: false, paused: false, reason: null, rawHeaders: [], rawTrailers: [] } as unknown as Dispatcher.DispatchController
    queueMicrotask(() => {
      if (step.kind === 'fail-connecting') {
        handler.onResponseError?.(controller, step.error)
        return
      }
      handler.onRequestStart?.(controller, {})
      if (step.kind === 'hang') {
        this.hanging.push(() => handler.onResponseError?.(controller, codedError('UND_ERR_DESTROYED', 'destroyed')))
        return
      }
      if (step.kind === 'fail-after-send') {
        handler.onResponseError?.(controller, step.error)
        return
      }
      if (step.kind === 'fail-after-headers') {
        // From a macrotask, as a socket's callbacks come: its nextTicks run before promise continuations.
        setImmediate(() => {
          handler.onResponseStart?.(controller, step.status, { 'content-type': 'application/soap+xml' }, 'OK')
          handler.onResponseError?.(controller, step.error)
        })
        return
      }
      handler.onResponseStart?.(controller, step.status, step.headers ?? { 'content-type': 'application/soap+xml' }, 'OK')
      handler.onResponseData?.(controller, Buffer.from(step.body))
      handler.onResponseEnd?.(controller, {})
    })
    return true
  }

  override async close (): Promise<void> {}
  override async destroy (): Promise<void> {
    for (const fail of this.hanging.splice(0)) fail()
  }
}
