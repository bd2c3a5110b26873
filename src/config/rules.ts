/**
 * The configuration rules JSON Schema cannot say (relations between options), each a small function
 * returning the issues it finds with their JSON pointer. Run after ajv, on a defaulted configuration.
 * Each rule has one rejecting and one accepting test in test/config/rules.test.ts.
 */
import type { ConfigIssue } from './errors.js'
import { codes } from './errors.js'
import type { GatewayConfig } from './schema.js'
import { addressEntryProblem } from '../tls/address-list.js'

type Rule = (config: GatewayConfig) => ConfigIssue[]

const envs = (config: GatewayConfig): Array<[string, GatewayConfig['environments'][string]]> => Object.entries(config.environments)

/** Client certificates are verified against a CA: asking for them without one cannot work. */
export const clientCaRequired: Rule = (config) => {
  const tls = config.dataPlane.tls
  return tls.clientCertificates !== 'none' && tls.clientCa === undefined
    ? [{ instancePath: '/dataPlane/tls/clientCa', message: `is required when clientCertificates is '${tls.clientCertificates}'` }]
    : []
}

/** An identity comes from a verified client certificate: an allowlist without certificates would refuse everyone. */
export const identitiesNeedClientCertificates: Rule = (config) => {
  if (config.dataPlane.tls.clientCertificates !== 'none') return []
  return envs(config)
    .filter(([, env]) => env.allowedIdentities !== undefined)
    .map(([name]) => ({
      instancePath: `/environments/${name}/allowedIdentities`,
      message: "needs dataPlane.tls.clientCertificates 'optional' or 'required': without client certificates no caller has an identity"
    }))
}

/** `/services/…` is the host-name route (the SNE's own path); an environment of that name would shadow it. */
export const reservedEnvironmentNames: Rule = (config) =>
  envs(config)
    .filter(([name]) => name === 'services')
    .map(([name]) => ({ instancePath: `/environments/${name}`, message: "'services' is reserved: /services/… is the route of environments chosen by host name" }))

/** A host name selects one environment; two would make the choice arbitrary. */
export const uniqueHostnames: Rule = (config) => {
  const owner = new Map<string, string>()
  const issues: ConfigIssue[] = []
  for (const [name, env] of envs(config)) {
    env.hostnames.forEach((host, i) => {
      const first = owner.get(host)
      if (first === undefined) owner.set(host, name)
      else issues.push({ instancePath: `/environments/${name}/hostnames/${i}`, message: `'${host}' is already used by environment '${first}'` })
    })
  }
  return issues
}

function parseUrl (value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

/** Upstreams are reached over TLS only (the SNE accepts TLS 1.2+); credentials never travel in URLs. */
export const upstreamUrl: Rule = (config) =>
  envs(config).flatMap(([name, env]) => {
    const url = parseUrl(env.upstream.url)
    const ok = url !== undefined && url.protocol === 'https:' && url.username === '' && url.password === '' &&
      url.search === '' && url.hash === ''
    return ok ? [] : [{ instancePath: `/environments/${name}/upstream/url`, message: 'must be an https:// URL without credentials, query or fragment' }]
  })

/** The upstream client credential is a certificate and its key: one without the other cannot authenticate. */
export const upstreamCredentialPair: Rule = (config) =>
  envs(config)
    .filter(([, env]) => (env.upstream.cert === undefined) !== (env.upstream.key === undefined))
    .map(([name]) => ({ instancePath: `/environments/${name}/upstream`, message: 'cert and key must be given together' }))

/** TLS terminates at the gateway: its public URL is an origin, nothing rewrites paths in front of it. */
export const publicUrlOrigin: Rule = (config) => {
  const value = config.dataPlane.publicUrl
  if (value === undefined) return []
  const url = parseUrl(value)
  const ok = url !== undefined && url.protocol === 'https:' && url.username === '' && url.password === '' &&
    (url.pathname === '/' || url.pathname === '') && url.search === '' && url.hash === '' && !value.endsWith('/')
  return ok ? [] : [{ instancePath: '/dataPlane/publicUrl', message: 'must be an https:// origin (scheme, host and optional port) without path, query or fragment' }]
}

/** node:http refuses a headers timeout longer than the request timeout. */
export const timeoutsOrder: Rule = (config) => {
  const t = config.dataPlane.timeouts
  return t.headersMs > t.requestMs
    ? [{ instancePath: '/dataPlane/timeouts/headersMs', message: `must not exceed requestMs (${t.requestMs})` }]
    : []
}

/** Both planes on one address and port cannot both listen. */
export const distinctPorts: Rule = (config) => {
  const { ops, dataPlane } = config
  return ops.enabled && ops.port !== 0 && ops.port === dataPlane.port && ops.host === dataPlane.host
    ? [{ instancePath: '/ops/port', message: `must differ from dataPlane.port (${dataPlane.port}) on the same host` }]
    : []
}

/** A burst is the size of a rate's bucket: without a rate there is no bucket. */
export const burstNeedsRate: Rule = (config) =>
  envs(config).flatMap(([name, env]) => (['identity', 'guichet'] as const)
    .filter((scope) => env.limits[scope]?.burst !== undefined && env.limits[scope]?.ratePerSecond === undefined)
    .map((scope) => ({ instancePath: `/environments/${name}/limits/${scope}/burst`, message: 'needs ratePerSecond (a burst is the size of the rate\'s bucket)' })))

/** A body the budgets can never hold would be refused at every try: bodyLimit ≤ perIdentityBytes ≤ totalBytes. */
export const bodyMemoryOrder: Rule = (config) => {
  const { bodyLimit, bodyMemory } = config.dataPlane
  const issues: ConfigIssue[] = []
  if (bodyMemory.perIdentityBytes < bodyLimit) issues.push({ instancePath: '/dataPlane/bodyMemory/perIdentityBytes', message: `must be at least bodyLimit (${bodyLimit})` })
  if (bodyMemory.totalBytes < bodyMemory.perIdentityBytes) issues.push({ instancePath: '/dataPlane/bodyMemory/totalBytes', message: `must be at least perIdentityBytes (${bodyMemory.perIdentityBytes})` })
  return issues
}

/** A trusted balancer is an address or a CIDR block; a typo would trust nobody, or the wrong peers. */
export const trustedAddresses: Rule = (config) => {
  const proxy = config.dataPlane.proxyProtocol
  const issues: ConfigIssue[] = []
  proxy.trustedAddresses.forEach((entry, i) => {
    const problem = addressEntryProblem(entry)
    if (problem !== undefined) issues.push({ instancePath: `/dataPlane/proxyProtocol/trustedAddresses/${i}`, message: problem })
  })
  if (proxy.enabled && proxy.trustedAddresses.length === 0) {
    issues.push({ instancePath: '/dataPlane/proxyProtocol/trustedAddresses', message: 'must list the load balancers\' addresses when enabled is true (a PROXY header is read from them only)' })
  }
  return issues
}

/** Every rule, in the order their issues are reported. */
/** A passphrase comes from one place: inline (or `${VAR}`), or a file. */
export const onePassphraseSource: Rule = (config) => {
  const holders: Array<[string, { passphrase?: string | undefined, passphraseFile?: string | undefined }]> = [['/dataPlane/tls', config.dataPlane.tls]]
  for (const [name, env] of envs(config)) {
    holders.push([`/environments/${name}/upstream`, env.upstream])
    for (const [id, credential] of Object.entries(env.upstream.credentials)) holders.push([`/environments/${name}/upstream/credentials/${id}`, credential])
  }
  return holders
    .filter(([, h]) => h.passphrase !== undefined && h.passphraseFile !== undefined)
    .map(([at]) => ({ instancePath: `${at}/passphraseFile`, message: 'and passphrase are exclusive: give the passphrase inline (or as ${VAR}) or in a file' }))
}

/** A guichet's messages go upstream with one credential: two would make the choice arbitrary. */
export const oneCredentialPerGuichet: Rule = (config) => {
  const issues: ConfigIssue[] = []
  for (const [name, env] of envs(config)) {
    const owner = new Map<string, string>()
    for (const [id, credential] of Object.entries(env.upstream.credentials)) {
      credential.guichets.forEach((guichet, i) => {
        const first = owner.get(guichet)
        if (first === undefined) owner.set(guichet, id)
        else issues.push({ instancePath: `/environments/${name}/upstream/credentials/${id}/guichets/${i}`, message: `${guichet} already has credential '${first}'` })
      })
    }
  }
  return issues
}

/** A CRL revokes certificates of the client CA: without client certificates it has nothing to check. */
export const crlNeedsClientCa: Rule = (config) => {
  const tls = config.dataPlane.tls
  return tls.clientCrl !== undefined && (tls.clientCa === undefined || tls.clientCertificates === 'none')
    ? [{ instancePath: '/dataPlane/tls/clientCrl', message: 'needs clientCa and clientCertificates \'optional\' or \'required\'' }]
    : []
}

export const RULES: readonly Rule[] = [
  onePassphraseSource,
  oneCredentialPerGuichet,
  crlNeedsClientCa,
  clientCaRequired,
  identitiesNeedClientCertificates,
  reservedEnvironmentNames,
  uniqueHostnames,
  upstreamUrl,
  upstreamCredentialPair,
  publicUrlOrigin,
  timeoutsOrder,
  distinctPorts,
  burstNeedsRate,
  bodyMemoryOrder,
  trustedAddresses
]

/**
 * Per-operation validation modes must name operations of the loaded interface specification (known
 * only once the spec is loaded, hence not a schema rule): a typo would silently enforce.
 */
export function checkOperationNames (config: GatewayConfig, operations: Iterable<string>): void {
  const known = [...operations]
  for (const [name, env] of envs(config)) {
    for (const op of Object.keys(env.validation.operations)) {
      if (!known.includes(op)) {
        throw new codes.GW_CONFIG_UNKNOWN_OPERATION(`/environments/${name}/validation/operations`, op, known.join(', '))
      }
    }
  }
}
