// examples/gateway.production.json and the environment its placeholders need, for the tests that
// load it as the CLI would.
import { fileURLToPath } from 'node:url'

export const PRODUCTION_EXAMPLE = fileURLToPath(new URL('../../../examples/gateway.production.json', import.meta.url))

export const PRODUCTION_EXAMPLE_ENV = {
  SNE_SERVER_KEY_PASSPHRASE: 'p1',
  SNE_PRODUCTION_URL: 'https://sne-production.example.test/services/DemandeLogementImplService/',
  SNE_PRODUCTION_KEY_PASSPHRASE: 'p2',
  SNE_ECOLE_KEY_PASSPHRASE: 'p3',
  SNE_ECOLE_URL: 'https://sne-ecole.example.test/services/DemandeLogementImplService/'
}
