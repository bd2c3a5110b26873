/**
 * The data plane's TLS and HTTP server options: TLS 1.2 minimum with TLS 1.3 on, Mozilla
 * intermediate ciphers, ALPN http/1.1 only, the client's cipher preference (every suite offered is
 * strong, and clients without AES hardware prefer ChaCha20), client certificates
 * none | optional | required against the configured CA, session resumption by tickets, and the
 * timeouts that hold off slow clients (slowloris): handshake, headers, whole request, keep-alive
 * idle and socket idle.
 */
import { createServer, type Server, type ServerOptions } from 'node:https'
import { createSecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls'
import type { RequestListener } from 'node:http'
import { codes as configCodes } from '../config/errors.js'
import type { GatewayConfig } from '../config/schema.js'
import { readPassphrase, readPublicFile, readSecretFile } from './secret-files.js'
import { checkKeyPair, requirePem } from './key-pair.js'

type DataPlaneConfig = GatewayConfig['dataPlane']
type TlsConfig = DataPlaneConfig['tls']

/** The files the TLS options name, read at start and at each reload. */
export interface ServerTlsMaterial {
  cert: Buffer
  key: Buffer
  /** the key's passphrase, inline or from its file */
  passphrase: string | undefined
  /** the CA that signs client certificates, when client certificates are asked for */
  clientCa: Buffer | undefined
  /** the client CA's revocation list(s), PEM */
  clientCrl: Buffer | undefined
  /** 48 bytes shared by the instances behind one load balancer, so that tickets resume on any of them */
  ticketKeys: Buffer | undefined
}

/** Reads the certificate, key, passphrase, client CA, CRL and ticket keys the configuration names. */
export async function readServerTlsMaterial (tls: TlsConfig): Promise<ServerTlsMaterial> {
  const [cert, key, passphrase, clientCa, clientCrl, ticketKeys] = await Promise.all([
    readPublicFile('/dataPlane/tls/cert', tls.cert),
    readSecretFile('/dataPlane/tls/key', tls.key),
    readPassphrase('/dataPlane/tls', tls),
    tls.clientCa === undefined ? undefined : readPublicFile('/dataPlane/tls/clientCa', tls.clientCa),
    tls.clientCrl === undefined ? undefined : readPublicFile('/dataPlane/tls/clientCrl', tls.clientCrl),
    tls.ticketKeys === undefined ? undefined : readSecretFile('/dataPlane/tls/ticketKeys', tls.ticketKeys)
  ])
  checkKeyPair({ at: '/dataPlane/tls', certFile: tls.cert, keyFile: tls.key, cert, key, passphrase })
  if (clientCa !== undefined) requirePem('/dataPlane/tls/clientCa', tls.clientCa ?? '', clientCa, 'PEM CA certificates')
  if (ticketKeys !== undefined && ticketKeys.length !== 48) {
    throw new configCodes.GW_CONFIG_BAD_TICKET_KEYS(tls.ticketKeys ?? '', ticketKeys.length)
  }
  if (clientCrl !== undefined) {
    // Checked here, where the option is known: a bad CRL would otherwise fail deep in the TLS stack.
    try {
      createSecureContext({ crl: clientCrl })
    } catch (err) {
      throw new configCodes.GW_CONFIG_FILE_UNREADABLE('/dataPlane/tls/clientCrl', tls.clientCrl ?? '', `not a PEM CRL: ${(err as Error).message}`, { cause: err })
    }
  }
  return { cert, key, passphrase, clientCa, clientCrl, ticketKeys }
}

/**
 * The parts of the TLS options a reload may change (`server.setSecureContext`): the certificate,
 * key, client CA, CRL and ticket keys. The rest (versions, ciphers, whether certificates are asked
 * for) is fixed at start.
 */
export function secureContextOptions (tls: TlsConfig, material: ServerTlsMaterial): SecureContextOptions {
  const asksCertificate = tls.clientCertificates !== 'none'
  return {
    cert: material.cert,
    key: material.key,
    ...(material.passphrase === undefined ? {} : { passphrase: material.passphrase }),
    minVersion: tls.minVersion,
    maxVersion: 'TLSv1.3',
    ciphers: tls.ciphers,
    ecdhCurve: tls.ecdhCurve,
    ...(asksCertificate && material.clientCa !== undefined ? { ca: material.clientCa } : {}),
    ...(asksCertificate && material.clientCrl !== undefined ? { crl: material.clientCrl } : {}),
    sessionTimeout: tls.sessionTimeoutSeconds,
    ...(material.ticketKeys === undefined ? {} : { ticketKeys: material.ticketKeys })
  }
}

/** The `node:https` options of the data plane (TLS and HTTP parts). */
export function serverTlsOptions (dataPlane: DataPlaneConfig, material: ServerTlsMaterial): ServerOptions {
  const tls = dataPlane.tls
  return {
    ...secureContextOptions(tls, material),
    // Every suite offered is forward-secret AEAD: let the client pick (Mozilla intermediate).
    honorCipherOrder: false,
    ALPNProtocols: ['http/1.1'],
    requestCert: tls.clientCertificates !== 'none',
    // 'optional' lets an unverified certificate through; the identity then stays undefined
    // (see routes/client-identity.ts), so an allowlisted environment still refuses the caller.
    rejectUnauthorized: tls.clientCertificates === 'required',
    handshakeTimeout: dataPlane.timeouts.handshakeMs,
    headersTimeout: dataPlane.timeouts.headersMs,
    requestTimeout: dataPlane.timeouts.requestMs,
    // How often node:http checks headersTimeout/requestTimeout: a quarter of the smaller one, so
    // that a slow client is cut within 25% of its deadline (Node's default is every 30 s).
    connectionsCheckingInterval: Math.max(50, Math.floor(Math.min(dataPlane.timeouts.headersMs, dataPlane.timeouts.requestMs) / 4)),
    noDelay: true
  }
}

/**
 * Creates the data plane's HTTPS server with `serverTlsOptions` and the timeouts node:https takes
 * as properties. It never listens: `tls/listener.ts` hands it the accepted sockets.
 */
export function createDataPlaneServer (dataPlane: DataPlaneConfig, material: ServerTlsMaterial, handler: RequestListener): Server {
  const server = createServer(serverTlsOptions(dataPlane, material), handler)
  server.keepAliveTimeout = dataPlane.timeouts.keepAliveMs
  // Idle socket timeout: a connection that sends nothing (e.g. stalls mid-body) is destroyed.
  server.setTimeout(dataPlane.timeouts.idleMs)
  server.on('secureConnection', refuseRenegotiation)
  return server
}

/**
 * Client-initiated renegotiation is refused: node:tls otherwise accepts three per connection in
 * ten minutes (a CPU cost the client chooses), and the client identity is read once per connection
 * (routes/client-identity.ts). An attempt ends the connection with an error (TLS 1.2 only: TLS 1.3
 * has no renegotiation).
 */
function refuseRenegotiation (socket: TLSSocket): void {
  socket.disableRenegotiation()
}
