// The data plane's TLS over real sockets: curl with TLS 1.2 and 1.3 succeeds, openssl with TLS 1.0
// and 1.1 is refused, ALPN is http/1.1, sessions resume, client certificates are verified, and a
// slow client (slowloris) is cut by the headers timeout.
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { connect, type TLSSocket } from 'node:tls'
import { promisify } from 'node:util'
import { startStack, type Stack } from './helpers/gateway-stack.js'

const run = promisify(execFile)
const WSDL = '/ecole/services/DemandeLogementImplService/?wsdl'

let stack: Stack
let port: number
t.before(async () => {
  stack = await startStack({ edit: (c) => { c.dataPlane.timeouts = { headersMs: 400, requestMs: 5000, handshakeMs: 2000 } } })
  port = Number(new URL(stack.gatewayUrl).port)
})
t.teardown(async () => { await stack.close() })

async function curl (tlsArgs: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '-v', ...tlsArgs, '--cacert', stack.pki.ca.cert, '--cert', stack.pki.client.cert, '--key', stack.pki.client.key,
      '-o', '/dev/null', '-w', '%{http_code}', `https://127.0.0.1:${port}${WSDL}`], { timeout: 20000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

async function sClient (version: '-tls1' | '-tls1_1'): Promise<{ code: number, output: string }> {
  try {
    const { stdout, stderr } = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, version, '-cipher', 'DEFAULT@SECLEVEL=0', '-servername', 'localhost'], { timeout: 20000 })
    return { code: 0, output: stdout + stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, output: e.stdout + e.stderr }
  }
}

t.test('curl --tlsv1.2 --tls-max 1.2 succeeds with TLS 1.2', async (t) => {
  const r = await curl(['--tlsv1.2', '--tls-max', '1.2'])
  t.equal(r.code, 0, r.stderr.slice(-300))
  t.equal(r.stdout, '200')
  t.match(r.stderr, /SSL connection using TLSv1\.2/)
  t.match(r.stderr, /ALPN: server accepted http\/1\.1/)
})

t.test('curl --tlsv1.3 succeeds with TLS 1.3', async (t) => {
  const r = await curl(['--tlsv1.3'])
  t.equal(r.code, 0, r.stderr.slice(-300))
  t.equal(r.stdout, '200')
  t.match(r.stderr, /SSL connection using TLSv1\.3/)
})

t.test('openssl s_client -tls1 is refused', async (t) => {
  const r = await sClient('-tls1')
  t.not(r.code, 0)
  t.match(r.output, /alert protocol version|unsupported protocol|wrong version number|no protocols available/i)
  t.match(r.output, /Cipher is \(NONE\)/, 'no session was established')
})

t.test('openssl s_client -tls1_1 is refused', async (t) => {
  const r = await sClient('-tls1_1')
  t.not(r.code, 0)
  t.match(r.output, /alert protocol version|unsupported protocol|wrong version number|no protocols available/i)
  t.match(r.output, /Cipher is \(NONE\)/, 'no session was established')
})

t.test('handshakes are counted by negotiated version', async (t) => {
  const metrics = await stack.gateway.metrics.registry.metrics()
  t.match(metrics, /sne_gateway_tls_handshakes_total\{version="TLSv1\.2"\} [1-9]/)
  t.match(metrics, /sne_gateway_tls_handshakes_total\{version="TLSv1\.3"\} [1-9]/)
})

function tlsConnect (options: Record<string, unknown>): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(stack.pki.ca.cert), ...options }, () => resolve(socket))
    socket.once('error', reject)
  })
}

t.test('TLS 1.2 sessions resume (tickets)', async (t) => {
  const first = await tlsConnect({ maxVersion: 'TLSv1.2' })
  const session = first.getSession()
  t.ok(session, 'a session to resume')
  t.equal(first.alpnProtocol, false, 'no ALPN offered, none chosen')
  first.end()
  const second = await tlsConnect({ maxVersion: 'TLSv1.2', session })
  t.equal(second.isSessionReused(), true)
  second.end()
})

t.test('ALPN: http/1.1 is chosen, h2 is not offered back', async (t) => {
  const socket = await tlsConnect({ ALPNProtocols: ['h2', 'http/1.1'] })
  t.equal(socket.alpnProtocol, 'http/1.1')
  socket.end()
})

t.test('the cipher list is Mozilla intermediate: no CBC, no RSA key exchange', async (t) => {
  await t.rejects(tlsConnect({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA256' }), 'non-forward-secret suites are refused')
})

t.test('a slow client is cut by the headers timeout (slowloris)', async (t) => {
  const socket = await tlsConnect({ cert: readFileSync(stack.pki.client.cert), key: readFileSync(stack.pki.client.key) })
  let received = ''
  socket.on('data', (d: Buffer) => { received += d.toString('latin1') })
  socket.write('GET /ecole/services/DemandeLogementImplService/?wsdl HTTP/1.1\r\nHost: localhost\r\n')
  // Never finish the headers: the server must close the connection by itself (408).
  await new Promise<void>((resolve) => socket.once('close', () => resolve()))
  t.match(received, /^HTTP\/1\.1 408/)
})

t.test('plain TCP garbage never reaches HTTP', async (t) => {
  const socket = netConnect({ host: '127.0.0.1', port })
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
  let received = ''
  socket.on('data', (d: Buffer) => { received += d.toString('latin1') })
  await new Promise<void>((resolve) => socket.once('close', () => resolve()))
  t.notMatch(received, /^HTTP\/1\.1 200/)
})

t.test('client-initiated renegotiation is refused (openssl s_client R under TLS 1.2)', async (t) => {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'localhost', '-CAfile', stack.pki.ca.cert], { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('latin1') })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('latin1') })
  const exited = new Promise<void>((resolve) => child.once('close', () => { resolve() }))
  // s_client may already have exited when the request is written (the gateway cut the connection
  // at the renegotiation): EPIPE on its stdin is then the outcome sought, not an error.
  child.stdin.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE') t.error(err) })
  const until = async (pattern: RegExp): Promise<boolean> => {
    for (let i = 0; i < 1000 && !pattern.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 10))
    return pattern.test(output)
  }
  t.ok(await until(/Verify return code: 0/), 'TLS 1.2 handshake done')
  child.stdin.write('R\n')
  t.ok(await until(/RENEGOTIATING/), 'renegotiation asked')
  // A request after the renegotiation is not answered: the connection is gone.
  child.stdin.write(`GET ${WSDL} HTTP/1.1\r\nhost: localhost\r\n\r\n`)
  const timer = setTimeout(() => { child.kill() }, 5000)
  await exited
  clearTimeout(timer)
  t.notMatch(output, /HTTP\/1\.1 \d{3}/, 'no answer after the renegotiation')
})
