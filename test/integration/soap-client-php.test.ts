// Interoperability: PHP's SoapClient (Debian php-cli, php-soap), as an editor writes it, loads
// the WSDL the gateway publishes over mutual TLS and makes the six calls and one invalid message
// through the gateway to the simulator. PHP reads no MTOM: the simulator answers its plain
// requests in kind, and the schema makes it write ws:contentType qualified.
import { spawnSync } from 'node:child_process'
import t from 'tap'
import { startStack } from './helpers/gateway-stack.js'
import { CLIENTS_DIR, SERVICE_PATH, checkResults, plan, runClient } from './helpers/soap-clients.js'

const available = spawnSync('php', ['-r', 'exit(class_exists("SoapClient") ? 0 : 1);'], { encoding: 'utf8' }).status === 0

t.test('PHP SoapClient: six operations and an invalid message through the gateway', { skip: !available && process.env.CI !== 'true' ? 'php with the soap extension (Debian php-cli, php-soap) is needed' : false }, async (t) => {
  const stack = await startStack()
  t.teardown(stack.close)
  const run = await runClient('php', [new URL('php_client.php', CLIENTS_DIR).pathname, `${stack.gatewayUrl}${SERVICE_PATH}?wsdl`, stack.pki.ca.cert, stack.pki.client.cert, stack.pki.client.key], JSON.stringify({ calls: plan() }))
  t.equal(run.code, 0, run.stderr)
  // SoapFault keeps the SOAP 1.2 Code but not its Subcode: the code is the Reason's first word.
  checkResults(t, stack, run.results, (fault) => /^(GW_[A-Z_]+):/.exec(fault.message)?.[1])
  t.equal(run.results[6]?.fault?.code, 'env:Sender')
})
