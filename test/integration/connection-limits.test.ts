// The data plane's connection limits over real sockets, other clients on other loopback addresses
// (all of 127.0.0.0/8 is loopback on Linux): one address holding idle TCP connections no longer
// locks the others out (and did, without the per-address cap); a connection that sends no request
// is closed early; a trusted balancer's PROXY header (v1, v2) gives the real client address to the
// access log, the census and the cap, and an untrusted peer's header spoofs nothing.
import t from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import { readFileSync } from 'node:fs'
import { request } from 'undici'
import { startStack, type Stack } from './helpers/gateway-stack.js'
import { startCensusStack, waitForRows } from '../census/helpers/census-stack.js'
import { inet4Block, proxyV1, proxyV2 } from '../helpers/proxy-header.js'

const WSDL = '/ecole/services/DemandeLogementImplService/?wsdl'
const FLOODER = '127.0.0.2'
const BALANCER = '127.0.0.3'
const STRANGER = '127.0.0.4'

type Raw = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const portOf = (stack: Stack): number => Number(new URL(stack.gatewayUrl).port)

async function until (what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Opens `n` idle TCP connections from `localAddress`; counts those the server closed. */
async function flood (port: number, localAddress: string, n: number): Promise<{ sockets: net.Socket[], closed: () => number }> {
  let closed = 0
  const sockets: net.Socket[] = []
  for (let i = 0; i < n; i++) {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress })
    socket.on('error', () => {})
    socket.on('close', () => { closed++ })
    sockets.push(socket)
  }
  await Promise.all(sockets.map(async (s) => await new Promise<void>((resolve) => {
    if (s.readyState === 'open') resolve()
    s.once('connect', () => resolve())
    s.once('close', () => resolve())
  })))
  return { sockets, closed: () => closed }
}

async function serverConnections (stack: Stack): Promise<number> {
  return await new Promise((resolve, reject) => stack.gateway.listener.server.getConnections((err, n) => err === null ? resolve(n) : reject(err)))
}

async function refused (stack: Stack, reason: string): Promise<number> {
  const metric = await stack.gateway.metrics.connectionsRefused.get()
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0
}

function limits (perAddress: number, extra: (c: Raw) => void = () => {}): (c: Raw) => void {
  return (c) => {
    c.dataPlane.maxConnections = 200
    c.dataPlane.connections = { perAddress }
    // Long enough never to free a slot during the test: only the cap may.
    c.dataPlane.timeouts = { handshakeMs: 60000, firstRequestMs: 60000, headersMs: 30000, requestMs: 60000 }
    extra(c)
  }
}

t.test('one address holding 300 idle connections: the others are still served (cap 64 of 200)', async (t) => {
  const stack = await startStack({ edit: limits(64) })
  const port = portOf(stack)
  const idle = await flood(port, FLOODER, 300)
  t.teardown(async () => { for (const s of idle.sockets) s.destroy(); await stack.close() })
  await until('the 236 over the cap closed', () => idle.closed() === 236)
  t.equal(await serverConnections(stack), 64, 'the flooder holds exactly its cap')
  t.equal(await refused(stack, 'per_address'), 236)

  const res = await request(stack.gatewayUrl + WSDL, { dispatcher: stack.client })
  t.equal(res.statusCode, 200, 'a guichet on another address is served')
  await res.body.dump()

  const lines = stack.logs.lines().filter((l) => l.event === 'connection_refused')
  t.ok(lines.length >= 1, 'refusals are logged')
  t.ok(lines.length < 236, 'but rate-limited')
  t.match(lines[0], { level: 40, reason: 'per_address', remoteAddress: FLOODER })
})

t.test('without the cap (perAddress = maxConnections) the same flood locks the others out', async (t) => {
  const stack = await startStack({ edit: limits(200) })
  const port = portOf(stack)
  const idle = await flood(port, FLOODER, 300)
  t.teardown(async () => { for (const s of idle.sockets) s.destroy(); await stack.close() })
  await until('the 100 over maxConnections dropped', () => idle.closed() === 100)
  t.equal(await serverConnections(stack), 200)
  await t.rejects(request(stack.gatewayUrl + WSDL, { dispatcher: stack.client }), 'the guichet is refused at accept')
  t.ok(await refused(stack, 'max_connections') >= 101, 'counted')
  t.equal(await refused(stack, 'per_address'), 0)
})

function tlsOptions (stack: Stack): tls.ConnectionOptions {
  return {
    servername: 'localhost',
    ca: readFileSync(stack.pki.ca.cert),
    cert: readFileSync(stack.pki.client.cert),
    key: readFileSync(stack.pki.client.key)
  }
}

/** A TLS connection (optionally over a given raw socket) that has completed its handshake. */
async function handshake (port: number, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** One HTTP/1.1 GET on an established TLS socket; resolves with the status line and whether the connection stays. */
async function get (socket: tls.TLSSocket, path: string, close = false): Promise<string> {
  return await new Promise((resolve, reject) => {
    let got = ''
    const onData = (d: Buffer): void => {
      got += d.toString('latin1')
      const head = got.indexOf('\r\n\r\n')
      const length = /content-length: (\d+)/i.exec(got)
      if (head !== -1 && length !== null && got.length >= head + 4 + Number(length[1])) {
        socket.off('data', onData)
        resolve(got.slice(0, got.indexOf('\r\n')))
      }
    }
    socket.on('data', onData)
    socket.once('error', reject)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n${close ? 'Connection: close\r\n' : ''}\r\n`)
  })
}

const closeOf = (socket: net.Socket): Promise<void> => new Promise((resolve) => {
  if (socket.destroyed) resolve()
  socket.once('close', () => resolve())
})

t.test('a connection that sends no request is closed after firstRequestMs, from accept', async (t) => {
  const stack = await startStack({ edit: (c) => { c.dataPlane.timeouts = { firstRequestMs: 300, headersMs: 20000, requestMs: 30000, keepAliveMs: 10000 } } })
  t.teardown(() => stack.close())
  const port = portOf(stack)

  const afterHandshake = await handshake(port, tlsOptions(stack))
  afterHandshake.on('error', () => {})
  let received = ''
  afterHandshake.on('data', (d: Buffer) => { received += d.toString('latin1') })
  await closeOf(afterHandshake)
  t.equal(received, '', 'closed without an answer, well before headersMs')

  const silent = net.connect({ host: '127.0.0.1', port })
  silent.on('error', () => {})
  await closeOf(silent)
  t.pass('a TCP connection that never sends its ClientHello is closed too')
  t.equal(await refused(stack, 'idle_before_request'), 2)

  const keptAlive = await handshake(port, tlsOptions(stack))
  t.teardown(() => keptAlive.destroy())
  t.equal(await get(keptAlive, WSDL), 'HTTP/1.1 200 OK')
  await new Promise((resolve) => setTimeout(resolve, 900))
  t.equal(await get(keptAlive, WSDL), 'HTTP/1.1 200 OK', 'once a request came, the connection is not cut by it (keep-alive bounds it)')
  t.equal(await refused(stack, 'idle_before_request'), 2)
})

t.test('what node:http does alone: headersTimeout closes a connection silent after its handshake, from the handshake', async (t) => {
  const stack = await startStack({ edit: (c) => { c.dataPlane.timeouts = { firstRequestMs: 60000, headersMs: 300, requestMs: 30000 } } })
  t.teardown(() => stack.close())
  const socket = await handshake(portOf(stack), tlsOptions(stack))
  socket.on('error', () => {})
  let received = ''
  socket.on('data', (d: Buffer) => { received += d.toString('latin1') })
  await closeOf(socket)
  t.match(received, /^HTTP\/1\.1 408 [^]*GW_ROUTE_REQUEST_TIMEOUT/, 'a 408 Fault (the client-error handler), then closed')
  t.equal(await refused(stack, 'idle_before_request'), 0, 'not by the listener')
})

/** A test balancer: connects from BALANCER (or `from`), writes `header`, then speaks TLS over the same socket. */
async function viaBalancer (port: number, header: Buffer, options: tls.ConnectionOptions, from = BALANCER): Promise<tls.TLSSocket> {
  const raw = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => { s.write(header); resolve(s) })
    s.once('error', reject)
  })
  return await handshake(port, { ...options, socket: raw })
}

/** A TLS handshake through the balancer that is expected to fail: resolves with the error code. */
async function failedViaBalancer (port: number, header: Buffer, options: tls.ConnectionOptions, from = BALANCER): Promise<string> {
  try {
    const socket = await viaBalancer(port, header, options, from)
    socket.destroy()
    return 'established'
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error'
  }
}

const PROXIED = (c: Raw): void => { c.dataPlane.proxyProtocol = { enabled: true, trustedAddresses: [`${BALANCER}/32`], timeoutMs: 300 } }

t.test('PROXY v1 and v2 from the trusted balancer: the real client address in the access log and the census', async (t) => {
  const stack = await startCensusStack({ stack: { edit: PROXIED } })
  t.teardown(() => stack.close())
  const port = stack.port
  const accessOf = async (n: number): Promise<Array<Record<string, unknown>>> => {
    await until('access lines', () => stack.logs.access().length >= n)
    return stack.logs.access()
  }

  const v1 = await viaBalancer(port, proxyV1('192.0.2.41', '198.51.100.1', 50001, 443), tlsOptions(stack))
  t.equal(await get(v1, WSDL, true), 'HTTP/1.1 200 OK')
  t.match((await accessOf(1))[0], { remoteAddress: '192.0.2.41', status: 200 })

  const v2 = await viaBalancer(port, proxyV2(1, 0x11, Buffer.concat([inet4Block('192.0.2.42', '198.51.100.1', 50002, 443), Buffer.from([0x04, 0x00, 0x02, 0x68, 0x69])])), tlsOptions(stack))
  t.equal(await get(v2, WSDL, true), 'HTTP/1.1 200 OK')
  t.match((await accessOf(2))[1], { remoteAddress: '192.0.2.42' })

  const local = await viaBalancer(port, proxyV2(0, 0x00, Buffer.alloc(0)), tlsOptions(stack))
  t.equal(await get(local, WSDL, true), 'HTTP/1.1 200 OK')
  t.match((await accessOf(3))[2], { remoteAddress: BALANCER }, 'LOCAL: the balancer\'s own address')

  const split = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: BALANCER, noDelay: true }, () => resolve(s))
    s.once('error', reject)
  })
  const header = proxyV1('192.0.2.44', '198.51.100.1', 50004, 443)
  for (const part of [header.subarray(0, 3), header.subarray(3, 20), header.subarray(20)]) {
    split.write(part)
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  const splitTls = await handshake(port, { ...tlsOptions(stack), socket: split })
  t.equal(await get(splitTls, WSDL, true), 'HTTP/1.1 200 OK', 'a header split across segments')
  t.match((await accessOf(4))[3], { remoteAddress: '192.0.2.44' })

  const legacy = { ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1', maxVersion: 'TLSv1', servername: 'legacy.example', rejectUnauthorized: false } as const
  t.equal(await failedViaBalancer(port, proxyV2(1, 0x11, inet4Block('192.0.2.43', '198.51.100.1', 50003, 443)), legacy), 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
  await waitForRows(stack.tlsCensus, 1, (r) => r.sni === 'legacy.example')
  const rows = stack.tlsCensus.census.clients()
  t.match(rows.find((r) => r.sni === 'legacy.example'), { ip: '192.0.2.43', maxVersionOffered: 'TLSv1', lastFailureReason: 'unsupported-protocol' })
  t.match(rows.filter((r) => r.sni === 'localhost').map((r) => r.ip).sort(), ['127.0.0.3', '192.0.2.41', '192.0.2.42', '192.0.2.44'])
  t.notOk(rows.some((r) => r.ip === BALANCER && r.sni !== 'localhost'), 'no legacy row under the balancer\'s address')
})

t.test('an untrusted peer\'s PROXY header spoofs nothing; direct clients are unaffected', async (t) => {
  const stack = await startCensusStack({ stack: { edit: PROXIED } })
  t.teardown(() => stack.close())
  const code = await failedViaBalancer(stack.port, proxyV1('192.0.2.99', '198.51.100.1', 50009, 443), tlsOptions(stack), STRANGER)
  t.not(code, 'established', 'the header is TLS garbage from a peer that is not trusted')
  await waitForRows(stack.tlsCensus, 1)
  t.match(stack.tlsCensus.census.clients(), [{ ip: STRANGER, lastFailureReason: 'garbage' }])
  t.notOk(stack.tlsCensus.census.clients().some((r) => r.ip === '192.0.2.99'))

  const res = await request(stack.gatewayUrl + WSDL, { dispatcher: stack.client })
  t.equal(res.statusCode, 200, 'a direct client (no header) from an untrusted address is served')
  await res.body.dump()
  await until('the access line', () => stack.logs.access().length >= 1)
  t.match(stack.logs.access()[0], { remoteAddress: '127.0.0.1' })
})

t.test('a trusted balancer must send a valid header in time: malformed, oversized, slow and bare TLS are closed and counted', async (t) => {
  const stack = await startStack({ edit: PROXIED })
  t.teardown(() => stack.close())
  const port = portOf(stack)
  const sendRaw = async (bytes: Buffer | undefined): Promise<void> => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: BALANCER }, () => { if (bytes !== undefined) s.write(bytes) })
    s.on('error', () => {})
    await closeOf(s)
  }
  await sendRaw(Buffer.from('PROXY TCP4 192.0.2.1 nonsense 1 2\r\n'))
  await sendRaw(Buffer.from(`PROXY UNKNOWN ${'x'.repeat(200)}`))
  await sendRaw(proxyV2(1, 0x11, Buffer.alloc(5000)).subarray(0, 16))
  await sendRaw(Buffer.from('PROXY TCP4 192.0.2.1'))
  await sendRaw(undefined)
  t.equal(await refused(stack, 'proxy_header'), 5)
  t.not(await failedViaBalancer(port, Buffer.alloc(0), tlsOptions(stack)), 'established', 'TLS without a header from the balancer fails')
  t.equal(await refused(stack, 'proxy_header'), 6)

  const res = await request(stack.gatewayUrl + WSDL, { dispatcher: stack.client })
  t.equal(res.statusCode, 200, 'the gateway goes on serving')
  await res.body.dump()
})

t.test('the per-address cap applies to the real address behind the balancer', async (t) => {
  const stack = await startStack({ edit: limits(2, PROXIED) })
  t.teardown(() => stack.close())
  const port = portOf(stack)
  const header = (src: string): Buffer => proxyV1(src, '198.51.100.1', 50100, 443)
  const held = [await viaBalancer(port, header('192.0.2.50'), tlsOptions(stack)), await viaBalancer(port, header('192.0.2.50'), tlsOptions(stack))]
  t.teardown(() => { for (const s of held) s.destroy() })
  t.not(await failedViaBalancer(port, header('192.0.2.50'), tlsOptions(stack)), 'established', 'a third from the same client is refused')
  t.equal(await refused(stack, 'per_address'), 1)
  const other = await viaBalancer(port, header('192.0.2.51'), tlsOptions(stack))
  t.teardown(() => other.destroy())
  t.equal(await get(other, WSDL), 'HTTP/1.1 200 OK', 'another client through the same balancer is served')
  held[0]!.destroy()
  await until('the slot freed', async () => {
    const code = await failedViaBalancer(port, header('192.0.2.50'), tlsOptions(stack))
    return code === 'established'
  })
  t.pass('a closed connection frees its slot')
})
