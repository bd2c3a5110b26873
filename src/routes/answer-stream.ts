/**
 * The upstream's answer on its way to the client: passed through unchanged, chunk by chunk, while
 * its bytes are counted (access line) and, when response validation reports drift, a copy is kept
 * up to a limit for validation once the answer has been delivered.
 *
 * Wired with `pipe` and one `finished`, not `stream.pipeline`: pipeline allocates an
 * AbortController per call and aborts it at the end, which builds a DOMException (with its stack)
 * for every answer — measurable at a few thousand calls per second (bench/RESULTS.md). The
 * semantics are pipeline's: the first error wins, and either side failing destroys the other.
 */
import { Transform, finished, type Readable } from 'node:stream'

export interface AnswerStreamOptions {
  /** keep a copy of the answer up to this many bytes (0: keep none) */
  collectLimit: number
  /** the running byte count, after each chunk (the access line may be written before `onEnd`) */
  onProgress?: (bytes: number) => void
  /** the answer was passed on completely; `copy` is undefined when none was kept or it overflowed */
  onEnd (bytes: number, copy: Buffer | undefined): void
  /** the upstream failed mid-answer (truncated answer, body timeout), or the client side closed early */
  onError (err: Error, bytes: number): void
}

export function answerStream (source: Readable, options: AnswerStreamOptions): Readable {
  let bytes = 0
  let chunks: Buffer[] | undefined = options.collectLimit > 0 ? [] : undefined
  const through = new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      options.onProgress?.(bytes)
      if (chunks !== undefined) {
        if (bytes > options.collectLimit) chunks = undefined
        else chunks.push(chunk)
      }
      callback(null, chunk)
    }
  })
  // An upstream failure ends the client's answer with the same error (pipe alone would leave it open).
  // Stays attached: a late second error from the source must not become an uncaught one.
  source.on('error', (err: Error) => { through.destroy(err) })
  // It may have failed before it reached here (in the tick of its headers).
  if (source.errored != null) through.destroy(source.errored)
  finished(through, (err) => {
    if (err != null) {
      // The client side went first (or the source failed): release the upstream connection's body.
      if (!source.destroyed) source.destroy()
      options.onError(err, bytes)
    } else {
      options.onEnd(bytes, chunks === undefined ? undefined : Buffer.concat(chunks))
    }
  })
  source.pipe(through)
  return through
}
