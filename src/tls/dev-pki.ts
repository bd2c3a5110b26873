/**
 * The development PKI made on first start (`npm start`) and by the tests: a CA, the gateway's
 * server certificate, a demo guichet's client certificate, the simulator's server certificate, the
 * client credential the gateway presents upstream and the CA's (empty) certificate revocation list.
 * Generated with the `openssl` CLI (Node has no X.509 issuing API); never committed (certs/ is
 * git-ignored; keys are written 0600). Not for production: production uses the certificates the
 * configuration names. `issueCertificate` and `writeCrl` make further certificates and CRLs with
 * the same CA (the tests' second guichet, revoked certificates).
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { access, copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface KeyPair {
  /** PEM certificate path */
  cert: string
  /** PEM private key path */
  key: string
}

export interface DevPki {
  dir: string
  ca: KeyPair
  /** the gateway's data-plane certificate: localhost, 127.0.0.1, ::1 */
  server: KeyPair
  /** a demo guichet's client certificate (CN = identity) */
  client: KeyPair & { identity: string }
  /** the simulator's server certificate: localhost, 127.0.0.1, ::1 */
  simulator: KeyPair
  /** the client credential the gateway presents to its upstreams */
  upstreamClient: KeyPair
  /** the CA's certificate revocation list (PEM), empty at first */
  crl: string
}

/** The demo guichet of libsne's examples (docs/sne-reference.md §2.2). */
export const DEV_CLIENT_IDENTITY = 'G1226'

interface Leaf {
  name: string
  subject: string
  extensions: string
}

const SERVER_EXT = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'
].join('\n')

const CLIENT_EXT = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=clientAuth'
].join('\n')

const LEAVES: Leaf[] = [
  { name: 'server', subject: '/O=sne-gateway dev/CN=localhost', extensions: SERVER_EXT },
  { name: 'client', subject: `/O=sne-gateway dev/OU=guichet/CN=${DEV_CLIENT_IDENTITY}`, extensions: CLIENT_EXT },
  { name: 'simulator', subject: '/O=sne-gateway dev/CN=simulator.localhost', extensions: SERVER_EXT },
  { name: 'upstream-client', subject: '/O=sne-gateway dev/CN=sne-gateway', extensions: CLIENT_EXT }
]

function paths (dir: string): DevPki {
  const pair = (name: string): KeyPair => ({ cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) })
  return {
    dir,
    ca: pair('ca'),
    server: pair('server'),
    client: { ...pair('client'), identity: DEV_CLIENT_IDENTITY },
    simulator: pair('simulator'),
    upstreamClient: pair('upstream-client'),
    crl: join(dir, 'crl.pem')
  }
}

async function exists (path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}

async function openssl (args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd })
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? ''
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim() || String(err)}`, { cause: err })
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

/** Writes `<name>.pem` and `<name>.key` in `dir`, signed by the CA files `ca` (paths). */
async function sign (dir: string, ca: KeyPair, leaf: Leaf): Promise<void> {
  await writeFile(join(dir, `${leaf.name}.ext`), leaf.extensions + '\n')
  await openssl(['req', ...EC_KEY, '-keyout', `${leaf.name}.key`, '-out', `${leaf.name}.csr`, '-subj', leaf.subject], dir)
  // 397 days: the longest validity browsers and TLS stacks accept for a leaf certificate.
  // A random serial (not -CAcreateserial's file beside the CA): issued anywhere, never twice the same.
  await openssl(['x509', '-req', '-in', `${leaf.name}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${randomBytes(16).toString('hex')}`,
    '-days', '397', '-sha256', '-extfile', `${leaf.name}.ext`, '-out', `${leaf.name}.pem`], dir)
  await rm(join(dir, `${leaf.name}.csr`), { force: true })
  await rm(join(dir, `${leaf.name}.ext`), { force: true })
}

async function generate (work: string): Promise<void> {
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650',
    '-subj', '/O=sne-gateway dev/CN=sne-gateway dev CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], work)
  const ca = { cert: join(work, 'ca.pem'), key: join(work, 'ca.key') }
  for (const leaf of LEAVES) await sign(work, ca, leaf)
  await writeCrl(ca, [], join(work, 'crl.pem'))
}

/**
 * Issues a certificate signed by `ca` into `dir` (`<name>.pem`, `<name>.key`): a client
 * certificate by default (the tests' further guichets and upstream credentials), or a server one.
 */
export async function issueCertificate (ca: KeyPair, dir: string, leaf: { name: string, subject: string, usage?: 'client' | 'server' }): Promise<KeyPair> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await sign(dir, ca, { name: leaf.name, subject: leaf.subject, extensions: leaf.usage === 'server' ? SERVER_EXT : CLIENT_EXT })
  return { cert: join(dir, `${leaf.name}.pem`), key: join(dir, `${leaf.name}.key`) }
}

/**
 * Writes to `out` a CRL of `ca` (valid `days` days, default 30) revoking the certificates at the
 * paths `revoked`, with `openssl ca` in a scratch database.
 */
export async function writeCrl (ca: KeyPair, revoked: readonly string[], out: string, days = 30): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'sne-gateway-crl-'))
  try {
    await writeFile(join(work, 'index.txt'), '')
    await writeFile(join(work, 'crlnumber'), '01\n')
    await writeFile(join(work, 'ca.cnf'), [
      '[ ca ]', 'default_ca = dev', '[ dev ]', 'database = index.txt', 'crlnumber = crlnumber', 'default_md = sha256',
      `certificate = ${resolve(ca.cert)}`, `private_key = ${resolve(ca.key)}`, ''
    ].join('\n'))
    for (const cert of revoked) await openssl(['ca', '-config', 'ca.cnf', '-revoke', resolve(cert)], work)
    await openssl(['ca', '-config', 'ca.cnf', '-gencrl', '-crldays', String(days), '-out', 'crl.pem'], work)
    await rename(join(work, 'crl.pem'), out).catch(async () => { await copyFile(join(work, 'crl.pem'), out) })
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/**
 * Returns the dev PKI in `dir`, generating it first when any file is missing. Generation happens in
 * a temporary folder renamed into place file by file, so that an interrupted first start never
 * leaves a half-made PKI that a later start would trust.
 */
export async function ensureDevPki (dir: string): Promise<DevPki> {
  const target = resolve(dir)
  const pki = paths(target)
  const files = [pki.ca, pki.server, pki.client, pki.simulator, pki.upstreamClient].flatMap((p) => [p.cert, p.key])
  if ((await Promise.all(files.map(exists))).every(Boolean)) {
    // A PKI made before CRLs were: its CA gets an empty one.
    if (!await exists(pki.crl)) await writeCrl(pki.ca, [], pki.crl)
    return pki
  }

  await mkdir(target, { recursive: true, mode: 0o700 })
  const work = await mkdtemp(join(target, '.tmp-'))
  try {
    await generate(work)
    // Keys last: a start that sees every key also sees every certificate.
    const names = ['ca', ...LEAVES.map((l) => l.name)]
    for (const name of names) await rename(join(work, `${name}.pem`), join(target, `${name}.pem`))
    await rename(join(work, 'crl.pem'), pki.crl)
    for (const name of names) await rename(join(work, `${name}.key`), join(target, `${name}.key`))
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return pki
}
