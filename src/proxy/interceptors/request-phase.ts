/**
 * Interceptor: records on each failure whether the request had started to go out on a connection
 * (undici calls `onRequestStart` right before writing the request to the socket). A failure before
 * that point is a connection-phase failure: nothing reached the upstream, so even a write may be
 * refused cleanly; after it, a write's outcome is unknown (`upstream-errors.ts`).
 */
import type { Dispatcher } from 'undici'

const kRequestSent = Symbol.for('sne-gateway.proxy.requestSent')

/** True when the failed request had started to be written, false when not, undefined when unrecorded. */
export function wasRequestSent (err: unknown): boolean | undefined {
  if (err === null || typeof err !== 'object') return undefined
  return (err as Record<symbol, boolean | undefined>)[kRequestSent]
}

/** Marks `err` as having happened after (true) or before (false) the request was written. */
export function markRequestSent (err: Error, sent: boolean): void {
  Object.defineProperty(err, kRequestSent, { value: sent, configurable: true, enumerable: false })
}

export function requestPhase (): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    let sent = false
    return dispatch(opts, {
      onRequestStart (controller, context) {
        sent = true
        handler.onRequestStart?.(controller, context)
      },
      onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError (controller, err) {
        if (wasRequestSent(err) === undefined) markRequestSent(err, sent)
        handler.onResponseError?.(controller, err)
      }
    })
  }
}
