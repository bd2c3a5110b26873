/**
 * The `certificat` part and `nomCertificat` of the messages the REST API builds, per environment
 * and acting guichet (`environments.<name>.messageCertificates`), read at start. A guichet without
 * one sends an empty part and a name in the SNE's convention, as the reference client did.
 */
import type { GatewayConfig } from '../config/schema.js'
import { readPublicFile } from '../tls/secret-files.js'
import type { MessageCertificate } from './message-builder.js'

export async function readMessageCertificates (config: GatewayConfig): Promise<Map<string, Map<string, MessageCertificate>>> {
  const out = new Map<string, Map<string, MessageCertificate>>()
  for (const [env, e] of Object.entries(config.environments)) {
    const byGuichet = new Map<string, MessageCertificate>()
    for (const [guichet, c] of Object.entries(e.messageCertificates)) {
      const pem = c.cert === undefined ? Buffer.alloc(0) : await readPublicFile(`/environments/${env}/messageCertificates/${guichet}/cert`, c.cert)
      byGuichet.set(guichet, { pem, name: c.name })
    }
    out.set(env, byGuichet)
  }
  return out
}
