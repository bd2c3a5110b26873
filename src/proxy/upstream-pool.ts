/**
 * One undici `Pool` per upstream credential of an environment: explicit TLS `connect` options (TLS
 * 1.2 minimum, the environment's CA and the client credential the gateway presents upstream),
 * keep-alive, bounded connections, and the connect/headers/body timeouts of the environment.
 */
import { Pool, type Dispatcher } from 'undici'
import type { EnvironmentConfig } from '../config/schema.js'
import { readPassphrase, readPublicFile, readSecretFile, type PassphraseSource } from '../tls/secret-files.js'
import { checkKeyPair, requirePem } from '../tls/key-pair.js'

/** The files of one upstream TLS credential (and the upstream's CA), read at start and at reload. */
export interface UpstreamTlsMaterial {
  /** the CA that signs the upstream's certificate; undefined: the system store */
  ca: Buffer | undefined
  cert: Buffer | undefined
  key: Buffer | undefined
  passphrase: string | undefined
}

/** What a dispatcher factory receives for one credential of one environment. */
export interface UpstreamDefinition {
  name: string
  /** `default` (the environment's cert/key) or the name of a per-guichet credential */
  credential: string
  /** `https://host:port` */
  origin: string
  /** the upstream service path, e.g. `/services/DemandeLogementImplService/` */
  path: string
  config: EnvironmentConfig
  tls: UpstreamTlsMaterial
}

/** Creates the dispatcher of one credential of one environment; tests inject a MockAgent or a local pool. */
export type DispatcherFactory = (upstream: UpstreamDefinition) => Dispatcher

/** The credential an environment's messages go with when they act for no guichet of another. */
export const DEFAULT_CREDENTIAL = 'default'

/**
 * Reads the TLS material of every credential of environment `name`: the default one (the
 * upstream's cert/key) and each of `upstream.credentials`, by credential name.
 */
export async function readUpstreamTlsMaterial (name: string, env: EnvironmentConfig): Promise<Map<string, UpstreamTlsMaterial>> {
  const at = `/environments/${name}/upstream`
  const u = env.upstream
  const ca = u.ca === undefined ? undefined : await readPublicFile(`${at}/ca`, u.ca)
  if (ca !== undefined) requirePem(`${at}/ca`, u.ca ?? '', ca, 'PEM CA certificates')
  const read = async (where: string, c: { cert?: string | undefined, key?: string | undefined } & PassphraseSource): Promise<UpstreamTlsMaterial> => {
    const [cert, key, passphrase] = await Promise.all([
      c.cert === undefined ? undefined : readPublicFile(`${where}/cert`, c.cert),
      c.key === undefined ? undefined : readSecretFile(`${where}/key`, c.key),
      readPassphrase(where, c)
    ])
    // Checked now: undici would only fail at the first call's handshake, naming no file.
    if (cert !== undefined && key !== undefined) checkKeyPair({ at: where, certFile: c.cert ?? '', keyFile: c.key ?? '', cert, key, passphrase })
    return { ca, cert, key, passphrase }
  }
  const out = new Map<string, UpstreamTlsMaterial>([[DEFAULT_CREDENTIAL, await read(at, u)]])
  for (const [id, credential] of Object.entries(u.credentials)) out.set(id, await read(`${at}/credentials/${id}`, credential))
  return out
}

/** True when two credentials hold the same bytes (a reload keeps the pool of an unchanged one). */
export function sameMaterial (a: UpstreamTlsMaterial, b: UpstreamTlsMaterial): boolean {
  const eq = (x: Buffer | undefined, y: Buffer | undefined): boolean => x === undefined ? y === undefined : y !== undefined && x.equals(y)
  return eq(a.ca, b.ca) && eq(a.cert, b.cert) && eq(a.key, b.key) && a.passphrase === b.passphrase
}

/** The default factory: a keep-alive `Pool` on the upstream's origin. */
export const createUpstreamPool: DispatcherFactory = (upstream) => {
  const u = upstream.config.upstream
  return new Pool(upstream.origin, {
    // The calls use `connections` at most (proxy/upstream-queue.ts): the one more is the readiness
    // probe's, so that it never waits behind calls and readiness does not flap under load.
    connections: u.connections + 1,
    keepAliveTimeout: u.keepAliveTimeoutMs,
    headersTimeout: u.timeouts.headersMs,
    bodyTimeout: u.timeouts.bodyMs,
    connect: {
      timeout: u.timeouts.connectMs,
      minVersion: u.minVersion,
      rejectUnauthorized: true,
      ALPNProtocols: ['http/1.1'],
      ...(u.servername === undefined ? {} : { servername: u.servername }),
      ...(upstream.tls.ca === undefined ? {} : { ca: upstream.tls.ca }),
      ...(upstream.tls.cert === undefined ? {} : { cert: upstream.tls.cert }),
      ...(upstream.tls.key === undefined ? {} : { key: upstream.tls.key }),
      ...(upstream.tls.passphrase === undefined ? {} : { passphrase: upstream.tls.passphrase })
    }
  })
}
