// Fatal start errors of `sne-gateway start`, run as the CLI: each ends in one JSON line on stderr
// with its code and the option and file (or address) at fault, no stack trace, and exit status 1.
// `--version` prints the package's version.
import t, { type Test } from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testPki } from '../helpers/pki.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'))

async function cli (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await new Promise((resolve) => {
    execFile(process.execPath, [...loader, join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? null, stdout, stderr })
    })
  })
}

async function configWith (t: Test, edit: (tls: Record<string, string>) => void, port = 0): Promise<string> {
  const pki = await testPki()
  const tls: Record<string, string> = { cert: pki.server.cert, key: pki.server.key }
  edit(tls)
  const dir = t.testdir({})
  const file = join(dir, 'gateway.json')
  writeFileSync(file, JSON.stringify({
    dataPlane: { host: '127.0.0.1', port, tls: { ...tls, clientCertificates: 'optional', clientCa: pki.ca.cert } },
    ops: { enabled: false },
    census: { enabled: false },
    validation: { workers: 0 },
    environments: { ecole: { upstream: { url: 'https://127.0.0.1:1/services/DemandeLogementImplService/', ca: pki.ca.cert, cert: pki.upstreamClient.cert, key: pki.upstreamClient.key } } }
  }))
  return file
}

/** The one line on stderr, parsed. */
function fatal (t: Test, stderr: string): { code: string, msg: string, level: number, stack?: string } {
  const lines = stderr.split('\n').filter((l) => l !== '')
  t.equal(lines.length, 1, `one line: ${stderr}`)
  return JSON.parse(lines[0] ?? '{}')
}

t.test('a key that is not the certificate\'s', async (t) => {
  const pki = await testPki()
  const file = await configWith(t, (tls) => { tls.key = pki.client.key })
  const r = await cli(['start', '--config', file])
  t.equal(r.code, 1)
  const line = fatal(t, r.stderr)
  t.equal(line.code, 'GW_CONFIG_KEY_MISMATCH')
  t.equal(line.level, 60)
  t.match(line.msg, `/dataPlane/tls/key: the private key in ${pki.client.key} is not the key of the certificate /dataPlane/tls/cert names (${pki.server.cert})`)
  t.notOk(line.stack, 'no stack trace')
})

t.test('a certificate file that is not PEM', async (t) => {
  const file = await configWith(t, () => {})
  const dir = dirname(file)
  writeFileSync(join(dir, 'cert.der'), 'garbage, not a certificate\n')
  const raw = JSON.parse(readFileSync(file, 'utf8'))
  raw.dataPlane.tls.cert = join(dir, 'cert.der')
  writeFileSync(file, JSON.stringify(raw))
  const r = await cli(['start', '--config', file])
  t.equal(r.code, 1)
  const line = fatal(t, r.stderr)
  t.equal(line.code, 'GW_CONFIG_NOT_PEM')
  t.match(line.msg, `/dataPlane/tls/cert: file ${join(dir, 'cert.der')} is not PEM`)
})

t.test('an upstream credential whose key is not its certificate\'s is refused at start, not at the first call', async (t) => {
  const pki = await testPki()
  const file = await configWith(t, () => {})
  const raw = JSON.parse(readFileSync(file, 'utf8'))
  raw.environments.ecole.upstream.key = pki.client.key
  writeFileSync(file, JSON.stringify(raw))
  const r = await cli(['start', '--config', file])
  t.equal(r.code, 1)
  const line = fatal(t, r.stderr)
  t.equal(line.code, 'GW_CONFIG_KEY_MISMATCH')
  t.match(line.msg, '/environments/ecole/upstream/key')
})

t.test('a port already in use', async (t) => {
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { holder.close() })
  const port = (holder.address() as AddressInfo).port
  const file = await configWith(t, () => {}, port)
  const r = await cli(['start', '--config', file])
  t.equal(r.code, 1)
  const line = fatal(t, r.stderr.split('\n').filter((l) => l.startsWith('{"level":60')).join('\n'))
  t.equal(line.code, 'GW_CONFIG_LISTEN_FAILED')
  t.match(line.msg, `/dataPlane/port: cannot listen on 127.0.0.1:${port}: the address is in use`)
})

t.test('--version', async (t) => {
  const r = await cli(['--version'])
  t.equal(r.code, 0)
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
  t.equal(r.stdout, `sne-gateway ${pkg.version}\n`)
})
