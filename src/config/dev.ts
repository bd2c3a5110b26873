/**
 * The configuration of `sne-gateway start` without a configuration file (`npm start`): the data
 * plane on https://127.0.0.1:8443 with the dev PKI's server certificate, client certificates
 * required and verified against the dev CA and its CRL, the ops plane on http://127.0.0.1:9090, and one
 * environment, `ecole`, in front of the embedded simulator, where the demo guichet's identity may
 * act for any guichet. It goes through the same pipeline as a
 * file (environment overrides, ajv, rules), so `SNE_GATEWAY_DATA_PLANE_PORT` and the like work.
 */
import type { DevPki } from '../tls/dev-pki.js'

export const DEV_DATA_PLANE_PORT = 8443
export const DEV_OPS_PORT = 9090

/** The raw (unvalidated) development configuration for a simulator listening at `simulatorUrl`. */
export function devConfig (pki: DevPki, simulatorUrl: string): Record<string, unknown> {
  return {
    dataPlane: {
      host: '127.0.0.1',
      port: DEV_DATA_PLANE_PORT,
      tls: {
        cert: pki.server.cert,
        key: pki.server.key,
        clientCertificates: 'required',
        clientCa: pki.ca.cert,
        clientCrl: pki.crl
      }
    },
    ops: { host: '127.0.0.1', port: DEV_OPS_PORT },
    validation: { mode: 'enforce', responses: 'report' },
    environments: {
      ecole: {
        // École for integrators: the demo identity may act for any guichet (and, rule 2 of
        // docs/security.md, on the demandes of the guichets it acts for).
        guichets: { identities: { [pki.client.identity]: ['*'] } },
        upstream: {
          url: `${simulatorUrl}/services/DemandeLogementImplService/`,
          ca: pki.ca.cert,
          cert: pki.upstreamClient.cert,
          key: pki.upstreamClient.key
        }
      }
    }
  }
}
