/**
 * Child process: the canned upstream (canned-upstream.ts), replaying the answers recorded under
 * `--answers`.
 *
 * usage: node canned-main.js --port N --pki DIR --answers DIR --path /services/…/
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { ensureDevPki } from '../../src/tls/dev-pki.js'
import { createCannedUpstream, loadAnswers } from './canned-upstream.js'

const { values } = parseArgs({ options: { port: { type: 'string' }, pki: { type: 'string' }, answers: { type: 'string' }, path: { type: 'string' } } })
if (values.port === undefined || values.pki === undefined || values.answers === undefined || values.path === undefined) {
  throw new Error('usage: canned-main.js --port N --pki DIR --answers DIR --path PATH')
}

const pki = await ensureDevPki(values.pki)
const [cert, key, ca] = await Promise.all([readFile(pki.simulator.cert), readFile(pki.simulator.key), readFile(pki.ca.cert)])
const server = createCannedUpstream({ tls: { cert, key, ca }, answers: await loadAnswers(values.answers), path: values.path })
server.listen(Number(values.port), '127.0.0.1', () => { console.log(`canned upstream listening on 127.0.0.1:${values.port}`) })

const stop = (): void => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
