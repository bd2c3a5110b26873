// Interoperability: Python zeep (Debian python3-zeep), as an editor writes it, loads the WSDL the
// gateway publishes over mutual TLS and makes the six calls and one invalid message through the
// gateway to the simulator (inline base64: zeep cannot send MTOM, docs/clients.md).
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { startStack } from './helpers/gateway-stack.js'
import { CLIENTS_DIR, SERVICE_PATH, checkResults, plan, runClient } from './helpers/soap-clients.js'

// Debian's python3, where python3-zeep is installed (another python3 may come first on the PATH).
const PYTHON = '/usr/bin/python3'
const available = spawnSync(PYTHON, ['-c', 'import zeep'], { encoding: 'utf8' }).status === 0

t.test('zeep: six operations and an invalid message through the gateway', { skip: !available && process.env.CI !== 'true' ? `${PYTHON} with zeep (Debian python3-zeep) is needed` : false }, async (t) => {
  const stack = await startStack()
  t.teardown(stack.close)
  const run = await runClient(PYTHON, [new URL('zeep_client.py', CLIENTS_DIR).pathname, `${stack.gatewayUrl}${SERVICE_PATH}?wsdl`, stack.pki.ca.cert, stack.pki.client.cert, stack.pki.client.key], JSON.stringify({ calls: plan() }))
  t.equal(run.code, 0, run.stderr)
  // zeep exposes the SOAP 1.2 Subcodes as QNames.
  checkResults(t, stack, run.results, (fault) => fault.subcodes?.[0]?.replace('{urn:sne-gateway:faults}', ''))
  t.equal(run.results[6]?.fault?.code, 'env:Sender')
  const calls = stack.logs.access().filter((l) => l.operation !== undefined && l.method === 'POST')
  t.equal(calls.length, 7, 'seven calls reached the gateway')
})
