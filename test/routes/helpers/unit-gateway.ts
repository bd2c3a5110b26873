// A gateway for unit tests: real config pipeline and spec, upstream replaced by an undici
// MockAgent (no upstream socket), driven with inject(). Logs captured.
import { MockAgent } from 'undici'
import { createConfigValidator } from '../../../src/config/validate.js'
import type { GatewayConfig } from '../../../src/config/schema.js'
import { buildGateway, type Gateway, type GatewayDeps } from '../../../src/gateway.js'
import { createLogger } from '../../../src/observability/logger.js'
import { testPki } from '../../helpers/pki.js'
import { LogCapture, sharedSpec } from '../../integration/helpers/gateway-stack.js'

export const UPSTREAM_ORIGIN = 'https://sne-ecole.test'
export const UPSTREAM_PATH = '/services/DemandeLogementImplService/'
export const SERVICE = '/ecole/services/DemandeLogementImplService/'

export interface UnitGateway {
  gateway: Gateway
  config: GatewayConfig
  mock: MockAgent
  /** interceptors of the upstream origin */
  upstream: ReturnType<MockAgent['get']>
  logs: LogCapture
  close (): Promise<void>
}

export async function unitGateway (edit: (raw: Record<string, any>) => void = () => {}, deps: Partial<GatewayDeps> = {}): Promise<UnitGateway> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const pki = await testPki()
  const spec = await sharedSpec()
  const raw: Record<string, any> = { // eslint-disable-line @typescript-eslint/no-explicit-any
    dataPlane: { port: 0, tls: { cert: pki.server.cert, key: pki.server.key, clientCertificates: 'none' } },
    ops: { port: 0 },
    environments: {
      ecole: { upstream: { url: UPSTREAM_ORIGIN + UPSTREAM_PATH } }
    }
  }
  // Keys in memory: each test gateway its own store (a test that needs the file sets one).
  raw.idempotency = { file: ':memory:' }
  edit(raw)
  // Inline validation with the shared spec and its fixed clock, unless a test asks for worker threads.
  raw.validation ??= {}
  raw.validation.workers ??= 0
  const config = createConfigValidator()(raw)
  const mock = new MockAgent()
  mock.disableNetConnect()
  const logs = new LogCapture()
  const gateway = await buildGateway(config, {
    spec,
    logger: createLogger({ level: 'debug', destination: logs }),
    createDispatcher: () => mock,
    ...deps
  })
  return {
    gateway,
    config,
    mock,
    upstream: mock.get(UPSTREAM_ORIGIN),
    logs,
    async close () { await gateway.close() }
  }
}

/** The Fault's subcode (SOAP 1.2) or detail code (1.1). */
export function faultCode (body: string): string | undefined {
  return /<env:Subcode><env:Value>gw:([A-Z0-9_]+)</.exec(body)?.[1] ?? /<gw:code>([A-Z0-9_]+)<\/gw:code>/.exec(body)?.[1]
}
