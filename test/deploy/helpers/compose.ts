// An offline check of docker/compose.yaml (no `docker compose` here: the Docker CLI has no compose
// plugin on these machines), as the several-instances deployment needs it: gateway replicas that
// wait for a healthy PostgreSQL, take the store's URL from the environment with its password from
// docker/.env (never a literal), and each write to a volume of its own.

export type Doc = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Compose's `${VAR}`, `${VAR:?message}`, `${VAR:-default}` interpolation, from `vars`. */
export function interpolate (text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[?-]([^}]*))?\}/g, (_, name: string) => {
    const value = vars[name]
    if (value === undefined) throw new Error(`compose would refuse to start: ${name} is not set`)
    return value
  })
}

/** The services that run the gateway: built from the Dockerfile, the image's command (`start`). */
export function gatewayServices (doc: Doc): Array<[string, Doc]> {
  return Object.entries(doc.services as Record<string, Doc>)
    .filter(([, s]) => s.build?.dockerfile === 'docker/Dockerfile' && (s.command === undefined || s.command[0] === 'start'))
}

const PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:\?[^}]*)?\}$/
const STATE = '/var/lib/sne-gateway'

/** The named volume mounted at `target` in `service`, or undefined. */
function volumeAt (service: Doc, target: string): string | undefined {
  for (const v of service.volumes ?? []) {
    const [source, at] = String(v).split(':')
    if (at === target && source !== undefined && !source.includes('/')) return source
  }
  return undefined
}

/** What keeps `doc` from running two gateways on one PostgreSQL store (empty when nothing). */
export function composeViolations (doc: Doc): string[] {
  const out: string[] = []
  const services = (doc.services ?? {}) as Record<string, Doc>
  const declared = new Set(Object.keys(doc.volumes ?? {}))
  const pgName = Object.keys(services).find((n) => /^postgres:\d+(-[a-z]+)?$/.test(String(services[n]!.image)))
  if (pgName === undefined) return ['no service runs the official postgres image (postgres:<major>)']
  const pg = services[pgName]!
  const check = pg.healthcheck?.test as string[] | undefined
  if (!Array.isArray(check) || !check.includes('pg_isready')) out.push(`${pgName}: no healthcheck with pg_isready`)
  const pgData = volumeAt(pg, '/var/lib/postgresql/data')
  if (pgData === undefined || !declared.has(pgData)) out.push(`${pgName}: its data not on a named volume`)
  const pgPassword = String(pg.environment?.POSTGRES_PASSWORD ?? '')
  if (!PLACEHOLDER.test(pgPassword)) out.push(`${pgName}: POSTGRES_PASSWORD is not a \${VAR} from docker/.env`)

  const gateways = gatewayServices(doc)
  const replicas = gateways.reduce((n, [, s]) => n + Number(s.deploy?.replicas ?? 1), 0)
  if (replicas < 2) out.push(`${replicas} gateway replica(s), not 2`)
  const states = new Map<string, string>()
  for (const [name, s] of gateways) {
    if (s.depends_on?.[pgName]?.condition !== 'service_healthy') out.push(`${name}: does not wait for ${pgName} to be healthy`)
    const url = s.environment?.SNE_GATEWAY_STORE_URL as string | undefined
    const m = url === undefined ? null : /^postgres(?:ql)?:\/\/([^:@/]+):([^@]*)@([^:/]+)(?::\d+)?\/\w+$/.exec(url)
    if (m === null) out.push(`${name}: SNE_GATEWAY_STORE_URL is not a postgres:// URL with user and password`)
    else {
      if (m[3] !== pgName) out.push(`${name}: the store URL names ${m[3]!}, not ${pgName}`)
      if (m[2] !== pgPassword) out.push(`${name}: the store URL's password is not POSTGRES_PASSWORD's \${VAR}`)
      if (m[1] !== pg.environment?.POSTGRES_USER) out.push(`${name}: the store URL's user is not POSTGRES_USER`)
    }
    const state = volumeAt(s, STATE)
    if (state === undefined || !declared.has(state)) out.push(`${name}: no named volume at ${STATE}`)
    else if (states.has(state)) out.push(`${name}: shares ${state} with ${states.get(state)!}`)
    else states.set(state, name)
    if (s.read_only !== true) out.push(`${name}: the root filesystem is writable`)
  }
  // No secret in the file: every password or passphrase, anywhere, is a ${VAR}.
  const walk = (value: unknown, at: string): void => {
    if (typeof value === 'string') {
      if (/(PASSWORD|PASSPHRASE)$/.test(at) && !PLACEHOLDER.test(value)) out.push(`${at}: a literal secret`)
      for (const u of value.matchAll(/:\/\/[^:/@\s]+:([^@\s]*)@/g)) if (!PLACEHOLDER.test(u[1]!)) out.push(`${at}: a literal password in a URL`)
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, at === '' ? k : `${at}.${k}`)
    }
  }
  walk(doc, '')
  return out
}
