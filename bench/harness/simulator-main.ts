/**
 * Child process: the école simulator as the bench's upstream, alone in its process so that its
 * CPU and memory are measured apart from the harness's.
 *
 * usage: node simulator-main.js --port N --pki DIR
 *
 * The simulator requires a client certificate, as the SNE does; wrk cannot present one. So that
 * wrk can measure the bare simulator, the bench keeps the certificate request (the proxies in
 * front present theirs, the handshake is the same) but stops refusing connections without one:
 * the simulator's request handling never reads the certificate.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { buildSimulator } from '../../src/simulator/index.js'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { ensureDevPki } from '../../src/tls/dev-pki.js'

const { values } = parseArgs({ options: { port: { type: 'string' }, pki: { type: 'string' } } })
if (values.port === undefined || values.pki === undefined) throw new Error('usage: simulator-main.js --port N --pki DIR')

const pki = await ensureDevPki(values.pki)
const spec = await loadSpec({ dir: defaultSpecDir() })
const [cert, key, ca] = await Promise.all([readFile(pki.simulator.cert), readFile(pki.simulator.key), readFile(pki.ca.cert)])
const sim = await buildSimulator({ tls: { cert, key, ca } }, { spec })
// node:tls reads these per connection (tls.Server's connection listener)
const tlsServer = sim.app.server as typeof sim.app.server & { rejectUnauthorized: boolean }
tlsServer.rejectUnauthorized = false
await sim.app.listen({ host: '127.0.0.1', port: Number(values.port) })
console.log(`simulator listening on 127.0.0.1:${values.port}`)

let closing = false
const stop = (): void => {
  if (closing) return
  closing = true
  sim.close().then(() => { spec.dispose(); process.exit(0) }, (err: unknown) => { console.error(err); process.exit(1) })
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
