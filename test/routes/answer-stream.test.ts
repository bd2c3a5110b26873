import t from 'tap'
import { PassThrough, Readable, Writable } from 'node:stream'
import { once } from 'node:events'
import { answerStream } from '../../src/routes/answer-stream.js'

function sink (): { stream: Writable, chunks: Buffer[] } {
  const chunks: Buffer[] = []
  return { chunks, stream: new Writable({ write (chunk: Buffer, _e, cb) { chunks.push(chunk); cb() } }) }
}

t.test('passes the answer through unchanged, counts it and keeps a copy up to the limit', async (t) => {
  const progress: number[] = []
  let ended: { bytes: number, copy: Buffer | undefined } | undefined
  const out = answerStream(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), {
    collectLimit: 100,
    onProgress: (bytes) => progress.push(bytes),
    onEnd: (bytes, copy) => { ended = { bytes, copy } },
    onError: () => t.fail('no error expected')
  })
  const s = sink()
  out.pipe(s.stream)
  await once(s.stream, 'finish')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(Buffer.concat(s.chunks).toString(), 'abcdefg')
  t.same(progress, [3, 7])
  t.equal(ended?.bytes, 7)
  t.equal(ended?.copy?.toString(), 'abcdefg')
})

t.test('keeps no copy past the limit, nor when none is asked for', async (t) => {
  for (const limit of [0, 5]) {
    let copy: Buffer | undefined = Buffer.alloc(1)
    let bytes = -1
    const out = answerStream(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), {
      collectLimit: limit,
      onEnd: (b, c) => { bytes = b; copy = c },
      onError: () => t.fail('no error expected')
    })
    out.resume()
    await once(out, 'end')
    await new Promise((resolve) => setImmediate(resolve))
    t.equal(bytes, 7)
    t.equal(copy, undefined, `limit ${limit}`)
  }
})

t.test('an upstream failure mid-answer fails the client stream with the same error', async (t) => {
  const source = new PassThrough()
  let failure: { err: Error, bytes: number } | undefined
  const out = answerStream(source, {
    collectLimit: 0,
    onEnd: () => t.fail('not a complete answer'),
    onError: (err, bytes) => { failure = { err, bytes } }
  })
  out.resume()
  const outError = once(out, 'error')
  source.write(Buffer.from('12345'))
  await new Promise((resolve) => setImmediate(resolve))
  const cause = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
  source.destroy(cause)
  const [seen] = await outError
  t.equal(seen, cause)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(failure?.err, cause)
  t.equal(failure?.bytes, 5)
  // a second error from the source must not be an uncaught one
  source.emit('error', new Error('late'))
})

t.test('the client side closing early releases the upstream body', async (t) => {
  const source = new PassThrough()
  let failed: Error | undefined
  const out = answerStream(source, { collectLimit: 0, onEnd: () => t.fail('not delivered'), onError: (err) => { failed = err } })
  out.resume()
  source.write(Buffer.from('x'))
  out.destroy()
  await new Promise((resolve) => source.once('close', resolve))
  t.ok(source.destroyed, 'the upstream body is destroyed')
  t.match(failed, { code: 'ERR_STREAM_PREMATURE_CLOSE' })
})

t.test('a source that failed before it was passed on fails the answer at once', async (t) => {
  const source = new Readable({ read () {} })
  source.on('error', () => {})
  source.destroy(Object.assign(new Error('cut'), { code: 'UND_ERR_SOCKET' }))
  await new Promise((resolve) => source.once('close', resolve))
  let failed: Error | undefined
  const out = answerStream(source, {
    collectLimit: 0,
    onEnd: () => t.fail('not an end'),
    onError: (err) => { failed = err }
  })
  out.on('error', () => {})
  await new Promise((resolve) => setImmediate(resolve))
  t.match(failed, { code: 'UND_ERR_SOCKET' })
  t.ok(out.destroyed, 'the answer to the client is destroyed')
})
