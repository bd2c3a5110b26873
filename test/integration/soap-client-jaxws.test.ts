// Interoperability: the JAX-WS RI (Debian jaxws, a headless JDK). wsimport generates the client
// classes from the WSDL the gateway publishes, over mutual TLS, with no warning but the one every
// SOAP 1.2 binding gets; a Java program written as an editor writes it loads the WSDL from the
// gateway and makes the six calls with MTOM, and one invalid message, through the gateway to the
// simulator. The generated and compiled classes are kept in the temp dir, keyed by the wsdl/
// files and the program, so that CI pays for wsimport and javac once.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { startStack, type Stack } from './helpers/gateway-stack.js'
import { CLIENTS_DIR, CRE_FILE, DOUBLONS_FILE, SERVICE_PATH, checkResults, run, runClient } from './helpers/soap-clients.js'

const JAXWS_RT = '/usr/share/java/jaxws-rt.jar'
const available = ['/usr/bin/wsimport', '/usr/bin/javac', '/usr/bin/keytool', JAXWS_RT].every((f) => existsSync(f))
const PROGRAM = new URL('JaxwsClient.java', CLIENTS_DIR).pathname
const WSDL_DIR = new URL('../../wsdl/', import.meta.url).pathname
const PASSWORD = 'changeit'

/** The classes, generated and compiled once per content of wsdl/ and of the program. */
async function compiledClient (t: Test, stack: Stack, tls: string[]): Promise<{ classes: string, warnings: string[] }> {
  const hash = createHash('sha256')
  for (const f of readdirSync(WSDL_DIR).sort()) hash.update(f).update(readFileSync(join(WSDL_DIR, f)))
  hash.update(readFileSync(PROGRAM))
  const dir = join(tmpdir(), `sne-gateway-jaxws-${hash.digest('hex').slice(0, 16)}`)
  const classes = join(dir, 'classes')
  if (existsSync(classes)) return { classes, warnings: readFileSync(join(dir, 'warnings.txt'), 'utf8').split('\n').filter((l) => l !== '') }
  const work = mkdtempSync(`${dir}.tmp-`)
  try {
    for (const d of ['src', 'classes']) mkdirSync(join(work, d))
    const generated = await run('wsimport', ['-extension', '-Xnocompile', '-keep', '-s', join(work, 'src'), '-d', join(work, 'classes'), '-p', 'sne.client', `${stack.gatewayUrl}${SERVICE_PATH}?wsdl`], '', {
      // XJC refuses to fetch an imported schema over https unless told (JAXP's accessExternalSchema)
      WSIMPORT_OPTS: [...tls, '-Djavax.xml.accessExternalSchema=all'].join(' ')
    })
    t.equal(generated.code, 0, `wsimport: ${generated.stderr}${generated.stdout}`)
    const sources = readdirSync(join(work, 'src', 'sne', 'client')).map((f) => join(work, 'src', 'sne', 'client', f))
    const compiled = await run('javac', ['-nowarn', '-cp', JAXWS_RT, '-d', join(work, 'classes'), ...sources, PROGRAM])
    t.equal(compiled.code, 0, `javac: ${compiled.stderr}`)
    const warnings = generated.stdout.split('\n').filter((l) => l.startsWith('[WARNING]'))
    writeFileSync(join(work, 'warnings.txt'), warnings.join('\n'))
    // another run may have finished first: its copy is as good
    if (!existsSync(dir)) renameSync(work, dir)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return { classes, warnings: readFileSync(join(dir, 'warnings.txt'), 'utf8').split('\n').filter((l) => l !== '') }
}

t.test('JAX-WS RI: wsimport from the gateway, six operations with MTOM and an invalid message', { skip: !available && process.env.CI !== 'true' ? 'wsimport, javac and keytool (Debian jaxws, default-jdk-headless) are needed' : false }, async (t) => {
  const stack = await startStack()
  t.teardown(stack.close)
  const keys = t.testdir({})
  // Java reads PKCS#12 stores: the guichet's key and certificate, and the CA as trusted.
  const p12 = await run('openssl', ['pkcs12', '-export', '-in', stack.pki.client.cert, '-inkey', stack.pki.client.key, '-out', join(keys, 'client.p12'), '-passout', `pass:${PASSWORD}`])
  t.equal(p12.code, 0, p12.stderr)
  const trust = await run('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', stack.pki.ca.cert, '-keystore', join(keys, 'trust.p12'), '-storetype', 'PKCS12', '-storepass', PASSWORD])
  t.equal(trust.code, 0, trust.stderr)
  const tls = [
    `-Djavax.net.ssl.keyStore=${join(keys, 'client.p12')}`, '-Djavax.net.ssl.keyStoreType=PKCS12', `-Djavax.net.ssl.keyStorePassword=${PASSWORD}`,
    `-Djavax.net.ssl.trustStore=${join(keys, 'trust.p12')}`, '-Djavax.net.ssl.trustStoreType=PKCS12', `-Djavax.net.ssl.trustStorePassword=${PASSWORD}`
  ]
  const { classes, warnings } = await compiledClient(t, stack, tls)
  t.same(warnings, ['[WARNING] SOAP port "DemandeLogementImplPort": uses a non-standard SOAP 1.2 binding.'],
    'wsimport warns only that SOAP 1.2 is outside JAX-WS\'s standard bindings (xmime:expectedContentTypes is read where JAXB reads it)')
  const result = await runClient('java', [...tls, '-cp', `${classes}:${JAXWS_RT}`, 'JaxwsClient', `${stack.gatewayUrl}${SERVICE_PATH}?wsdl`, CRE_FILE, DOUBLONS_FILE], '')
  t.equal(result.code, 0, result.stderr)
  // SOAPFaultException exposes the SOAP 1.2 Subcodes as QNames.
  checkResults(t, stack, result.results, (fault) => fault.subcodes?.[0]?.replace('{urn:sne-gateway:faults}', ''))
  t.equal(result.results[6]?.fault?.code, '{http://www.w3.org/2003/05/soap-envelope}Sender')
  const creation = stack.logs.access().find((l) => l.operation === 'getNumUnique')
  t.match(creation, { outcome: 'forwarded', status: 200 }, 'the CRE was forwarded')
})
