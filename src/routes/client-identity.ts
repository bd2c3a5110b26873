/**
 * The caller's identity, from the client certificate the TLS layer verified — never from a header
 * or the message (the SNE identifies guichets by certificate, docs/sne-reference.md §2). Which certificate
 * field names the caller is configurable (`dataPlane.tls.identityFrom`, subject CN by default). An
 * unverified certificate (mode `optional`) gives no identity.
 */
import type { TLSSocket } from 'node:tls'
import type { GatewayConfig } from '../config/schema.js'

export type IdentitySource = GatewayConfig['dataPlane']['tls']['identityFrom']

function first (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** Returns a function reading the identity of a connection, compiled once for the configured source. */
export function identityReader (source: IdentitySource): (socket: unknown) => string | undefined {
  // One read per connection, not per request: the certificate cannot change on a socket (Node
  // refuses TLS renegotiation by clients: tls/server-options.ts).
  const known = new WeakMap<object, string | undefined>()
  const read = (socket: unknown): string | undefined => {
    const tls = socket as Partial<TLSSocket> | undefined
    if (tls?.authorized !== true || typeof tls.getPeerCertificate !== 'function') return undefined
    const cert = tls.getPeerCertificate()
    if (cert === null || Object.keys(cert).length === 0) return undefined
    let value: string | undefined
    switch (source) {
      case 'subject.CN': value = first(cert.subject?.CN); break
      case 'subject.OU': value = first(cert.subject?.OU); break
      case 'subject.O': value = first(cert.subject?.O); break
      case 'subject.serialNumber': value = first((cert.subject as unknown as Record<string, string | string[] | undefined> | undefined)?.serialNumber); break
      case 'serialNumber': value = cert.serialNumber; break
      case 'fingerprint256': value = cert.fingerprint256; break
    }
    return value === undefined || value === '' ? undefined : value
  }
  return (socket) => {
    if (socket === null || typeof socket !== 'object') return undefined
    if (known.has(socket)) return known.get(socket)
    const identity = read(socket)
    known.set(socket, identity)
    return identity
  }
}
