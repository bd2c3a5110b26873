/**
 * Interceptor: retries an idempotent request (a read operation; `opts.idempotent`) once when it
 * failed in the connection phase — refused, DNS, TLS or connect timeout, before any byte was
 * written. Writes are never retried (getNumUnique carries creations and updates: a second send
 * could register a demande twice), and nothing is retried once the request went out. Compose it
 * outside `requestPhase` so that it sees each attempt's phase.
 */
import type { Dispatcher } from 'undici'
import { isConnectionPhaseFailure } from '../upstream-errors.js'
import { wasRequestSent } from './request-phase.js'

export interface RetryConnectOptions {
  /** called before the retry (metrics, logs) */
  onRetry?: (err: Error) => void
}

export function retryConnect (options: RetryConnectOptions = {}): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    if (opts.idempotent !== true) return dispatch(opts, handler)
    let retried = false
    const attempt: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
      onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
      onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
      onResponseError (controller, err) {
        if (!retried && wasRequestSent(err) !== true && isConnectionPhaseFailure(err)) {
          retried = true
          options.onRetry?.(err)
          dispatch(opts, attempt)
          return
        }
        handler.onResponseError?.(controller, err)
      }
    }
    return dispatch(opts, attempt)
  }
}
