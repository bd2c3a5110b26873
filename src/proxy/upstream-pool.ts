/**
 * One undici `Pool` per environment, built once at start: explicit TLS `connect` options (TLS 1.2
 * minimum, the environment's CA and the client credential the gateway presents upstream),
 * keep-alive, bounded connections, and the connect/headers/body timeouts of the environment.
 */
import { readFile } from 'node:fs/promises'
import { Pool, type Dispatcher } from 'undici'
import { codes as configCodes } from '../config/errors.js'
import type { EnvironmentConfig } from '../config/schema.js'

/** The files an environment's upstream TLS options name, read once at start. */
export interface UpstreamTlsMaterial {
  /** the CA that signs the upstream's certificate; undefined: the system store */
  ca: Buffer | undefined
  cert: Buffer | undefined
  key: Buffer | undefined
}

/** What a dispatcher factory receives for one environment. */
export interface UpstreamDefinition {
  name: string
  /** `https://host:port` */
  origin: string
  /** the upstream service path, e.g. `/services/DemandeLogementImplService/` */
  path: string
  config: EnvironmentConfig
  tls: UpstreamTlsMaterial
}

/** Creates the dispatcher of one environment; tests inject a MockAgent or a local pool. */
export type DispatcherFactory = (upstream: UpstreamDefinition) => Dispatcher

async function readOptional (option: string, file: string | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined
  try {
    return await readFile(file)
  } catch (err) {
    throw new configCodes.GW_CONFIG_FILE_UNREADABLE(option, file, (err as Error).message, { cause: err })
  }
}

export async function readUpstreamTlsMaterial (name: string, env: EnvironmentConfig): Promise<UpstreamTlsMaterial> {
  const at = `/environments/${name}/upstream`
  const [ca, cert, key] = await Promise.all([
    readOptional(`${at}/ca`, env.upstream.ca),
    readOptional(`${at}/cert`, env.upstream.cert),
    readOptional(`${at}/key`, env.upstream.key)
  ])
  return { ca, cert, key }
}

/** The default factory: a keep-alive `Pool` on the upstream's origin. */
export const createUpstreamPool: DispatcherFactory = (upstream) => {
  const u = upstream.config.upstream
  return new Pool(upstream.origin, {
    connections: u.connections,
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
      ...(u.passphrase === undefined ? {} : { passphrase: u.passphrase })
    }
  })
}
