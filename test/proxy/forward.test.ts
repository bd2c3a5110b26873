// forward() over a real undici pool to a loopback server on port 0: an answer up to collectMax is
// collected whole (no stream), one cut after its headers resolves with the cause, a larger one
// streams with backpressure, destroying its stream aborts the call, and the signal aborts a call
// in flight.
import t, { type Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { Pool, type Dispatcher } from 'undici'
import { forward, type ForwardRequest } from '../../src/proxy/forward.js'
import type { UpstreamRoute } from '../../src/proxy/upstreams.js'
import { readWhole } from '../../src/routes/soap-call.js'

async function upstream (t: Test, answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<UpstreamRoute> {
  const server = createServer((req, res) => {
    req.resume()
    req.once('end', () => { answer(req, res) })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const pool = new Pool(origin, { connections: 1 })
  t.teardown(async () => {
    await pool.destroy()
    server.closeAllConnections()
    server.close()
  })
  return { dispatcher: pool, origin, path: '/svc' } as unknown as UpstreamRoute
}

const request = (extra: Partial<ForwardRequest> = {}): ForwardRequest => ({
  body: Buffer.from('<call/>'),
  headers: { 'content-type': 'application/soap+xml' },
  idempotent: true,
  collectMax: 1024,
  ...extra
})

t.test('an answer up to collectMax resolves whole, after onHeaders, with no stream', async (t) => {
  const route = await upstream(t, (_req, res) => { res.writeHead(200, { 'content-type': 'text/xml', 'content-length': 1024 }).end(Buffer.alloc(1024, 0x61)) })
  const seen: number[] = []
  const answer = await forward(route, request({ onHeaders: (status) => { seen.push(status) } }))
  t.same(seen, [200], 'onHeaders once, with the status')
  t.equal(answer.statusCode, 200)
  t.equal(answer.headers['content-type'], 'text/xml')
  t.equal(answer.body, undefined, 'no stream')
  t.equal(answer.cut, undefined)
  t.same(answer.whole, Buffer.alloc(1024, 0x61))
})

t.test('a collected answer cut after its headers resolves with the cause, no body', async (t) => {
  const route = await upstream(t, (_req, res) => {
    res.writeHead(200, { 'content-length': 1000 })
    res.write(Buffer.alloc(10), () => { res.socket?.destroy() })
  })
  const answer = await forward(route, request())
  t.equal(answer.statusCode, 200)
  t.equal(answer.whole, undefined)
  t.equal(answer.body, undefined)
  t.match(answer.cut, { code: 'UND_ERR_SOCKET' })
})

t.test('a failure before the headers rejects', async (t) => {
  const route = await upstream(t, (_req, res) => { res.socket?.destroy() })
  await t.rejects(forward(route, request({ idempotent: false })), { code: 'UND_ERR_SOCKET' })
})

t.test('an answer larger than collectMax, or chunked, streams', async (t) => {
  const big = Buffer.alloc(5000, 0x62)
  for (const headers of [{ 'content-length': big.length }, {}]) {
    const route = await upstream(t, (_req, res) => { res.writeHead(200, headers).end(big) })
    const answer = await forward(route, request())
    t.equal(answer.whole, undefined)
    t.ok(answer.body, 'a stream')
    const chunks: Buffer[] = []
    for await (const chunk of answer.body!) chunks.push(chunk as Buffer)
    t.same(Buffer.concat(chunks), big, 'every byte, in order')
  }
})

t.test('a streamed answer pauses undici while its reader lags, and resumes it when read', async (t) => {
  // A scripted dispatcher: 64 chunks of 4 KiB, each sent only while the controller is not paused.
  const events: string[] = []
  const controller = {
    paused: false,
    aborted: false,
    reason: null,
    pause () { if (!this.paused) events.push('pause'); this.paused = true },
    resume () { if (this.paused) events.push('resume'); this.paused = false; queueMicrotask(send) },
    abort () { this.aborted = true }
  }
  let sent = 0
  let handler: Dispatcher.DispatchHandler | undefined
  const send = (): void => {
    while (sent < 64 && !controller.paused) {
      sent++
      handler!.onResponseData?.(controller as unknown as Dispatcher.DispatchController, Buffer.alloc(4096, sent))
    }
    if (sent === 64 && !controller.paused) handler!.onResponseEnd?.(controller as unknown as Dispatcher.DispatchController, {})
  }
  const dispatcher = {
    dispatch (_opts: Dispatcher.DispatchOptions, h: Dispatcher.DispatchHandler) {
      handler = h
      queueMicrotask(() => {
        h.onRequestStart?.(controller as unknown as Dispatcher.DispatchController, {})
        h.onResponseStart?.(controller as unknown as Dispatcher.DispatchController, 200, {}, 'OK')
        send()
      })
      return true
    }
  }
  const answer = await forward({ dispatcher, origin: 'http://upstream', path: '/' } as unknown as UpstreamRoute, request())
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(sent < 64, `undici held back while nobody reads (${sent} of 64 chunks)`)
  t.equal(events[0], 'pause')
  let bytes = 0
  for await (const chunk of answer.body!) bytes += (chunk as Buffer).length
  t.equal(bytes, 64 * 4096, 'every byte once read')
  t.ok(events.includes('resume'), 'resumed by the reader')
})

t.test('destroying a streamed answer aborts the upstream call', async (t) => {
  let closed: Promise<unknown> | undefined
  const route = await upstream(t, (_req, res) => {
    res.writeHead(200)
    res.write(Buffer.alloc(4096))
    closed = once(res, 'close')
  })
  const answer = await forward(route, request())
  const errors: Error[] = []
  answer.body!.on('error', (err) => errors.push(err))
  answer.body!.destroy()
  await closed
  t.pass('the upstream connection closed')
  t.same(errors, [], 'destroyed without an error')
})

t.test('the signal aborts a call before its headers, and a collected one during its body', async (t) => {
  const route = await upstream(t, () => { /* never answers */ })
  const before = new AbortController()
  const pending = forward(route, request({ signal: before.signal }))
  setTimeout(() => { before.abort() }, 50)
  await t.rejects(pending, { name: 'AbortError' })

  const during = new AbortController()
  const slow = await upstream(t, (_req, res) => {
    res.writeHead(200, { 'content-length': 100 })
    res.write(Buffer.alloc(10))
  })
  // Aborted at the headers: the body (90 bytes short) is still to come.
  const answer = await forward(slow, request({ signal: during.signal, onHeaders: () => { during.abort() } }))
  t.equal(answer.whole, undefined)
  t.match(answer.cut, { name: 'AbortError' })
})

t.test('a signal already aborted never sends the call', async (t) => {
  let calls = 0
  const route = await upstream(t, (_req, res) => { calls++; res.end() })
  const signal = AbortSignal.abort()
  await t.rejects(forward(route, request({ signal })), { name: 'AbortError' })
  t.equal(calls, 0)
})

t.test('a streamed answer that fails in the tick of its headers keeps the error for its reader', async (t) => {
  const controller = { paused: false, aborted: false, reason: null, pause () {}, resume () {}, abort () {} } as unknown as Dispatcher.DispatchController
  const dispatcher = {
    dispatch (_opts: Dispatcher.DispatchOptions, h: Dispatcher.DispatchHandler) {
      queueMicrotask(() => {
        h.onRequestStart?.(controller, {})
        h.onResponseStart?.(controller, 200, {}, 'OK')
        h.onResponseError?.(controller, Object.assign(new Error('parser'), { code: 'HPE_INVALID_CHUNK_SIZE' }))
      })
      return true
    }
  }
  const answer = await forward({ dispatcher, origin: 'http://upstream', path: '/' } as unknown as UpstreamRoute, request())
  // Its 'error' and 'close' went out before anyone could listen: no uncaught error, and a reader finds it.
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(answer.body?.closed, 'closed already')
  t.match(answer.body?.errored, { code: 'HPE_INVALID_CHUNK_SIZE' })
  await t.rejects(readWhole(answer.body!), { code: 'HPE_INVALID_CHUNK_SIZE' }, 'readWhole rejects, never hangs')
})

t.test('an informational answer (103 Early Hints) before the answer is passed over', async (t) => {
  const route = await upstream(t, (_req, res) => {
    res.writeEarlyHints({ link: '</x>; rel=preload' }, () => {
      res.writeHead(200, { 'content-length': 4 }).end('done')
    })
  })
  const seen: number[] = []
  const answer = await forward(route, request({ onHeaders: (status) => { seen.push(status) } }))
  t.same(seen, [200])
  t.equal(answer.statusCode, 200)
  t.equal(answer.whole?.toString(), 'done')
})
