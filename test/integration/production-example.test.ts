// The production example tried as an ops person would (docs/operations.md): its certificates made
// by examples/make-production-certs.sh, the code compiled with tsc into an /app-like folder as the
// image's build stage does, examples/gateway.production.json started unchanged with
// `node dist/src/cli.js start --config …` (the image's entry point) with the script's secrets.env
// and outside-image.env sourced, both environments enabled, in front of a real école simulator
// standing in for the SNE (its URL from SNE_ECOLE_URL and SNE_PRODUCTION_URL), calls over TLS with
// guichets' certificates from the script to each environment, then SIGTERM: a clean stop.
import t from 'tap'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { copyFile, cp, mkdir, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, posix } from 'node:path'
import { promisify } from 'node:util'
import { GATEWAY_NODE_FLAGS } from '../../bench/harness/targets.js'
import { REPO_ROOT } from '../helpers/child-process.js'
import { PRODUCTION_EXAMPLE } from '../config/helpers/production-example.js'
import { fileOptionValues, IMAGE_ETC, loadAsInImage } from '../deploy/helpers/image-config.js'

t.setTimeout(300_000)
const exec = promisify(execFile)

/** KEY=value lines (values optionally in single quotes), as the script writes them. */
function envFile (path: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(?:'([^']*)'|(\S*))$/.exec(line)
    if (m !== null) out[m[1]!] = m[2] ?? m[3]!
  }
  return out
}

/** The final stage's COPY instructions of docker/Dockerfile, as paths relative to its WORKDIR. */
function imageCopies (): Array<{ from: string, to: string, fromBuild: boolean }> {
  const lines = readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim())
  const final = lines.slice(lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true))
  const workdir = final.filter((l) => l.startsWith('WORKDIR ')).at(-1)!.slice('WORKDIR '.length).trim()
  return final.filter((l) => l.startsWith('COPY ')).map((l) => {
    const words = l.split(/\s+/).slice(1)
    const fromBuild = words[0] === '--from=build'
    const [from, to] = fromBuild ? [words[1]!, words[2]!] : [words[0]!, words[1]!]
    const source = fromBuild ? posix.relative(workdir, from) : from
    const target = posix.relative(workdir, posix.resolve(workdir, to.endsWith('/') ? posix.join(to, posix.basename(source)) : to))
    return { from: source, to: target, fromBuild }
  })
}

/** Resolves with the first match of `pattern` in what `stream` prints (bounded by `ms`). */
async function waitForOutput (proc: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return await new Promise((resolve, reject) => {
    let text = ''
    let all = ''
    const timer = setTimeout(() => { reject(new Error(`no ${String(pattern)} within ${ms} ms: ${all.slice(-2000)}`)) }, ms)
    const other = stream === 'stdout' ? proc.stderr : proc.stdout
    other?.on('data', (d: Buffer) => { all += d.toString('utf8') })
    proc[stream]!.on('data', (d: Buffer) => {
      all += d.toString('utf8')
      text += d.toString('utf8')
      const m = pattern.exec(text)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m)
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited ${String(code)} before ${String(pattern)}: ${all.slice(-2000)}`))
    })
  })
}

const root = t.testdir({})
const pki = join(root, 'pki')
const made = exec('bash', [join(REPO_ROOT, 'examples/make-production-certs.sh'), pki], { timeout: 120_000 })

t.test('the script makes every file the production example names, keys opening with their passphrases', async (t) => {
  await made
  t.equal(readFileSync(join(pki, 'etc/gateway.json'), 'utf8'), readFileSync(PRODUCTION_EXAMPLE, 'utf8'), 'gateway.json is the example unchanged')
  const secrets = envFile(join(pki, 'secrets.env'))
  t.same(Object.keys(secrets).sort(), ['SNE_ECOLE_KEY_PASSPHRASE', 'SNE_PRODUCTION_KEY_PASSPHRASE', 'SNE_SERVER_KEY_PASSPHRASE'])
  // The example as the image loads it (from /etc/sne-gateway/gateway.json): every file it reads is
  // under /etc/sne-gateway/, which DIR/etc stands for.
  const config = loadAsInImage({ ...secrets, SNE_PRODUCTION_URL: 'https://p.invalid/', SNE_ECOLE_URL: 'https://e.invalid/' })
  const local = (path: string): string => {
    t.ok(path.startsWith(IMAGE_ETC), `${path} is under ${IMAGE_ETC}`)
    return join(pki, 'etc', path.slice(IMAGE_ETC.length))
  }
  const named = fileOptionValues(config).filter((f) => f.startsWith(IMAGE_ETC))
  t.ok(named.length >= 14, `${named.length} files read`)
  for (const file of named) {
    t.ok(existsSync(local(file)), `${file} is made`)
    if (/\.(key|pass|bin)$/.test(file)) t.equal(statSync(local(file)).mode & 0o077, 0, `${file}: no access for group or others`)
  }
  t.equal(statSync(local(config.dataPlane.tls.ticketKeys!)).size, 48, 'ticket keys: 48 bytes')

  const caOf = (file: string): X509Certificate => new X509Certificate(readFileSync(file))
  const guichetsCa = caOf(local(config.dataPlane.tls.clientCa!))
  const pairs: Array<{ what: string, cert: string, key: string, passphrase: string | undefined, issuer: X509Certificate }> = [
    { what: 'data plane', cert: config.dataPlane.tls.cert, key: config.dataPlane.tls.key, passphrase: config.dataPlane.tls.passphrase, issuer: caOf(join(pki, 'guichets/server-ca.pem')) }
  ]
  for (const [name, env] of Object.entries(config.environments)) {
    const sneCa = caOf(local(env.upstream.ca!))
    pairs.push({ what: `${name} upstream`, cert: env.upstream.cert!, key: env.upstream.key!, passphrase: env.upstream.passphrase, issuer: sneCa })
    for (const [id, c] of Object.entries(env.upstream.credentials)) {
      pairs.push({ what: `${name} credential ${id}`, cert: c.cert, key: c.key, passphrase: c.passphraseFile === undefined ? undefined : readFileSync(local(c.passphraseFile), 'utf8').trim(), issuer: sneCa })
    }
  }
  t.ok(pairs.length >= 4)
  for (const p of pairs) {
    t.ok(p.passphrase, `${p.what}: an encrypted key`)
    t.throws(() => createPrivateKey({ key: readFileSync(local(p.key)), passphrase: 'wrong' }), `${p.what}: not without its passphrase`)
    const key = createPrivateKey({ key: readFileSync(local(p.key)), passphrase: p.passphrase })
    const cert = caOf(local(p.cert))
    t.ok(cert.checkPrivateKey(key), `${p.what}: the key is the certificate's`)
    t.ok(cert.verify(p.issuer.publicKey), `${p.what}: issued by ${p.issuer.subject.replace(/\n/g, ', ')}`)
  }
  const server = caOf(local(config.dataPlane.tls.cert))
  for (const env of Object.values(config.environments)) for (const host of env.hostnames) t.ok(server.checkHost(host), `the server certificate names ${host}`)
  t.ok(server.checkHost(new URL(config.dataPlane.publicUrl!).hostname), 'and the publicUrl\'s host')
  const identities = new Set(Object.values(config.environments).flatMap((e) => [...e.allowedIdentities ?? [], ...Object.keys(e.guichets?.identities ?? {})]).filter((i) => i !== '*'))
  for (const id of identities) {
    const cert = caOf(join(pki, `guichets/${id}.pem`))
    t.match(cert.subject, new RegExp(`(^|\\n)CN=${id}($|\\n)`), `a client certificate for ${id}`)
    t.ok(cert.verify(guichetsCa.publicKey), `${id}: issued by the guichets' CA the example trusts`)
  }
  t.equal(statSync(join(pki, 'ca/guichets-ca.key')).mode & 0o077, 0, 'the CA keys are private')
  t.notOk(existsSync(join(pki, 'etc/ca')) || existsSync(join(pki, 'etc/tls/guichets-ca.key')), 'no CA key where the gateway reads')

  const again = await exec('bash', [join(REPO_ROOT, 'examples/make-production-certs.sh'), pki]).then(() => 0, (e: { code: number, stderr: string }) => { t.match(e.stderr, 'not empty'); return e.code })
  t.equal(again, 1, 'never over existing certificates')
})

t.test('the example starts as the image starts it, serves a guichet through TLS, and stops on SIGTERM', async (t) => {
  await made
  // The image's /app: what the Dockerfile's final stage copies, the build stage's output compiled
  // here with tsc as that stage runs it (dist/), everything else from the repository.
  const build = join(root, 'build')
  await exec(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(build, 'dist')], { timeout: 240_000 })
  const app = join(root, 'app')
  const copies = imageCopies()
  t.same(copies.map((c) => c.to).sort(), ['dist/src', 'examples', 'node_modules', 'package.json', 'wsdl'], 'what the image holds')
  for (const { from, to, fromBuild } of copies) {
    const source = fromBuild && from.startsWith('dist/') ? join(build, from) : join(REPO_ROOT, from)
    await mkdir(dirname(join(app, to)), { recursive: true })
    // The compiled code copied (a module's own URL is its real path: the package root is found
    // from it); the rest linked.
    if (source.startsWith(build)) await cp(source, join(app, to), { recursive: true })
    else if (statSync(source).isDirectory()) await symlink(source, join(app, to))
    else await copyFile(source, join(app, to))
  }

  const children: ChildProcess[] = []
  t.teardown(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL') })
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNE_')))

  // The SNE's stand-in: the école simulator with the script's certificates.
  const sim = spawn(process.execPath, ['dist/src/cli.js', 'simulator', '--config', join(pki, 'sne-standin/simulator.json'), '--port', '0', '--admin-port', '0'],
    { cwd: app, env: cleanEnv, stdio: ['ignore', 'ignore', 'pipe'] })
  children.push(sim)
  const [, simUrl, adminUrl] = await waitForOutput(sim, 'stderr', /simulator: (https:\/\/127\.0\.0\.1:\d+\/services\/DemandeLogementImplService\/) .*admin API (http:\/\/127\.0\.0\.1:\d+)/, 120_000)

  // The operator's start: the secrets and the outside-the-image overrides sourced, then the image's command.
  const command = `set -a; . '${pki}/secrets.env'; . '${pki}/outside-image.env'; set +a; exec node ${GATEWAY_NODE_FLAGS.join(' ')} dist/src/cli.js start --config '${pki}/etc/gateway.json'`
  const gateway = spawn('bash', ['-c', command], {
    cwd: app,
    env: {
      ...cleanEnv,
      // both environments in front of the stand-in (it trusts the CA of both environments' credentials)
      SNE_ECOLE_URL: simUrl!,
      SNE_PRODUCTION_URL: simUrl!,
      // this test's own: loopback and free ports on a shared machine
      SNE_GATEWAY_DATA_PLANE_HOST: '127.0.0.1',
      SNE_GATEWAY_DATA_PLANE_PORT: '0',
      SNE_GATEWAY_OPS_PORT: '0'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.push(gateway)
  let stdout = ''
  let stderr = ''
  gateway.stdout!.on('data', (d: Buffer) => { stdout += d.toString('utf8') })
  gateway.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8') })
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => { resolve(code) }))
  const [, dataPort, opsUrl] = await waitForOutput(gateway, 'stdout', /"dataPlane":"https:\/\/127\.0\.0\.1:(\d+)","ops":"(http:\/\/127\.0\.0\.1:\d+)"/, 120_000)
  t.match(stdout, /"msg":"configuration loaded"/)
  t.match(stdout, /"environments":\["production","ecole"\]/, 'both environments of the example')

  // Guichets' calls, by each environment's host name as a client would (resolved to loopback).
  const curl = async (cert: string, extra: string[] = [], host = 'sne-ecole.gateway.example.fr'): Promise<{ code: number, stdout: string }> => await exec('curl', [
    '-sS', '--max-time', '30', '--resolve', `${host}:${dataPort!}:127.0.0.1`, '--cacert', join(pki, 'guichets/server-ca.pem'),
    '--cert', `${cert}.pem`, '--key', `${cert}.key`, ...extra, `https://${host}:${dataPort!}/services/DemandeLogementImplService/`
  ], { timeout: 60_000 }).then((r) => ({ code: 0, stdout: r.stdout }), (e: { code: number, stdout: string }) => ({ code: e.code, stdout: e.stdout }))
  const contentType = readFileSync(join(REPO_ROOT, 'examples/requests/getDoublons.content-type'), 'utf8').trim()
  const message = join(REPO_ROOT, 'examples/requests/getDoublons.mtom')
  // The same search acting for G1104, whose production calls go with its own credential.
  const forG1104 = join(root, 'getDoublons-G1104.mtom')
  await writeFile(forG1104, readFileSync(message, 'latin1').replaceAll('G1226', 'G1104'), 'latin1')
  const calls: Array<[string, string, string]> = [
    ['G1226', message, 'sne-ecole.gateway.example.fr'],
    ['G1226', message, 'sne.gateway.example.fr'],
    ['G1104', forG1104, 'sne.gateway.example.fr']
  ]
  for (const [guichet, file, host] of calls) {
    const call = await curl(join(pki, `guichets/${guichet}`), ['-H', `Content-Type: ${contentType}`, '--data-binary', `@${file}`, '-w', '\n%{http_code}'], host)
    t.equal(call.code, 0, `${guichet} on ${host}: TLS with the gateway's server certificate, as the server CA vouches`)
    t.match(call.stdout, /\n200$/, 'HTTP 200')
    t.match(call.stdout, 'rechercheDoublonsReponse', 'the SNE stand-in\'s answer')
  }
  const forwarded = await (await fetch(`${adminUrl!}/calls`)).json() as { calls: Array<{ operation: string, client: { cn: string } }> }
  t.same(forwarded.calls.map((c) => [c.operation, c.client.cn]), [
    ['getDoublons', 'sne-gateway ecole'],
    ['getDoublons', 'sne-gateway production'],
    ['getDoublons', 'G1104']
  ], 'forwarded with the script\'s credentials: école\'s, production\'s, and G1104\'s own in production')

  const foreign = await curl(join(pki, 'etc/upstream/production-client'), ['--pass', envFile(join(pki, 'secrets.env')).SNE_PRODUCTION_KEY_PASSPHRASE!])
  t.not(foreign.code, 0, 'a certificate of another CA than the guichets\' is refused during the handshake')

  // The ops plane: probes open, the rest behind the script's token.
  let ready = 0
  let readiness: { upstreams?: Record<string, { ok: boolean }> } = {}
  for (let i = 0; i < 400 && ready !== 200; i++) {
    const answer = await fetch(`${opsUrl!}/health/ready`)
    ready = answer.status
    readiness = await answer.json() as typeof readiness
    if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(ready, 200, 'ready: the spec loaded, both upstreams answered')
  t.same(Object.keys(readiness.upstreams ?? {}).sort(), ['ecole', 'production'], 'both environments enabled, each probed')
  t.equal((await fetch(`${opsUrl!}/metrics`)).status, 401, 'metrics: not without the token')
  const token = readFileSync(join(pki, 'etc/ops/token'), 'utf8').trim()
  const metrics = await fetch(`${opsUrl!}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  t.equal(metrics.status, 200, 'metrics with the token')
  t.match(await metrics.text(), /sne_gateway_/)

  gateway.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM: exit status 0')
  t.match(stdout, /"signal":"SIGTERM"/)
  t.match(stdout, /"msg":"stopped"/)
  t.notMatch(stdout, 'drain timed out')
  t.notMatch(stdout, /"level":(50|60)/, 'no error logged')
  t.equal(stderr, '', 'nothing on stderr')
  for (const file of ['idempotency.sqlite', 'tls-census.sqlite']) {
    t.equal(statSync(join(pki, 'state', file)).mode & 0o777, 0o600, `state/${file}: written where /var/lib/sne-gateway stands, 0600`)
  }
  sim.kill('SIGTERM')
})
