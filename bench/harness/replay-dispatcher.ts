/**
 * Upstreams inside the bench's process, as undici Dispatchers a gateway takes
 * (`GatewayDeps.createDispatcher`): one records the answers of a real upstream (the simulator's
 * Fastify `inject`) by the call's action, the other replays them, by action, to every later call.
 * No socket, no TLS: what a gateway built with them costs is its own work. They serve undici 7's
 * handlers (`onRequestStart`, `onResponseStart`…), which the interceptors the gateway composes on
 * its upstream hand them; undici's `request()` on them directly would pass older handlers.
 */
import { Dispatcher } from 'undici'
import { requestAction } from './canned-upstream.js'

/** One answer as the upstream gave it. */
export interface Recorded { status: number, headers: Record<string, string>, body: Buffer }

type Inject = (o: { method: string, url: string, headers: Record<string, string>, payload: Buffer }) => Promise<{ statusCode: number, headers: Record<string, unknown>, rawPayload: Buffer }>

const controller = (): Dispatcher.DispatchController =>
  ({ abort () {}, pause () {}, resume () {}, aborted: false, paused: false, reason: null, rawHeaders: [], rawTrailers: [] }) as unknown as Dispatcher.DispatchController

/** The request's headers as one lower-cased record, whatever form undici was given them in. */
function headersOf (opts: Dispatcher.DispatchOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const raw = opts.headers as Record<string, string | string[] | undefined> | string[] | undefined
  if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) headers[raw[i]!.toLowerCase()] = raw[i + 1]!
  else for (const [k, v] of Object.entries(raw ?? {})) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  return headers
}

function answer (handler: Dispatcher.DispatchHandler, a: Recorded): void {
  const c = controller()
  handler.onRequestStart?.(c, {})
  handler.onResponseStart?.(c, a.status, a.headers, 'OK')
  handler.onResponseData?.(c, a.body)
  handler.onResponseEnd?.(c, {})
}

/** Replays the recorded answer of each call's action; an action never recorded is an error. */
export class ReplayByAction extends Dispatcher {
  constructor (private readonly answers: ReadonlyMap<string, Recorded>) { super() }
  override dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const h = headersOf(opts)
    const a = this.answers.get(requestAction(h['content-type'], h.soapaction))
    queueMicrotask(() => {
      if (a === undefined) handler.onResponseError?.(controller(), new Error('no recorded answer for this action'))
      else answer(handler, a)
    })
    return true
  }

  override async close (): Promise<void> {}
  override async destroy (): Promise<void> {}
}

/** Forwards each call to `inject` (the simulator), recording its first answer per action. */
export class RecordByAction extends Dispatcher {
  readonly answers = new Map<string, Recorded>()
  constructor (private readonly inject: Inject) { super() }
  override dispatch (opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers = headersOf(opts)
    this.inject({ method: opts.method, url: opts.path, headers, payload: Buffer.from(opts.body as Buffer) }).then((res) => {
      const a = { status: res.statusCode, headers: { 'content-type': String(res.headers['content-type']) }, body: res.rawPayload }
      const action = requestAction(headers['content-type'], headers.soapaction)
      if (!this.answers.has(action)) this.answers.set(action, a)
      answer(handler, a)
    }, (err: Error) => { handler.onResponseError?.(controller(), err) })
    return true
  }

  override async close (): Promise<void> {}
  override async destroy (): Promise<void> {}
}
