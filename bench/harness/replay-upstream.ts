/**
 * An undici Dispatcher that answers every call with one recorded answer (status, headers, body),
 * with no socket: in-process benchmarks of the gateway (`inject()`) then measure the gateway only.
 */
import { Dispatcher } from 'undici'

export interface RecordedReply { status: number, headers: Record<string, string>, body: Buffer }

/** Replays one recorded answer (status, headers, body) to every call. */
export class ReplayUpstream extends Dispatcher {
  constructor (private readonly answer: RecordedReply) { super() }
  override dispatch (_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = { abort () {}, pause () {}, resume () {}, aborted: false, paused: false, reason: null, rawHeaders: [], rawTrailers: [] } as unknown as Dispatcher.DispatchController
    queueMicrotask(() => {
      handler.onRequestStart?.(controller, {})
      handler.onResponseStart?.(controller, this.answer.status, this.answer.headers, 'OK')
      handler.onResponseData?.(controller, this.answer.body)
      handler.onResponseEnd?.(controller, {})
    })
    return true
  }

  override async close (): Promise<void> {}
  override async destroy (): Promise<void> {}
}
