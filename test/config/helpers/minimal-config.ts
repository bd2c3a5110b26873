// A minimal valid raw configuration for the config tests (paths need not exist: nothing reads them here).
export function minimalConfig (): Record<string, unknown> {
  return {
    dataPlane: {
      tls: { cert: '/pki/server.pem', key: '/pki/server.key', clientCa: '/pki/ca.pem' }
    },
    environments: {
      ecole: { upstream: { url: 'https://sne.example.test/services/DemandeLogementImplService/' } }
    }
  }
}
