/**
 * The upstream's answer on its way to the client: passed through unchanged, chunk by chunk, while
 * its bytes are counted (access line) and, when response validation reports drift, a copy is kept
 * up to a limit for validation once the answer has been delivered.
 */
import { Transform, pipeline, type Readable } from 'node:stream'

export interface AnswerStreamOptions {
  /** keep a copy of the answer up to this many bytes (0: keep none) */
  collectLimit: number
  /** the running byte count, after each chunk (the access line may be written before `onEnd`) */
  onProgress?: (bytes: number) => void
  /** the answer was passed on completely; `copy` is undefined when none was kept or it overflowed */
  onEnd (bytes: number, copy: Buffer | undefined): void
  /** the upstream failed mid-answer (truncated answer, body timeout) */
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
  pipeline(source, through, (err) => {
    if (err != null) options.onError(err, bytes)
    else options.onEnd(bytes, chunks === undefined ? undefined : Buffer.concat(chunks))
  })
  return through
}
