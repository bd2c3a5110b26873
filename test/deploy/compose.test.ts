// docker/compose.yaml read offline (helpers/compose.ts): two gateway replicas on one PostgreSQL
// store, its password only in the uncommitted docker/.env; every gateway's environment, with the
// passphrases of the script's secrets.env, loads the production example unchanged with both
// environments and the store. Mutated copies prove the checks can fail.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { resolveConfig } from '../../src/config/load.js'
import { PRODUCTION_EXAMPLE } from '../config/helpers/production-example.js'
import { composeViolations, gatewayServices, interpolate, type Doc } from './helpers/compose.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const text = readFileSync(`${ROOT}docker/compose.yaml`, 'utf8')
const compose = (): Doc => parse(text, { merge: true }) as Doc
const example = JSON.parse(readFileSync(PRODUCTION_EXAMPLE, 'utf8')) as unknown

t.test('two gateways, a healthy PostgreSQL first, the store URL from the environment, a volume each', async (t) => {
  t.same(composeViolations(compose()), [])
  t.same(gatewayServices(compose()).map(([name]) => name), ['gateway-a', 'gateway-b'])
})

t.test('a mutated copy fails', async (t) => {
  const cases: Array<[string, (d: Doc) => void, RegExp]> = [
    ['one replica', (d) => { delete d.services['gateway-b'] }, /^1 gateway replica\(s\), not 2$/],
    ['no healthcheck', (d) => { delete d.services.postgres.healthcheck }, /postgres: no healthcheck with pg_isready/],
    ['started before PostgreSQL is healthy', (d) => { d.services['gateway-a'].depends_on.postgres.condition = 'service_started' }, /gateway-a: does not wait for postgres/],
    ['no store URL', (d) => { delete d.services['gateway-b'].environment.SNE_GATEWAY_STORE_URL }, /gateway-b: SNE_GATEWAY_STORE_URL is not/],
    ['a literal password in the URL', (d) => { d.services['gateway-a'].environment.SNE_GATEWAY_STORE_URL = 'postgres://sne_gateway:hunter2@postgres:5432/sne_gateway' }, /a literal password in a URL/],
    ['a literal POSTGRES_PASSWORD', (d) => { d.services.postgres.environment.POSTGRES_PASSWORD = 'hunter2' }, /POSTGRES_PASSWORD: a literal secret/],
    ['one state volume for both', (d) => { d.services['gateway-b'].volumes[1] = 'gateway-a-state:/var/lib/sne-gateway' }, /gateway-b: shares gateway-a-state with gateway-a/],
    ['a state volume not declared', (d) => { delete d.volumes['gateway-b-state'] }, /gateway-b: no named volume at/],
    ['PostgreSQL without a volume', (d) => { d.services.postgres.volumes = [] }, /postgres: its data not on a named volume/]
  ]
  for (const [what, mutate, expected] of cases) {
    const doc = compose()
    mutate(doc)
    const violations = composeViolations(doc)
    t.ok(violations.some((v) => expected.test(v)), `${what}: ${violations.join(' | ')}`)
  }
  const replicated = compose()
  delete replicated.services['gateway-b']
  replicated.services['gateway-a'].deploy = { replicas: 2 }
  t.notOk(composeViolations(replicated).some((v) => /replica/.test(v)), 'deploy.replicas counts')
})

t.test('docker/.env is what compose needs, and is never committed', async (t) => {
  t.throws(() => interpolate(text, { SNE_TRIAL_DIR: '/srv/sne-trial' }), /SNE_STORE_PASSWORD is not set/)
  t.match(readFileSync(`${ROOT}.gitignore`, 'utf8'), /^docker\/\.env$/m)
})

t.test('each gateway\'s environment starts the production example unchanged: both environments, the shared store', async (t) => {
  // The passphrases come from the script's secrets.env (env_file): the names it writes.
  const script = readFileSync(`${ROOT}examples/make-production-certs.sh`, 'utf8')
  const secrets = /cat > "\$out\/secrets\.env" <<EOF\n([^]*?)\nEOF/.exec(script)![1]!.split('\n').map((l) => l.split('=')[0]!)
  t.same(secrets.sort(), ['SNE_ECOLE_KEY_PASSPHRASE', 'SNE_PRODUCTION_KEY_PASSPHRASE', 'SNE_SERVER_KEY_PASSPHRASE'])
  const doc = parse(interpolate(text, { SNE_TRIAL_DIR: '/srv/sne-trial', SNE_STORE_PASSWORD: 'f00d' }), { merge: true }) as Doc
  for (const [name, service] of gatewayServices(doc)) {
    t.same(service.env_file, ['/srv/sne-trial/secrets.env'], `${name}: the script's secrets.env`)
    t.ok(service.volumes.includes('/srv/sne-trial/etc:/etc/sne-gateway:ro'), `${name}: the script's etc/ where the image reads it`)
    const env: Record<string, string> = { ...Object.fromEntries(secrets.map((s) => [s, 'x'])), ...service.environment }
    const { config, unknownVariables } = resolveConfig(example, { env, cwd: '/app', baseDir: '/etc/sne-gateway' })
    t.same(unknownVariables, [], `${name}: every SNE_GATEWAY_ variable is an option`)
    t.same(Object.entries(config.environments).filter(([, e]) => e.enabled).map(([n]) => n), ['production', 'ecole'], `${name}: both environments`)
    t.equal(config.store?.url, 'postgres://sne_gateway:f00d@postgres:5432/sne_gateway')
    t.ok(config.audit.file?.startsWith('/var/lib/sne-gateway/'), `${name}: the audit file on its own volume`)
    t.equal(config.ops.tokenFile, '/etc/sne-gateway/ops/token', `${name}: the ops plane published behind the token`)
  }
  // The stand-in's server certificate is made for the script's default names: the gateways check it by one of them.
  const names = /\|\| names=\(([^)]*)\)/.exec(script)![1]!.split(/\s+/)
  for (const [name, service] of gatewayServices(doc)) {
    for (const env of ['PRODUCTION', 'ECOLE']) {
      const servername = service.environment[`SNE_GATEWAY_ENV_${env}_UPSTREAM_SERVERNAME`] as string
      t.ok(names.includes(servername), `${name}: ${env.toLowerCase()}'s upstream checked as ${servername}, a name of the stand-in's certificate`)
      t.match(service.environment[`SNE_${env}_URL`], /^https:\/\/sne-standin:8444\//)
    }
  }
  const standin = doc.services['sne-standin'] as Doc
  t.ok(standin.command.join(' ').includes('--port 8444'), 'the stand-in on the port the URLs name')
  t.equal(standin.command[0], 'simulator')
  t.ok(standin.volumes.includes('/srv/sne-trial:/srv/sne-trial:ro'))
  t.same(standin.healthcheck, { disable: true }, 'not the gateway\'s HEALTHCHECK')
})
