/**
 * Sends one SOAP call upstream: the ORIGINAL request bytes (never re-serialized: the SNE is
 * layout-sensitive), with the allowlisted headers, through the environment's dispatcher. Rejects
 * with the transport error of a failure before the answer's headers, for `upstream-errors.ts` to map.
 *
 * The answer is taken by a `dispatch` handler rather than `request()` and a body stream: an answer
 * whose Content-Length is at most `collectMax` (the SNE's few-KB answers) is collected chunk by
 * chunk and resolved whole, with no stream, no per-chunk events and no body-reading promise
 * (bench/RESULTS.md); a larger or chunked answer resolves at its headers with a Readable that
 * passes its chunks on with backpressure (`controller.pause()`/`resume()`).
 */
import type { IncomingHttpHeaders } from 'node:http'
import { Readable } from 'node:stream'
import { errors, type Dispatcher } from 'undici'
import type { UpstreamRoute } from './upstreams.js'

export interface ForwardRequest {
  body: Buffer
  /** already allowlisted (`forward-headers.ts`) */
  headers: Record<string, string>
  /** reads: retried once on a connection-phase failure; writes: never retried */
  idempotent: boolean
  /** aborts the upstream call (client gone) */
  signal?: AbortSignal | undefined
  /** answers up to this Content-Length are collected whole; larger or chunked ones stream */
  collectMax: number
  /** called once, when the answer's headers arrive (before a collected answer's body is read) */
  onHeaders?: (statusCode: number) => void
}

export interface UpstreamAnswer {
  statusCode: number
  headers: IncomingHttpHeaders
  /** a collected answer, whole (its Content-Length was at most `collectMax`) */
  whole?: Buffer
  /** the failure that cut a collected answer after its headers (then `whole` is undefined) */
  cut?: Error
  /** a streamed answer's body (larger or chunked answers); undefined for a collected one */
  body?: Readable
}

function noop (): void {}

/**
 * A streamed answer: undici's chunks pushed with backpressure; destroying it aborts the call. An
 * error may come before its reader is attached (in the tick of its headers): it is kept
 * (`errored`) for the reader to find, never thrown as an unhandled 'error'.
 */
class AnswerBody extends Readable {
  done = false
  constructor (private readonly controller: Dispatcher.DispatchController) {
    super()
    this.on('error', noop)
  }

  override _read (): void {
    if (this.controller.paused) this.controller.resume()
  }

  override _destroy (err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.done) {
      this.done = true
      this.controller.abort(err ?? new errors.RequestAbortedError())
    }
    callback(err)
  }
}

class AnswerHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined
  private answer: UpstreamAnswer | undefined
  private chunks: Buffer[] | undefined
  private stream: AnswerBody | undefined
  private settled = false
  private readonly onAbort: (() => void) | undefined

  constructor (
    private readonly request: ForwardRequest,
    private readonly resolve: (answer: UpstreamAnswer) => void,
    private readonly reject: (err: Error) => void
  ) {
    const signal = request.signal
    if (signal !== undefined) {
      this.onAbort = () => { this.abort(signal.reason as Error | undefined) }
      signal.addEventListener('abort', this.onAbort, { once: true })
    }
  }

  private abort (reason: Error | undefined): void {
    const err = reason ?? new errors.RequestAbortedError()
    if (this.stream !== undefined) this.stream.destroy(err)
    else this.controller?.abort(err)
  }

  private finish (): void {
    if (this.onAbort !== undefined) this.request.signal?.removeEventListener('abort', this.onAbort)
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    // A retried attempt (`retry-connect.ts`) starts again with its own controller.
    this.controller = controller
    const signal = this.request.signal
    if (signal?.aborted === true) controller.abort((signal.reason as Error | undefined) ?? new errors.RequestAbortedError())
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // An informational answer (102, 103…) comes before the answer, as request() ignores it.
    if (statusCode < 200) return
    this.controller = controller
    const answer: UpstreamAnswer = { statusCode, headers }
    this.answer = answer
    this.request.onHeaders?.(statusCode)
    if (Number(headers['content-length']) <= this.request.collectMax) {
      this.chunks = []
      return
    }
    const stream = new AnswerBody(controller)
    this.stream = stream
    answer.body = stream
    this.settled = true
    this.resolve(answer)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks !== undefined) {
      this.chunks.push(chunk)
    } else if (this.stream !== undefined && !this.stream.push(chunk)) {
      controller.pause()
    }
  }

  onResponseEnd (): void {
    this.finish()
    if (this.stream !== undefined) {
      this.stream.done = true
      this.stream.push(null)
      return
    }
    const chunks = this.chunks ?? []
    const answer = this.answer as UpstreamAnswer
    answer.whole = chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks)
    this.settled = true
    this.resolve(answer)
  }

  onResponseError (_controller: Dispatcher.DispatchController, err: Error): void {
    this.finish()
    if (this.stream !== undefined) {
      this.stream.done = true
      this.stream.destroy(err)
      return
    }
    if (this.settled) return
    this.settled = true
    const answer = this.answer
    if (answer === undefined) {
      this.reject(err)
      return
    }
    // Cut after its headers: the caller maps it where it reads the answer, as for a stream.
    answer.cut = err
    this.resolve(answer)
  }
}

export async function forward (upstream: UpstreamRoute, request: ForwardRequest): Promise<UpstreamAnswer> {
  return await new Promise<UpstreamAnswer>((resolve, reject) => {
    upstream.dispatcher.dispatch({
      origin: upstream.origin,
      path: upstream.path,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      idempotent: request.idempotent
    }, new AnswerHandler(request, resolve, reject))
  })
}
