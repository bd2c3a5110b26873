// No Docker engine runs here: the image is checked by reading docker/Dockerfile beside the
// production example it must run unchanged (examples/gateway.production.json, loaded as the CLI
// would): a supported Node LTS, a non-root user, the interface files where the example's spec.dir
// says, every file the gateway writes under the one declared volume (so that the root filesystem
// can be read-only), and a HEALTHCHECK on the example's ops plane.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config/load.js'
import { PRODUCTION_EXAMPLE, PRODUCTION_EXAMPLE_ENV } from '../config/helpers/production-example.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const dockerfile = readFileSync(`${ROOT}docker/Dockerfile`, 'utf8')
// Instructions, continuation lines joined, comments dropped.
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
const finalStage = instructions.slice(instructions.map((l) => l.startsWith('FROM ')).lastIndexOf(true))
const arg = (line: string): string => line.slice(line.indexOf(' ') + 1).trim()
const lastOf = (keyword: string): string | undefined => finalStage.filter((l) => l.startsWith(`${keyword} `)).map(arg).at(-1)
const env = PRODUCTION_EXAMPLE_ENV
// Node LTS lines supported on the session's date (2026-12): 22 (maintenance until 2027-04) and 24.
const SUPPORTED_LTS = [22, 24]

t.test('every stage runs a supported Node LTS on Debian slim', async (t) => {
  const froms = instructions.filter((l) => l.startsWith('FROM ')).map(arg)
  t.ok(froms.length >= 2, 'a build stage and a run stage')
  for (const from of froms) {
    const m = /^node:(\d+)-bookworm-slim(\s|$)/.exec(from)
    t.ok(m !== null && SUPPORTED_LTS.includes(Number(m[1])), `${from} is a supported LTS`)
  }
})

t.test('the image runs the production example unchanged', async (t) => {
  const { config } = await loadConfig(PRODUCTION_EXAMPLE, { env, cwd: '/' })
  const workdir = lastOf('WORKDIR')!
  const copiedWsdl = finalStage.filter((l) => l.startsWith('COPY ') && /\swsdl\s/.test(` ${arg(l)} `)).map((l) => posix.resolve(workdir, arg(l).split(/\s+/).at(-1)!))
  t.same(copiedWsdl, [config.spec.dir], `spec.dir ${String(config.spec.dir)} is where the image puts wsdl/`)
  const cmd = JSON.parse(lastOf('CMD')!) as string[]
  t.same(cmd, ['start', '--config', '/etc/sne-gateway/gateway.json'], 'the configuration file the operator mounts')
  const entry = JSON.parse(lastOf('ENTRYPOINT')!) as string[]
  t.ok(entry.includes('dist/src/cli.js'), 'the compiled CLI')
  t.ok(finalStage.some((l) => /^COPY --from=build \/app\/dist\/src \.\/dist\/src$/.test(l)), 'copied from the build stage')

  const user = lastOf('USER')
  t.ok(user !== undefined && user !== 'root' && user !== '0', `runs as ${String(user)}, not root`)

  const volumes = JSON.parse(lastOf('VOLUME') ?? '[]') as string[]
  t.same(volumes, ['/var/lib/sne-gateway'], 'one writable volume')
  const written = [config.census.enabled ? config.census.file : undefined, config.audit.file, config.log.file].filter((f): f is string => f !== undefined)
  t.ok(written.length >= 2, 'the census and the audit are written')
  for (const file of written) t.ok(file.startsWith(`${volumes[0]!}/`), `${file} is under the volume`)
  t.ok(finalStage.some((l) => l.startsWith('RUN ') && l.includes('/var/lib/sne-gateway') && l.includes(`chown -R ${user!}:`)), 'the volume belongs to the user')
})

t.test('a HEALTHCHECK calls the example\'s ops plane liveness', async (t) => {
  const { config } = await loadConfig(PRODUCTION_EXAMPLE, { env, cwd: '/' })
  const health = lastOf('HEALTHCHECK')
  t.ok(health, 'HEALTHCHECK present')
  t.ok(config.ops.enabled && ['127.0.0.1', '0.0.0.0'].includes(config.ops.host), 'the ops plane listens on loopback inside the container')
  t.match(health, `http://127.0.0.1:${config.ops.port}/health/live`)
})
