/**
 * The upstreams of the configured environments. Each enabled environment has one or more TLS
 * client credentials: the default one (`upstream.cert`/`key`) and one per group of guichets
 * (`upstream.credentials`), since the SNE authenticates each caller by its own certificate. A
 * message goes upstream with the credential of the guichets it acts for (`route`), through that
 * credential's dispatcher — an undici pool created on first use, composed with the request-phase
 * and retry interceptors. Pools are bounded by the configured credentials.
 *
 * `reload` swaps the credentials read anew: an unchanged credential keeps its pool (and its warm
 * connections); a changed or removed one gets a new pool for the next calls while its old pool
 * closes once its in-flight calls end. Closed by the data plane's `onClose`.
 */
import type { Dispatcher } from 'undici'
import type { EnvironmentConfig, GatewayConfig } from '../config/schema.js'
import { codes as guichetCodes } from '../guichets/errors.js'
import { requestPhase } from './interceptors/request-phase.js'
import { retryConnect } from './interceptors/retry-connect.js'
import { createUpstreamQueue, type UpstreamQueue } from './upstream-queue.js'
import {
  createUpstreamPool, DEFAULT_CREDENTIAL, readUpstreamTlsMaterial, sameMaterial,
  type DispatcherFactory, type UpstreamDefinition, type UpstreamTlsMaterial
} from './upstream-pool.js'

/** Where one call goes: the credential's dispatcher, on the environment's origin and path. */
export interface UpstreamRoute {
  /** the credential's name (`default` or a configured one), for the logs: never secret */
  readonly credential: string
  readonly origin: string
  readonly path: string
  readonly dispatcher: Dispatcher
  /** the calls of this credential waiting for a connection: take a slot before `dispatcher` */
  readonly queue: UpstreamQueue
}

export interface Upstream extends UpstreamRoute {
  readonly name: string
  /** path and query of the readiness probe (GET), sent with the default credential */
  readonly probePath: string
  /**
   * The route of a message acting for `guichets` (its `numGuichet`s and file-name guichets):
   * the credential configured for them, or the default one. Throws GW_GUICHET_CREDENTIAL_CONFLICT
   * when they have different credentials.
   */
  route (guichets: readonly string[]): UpstreamRoute
  /** true when per-guichet credentials are configured (routing then needs the message's guichets) */
  readonly perGuichet: boolean
  /** calls waiting for an upstream connection now, over every credential */
  waiting (): number
}

export interface Upstreams {
  /** enabled environments only */
  readonly byName: ReadonlyMap<string, Upstream>
  /**
   * Reads every credential of `config` (same environments and upstream URLs) and swaps them in;
   * throws, changing nothing, when a file cannot be read. Resolves with the names of the credentials
   * whose pools were replaced, as `env/credential`.
   */
  reload (config: GatewayConfig): Promise<string[]>
  /** pools created so far (a gauge's value) */
  pools (): number
  /** closes every dispatcher, letting in-flight requests finish */
  close (): Promise<void>
  /** aborts whatever is still in flight */
  destroy (): Promise<void>
}

export interface UpstreamsOptions {
  createDispatcher?: DispatcherFactory
  /** a read was retried after a connection-phase failure */
  onRetry?: (env: string, err: Error) => void
  /** the number of pools open changed (one was created, or a replaced one closed) */
  onPools?: (count: number) => void
}

/** One credential: its material and, once used, its pool. */
interface Slot {
  readonly material: UpstreamTlsMaterial
  base: Dispatcher | undefined
  composed: Dispatcher | undefined
}

class EnvironmentUpstream implements Upstream {
  readonly origin: string
  readonly path: string
  readonly probePath: string
  private slots = new Map<string, Slot>()
  private byGuichet = new Map<string, string>()
  private env: EnvironmentConfig
  // By credential name, kept across reloads: a call waiting keeps its place when a pool is replaced.
  private readonly queues = new Map<string, UpstreamQueue>()

  constructor (
    readonly name: string,
    env: EnvironmentConfig,
    material: Map<string, UpstreamTlsMaterial>,
    private readonly make: (definition: UpstreamDefinition) => { base: Dispatcher, composed: Dispatcher }
  ) {
    const url = new URL(env.upstream.url)
    this.origin = url.origin
    this.path = url.pathname
    this.probePath = env.upstream.probePath ?? `${url.pathname}?wsdl`
    this.env = env
    this.swap(env, material)
  }

  get credential (): string { return DEFAULT_CREDENTIAL }
  get dispatcher (): Dispatcher { return this.dispatcherOf(DEFAULT_CREDENTIAL) }
  get queue (): UpstreamQueue { return this.queueOf(DEFAULT_CREDENTIAL) }
  get perGuichet (): boolean { return this.byGuichet.size > 0 }

  route (guichets: readonly string[]): UpstreamRoute {
    const names = [...new Set(guichets.map((g) => this.byGuichet.get(g) ?? DEFAULT_CREDENTIAL))]
    if (names.length > 1) throw new guichetCodes.GW_GUICHET_CREDENTIAL_CONFLICT([...new Set(guichets)].join(', '), names.join(', '))
    const credential = names[0] ?? DEFAULT_CREDENTIAL
    return { credential, origin: this.origin, path: this.path, dispatcher: this.dispatcherOf(credential), queue: this.queueOf(credential) }
  }

  /** Calls waiting for a connection, over every credential. */
  waiting (): number {
    let n = 0
    for (const q of this.queues.values()) n += q.waiting()
    return n
  }

  /** Installs new material; returns the pools to retire (changed or removed credentials). */
  swap (env: EnvironmentConfig, material: Map<string, UpstreamTlsMaterial>): Array<[string, Dispatcher]> {
    const retired: Array<[string, Dispatcher]> = []
    const next = new Map<string, Slot>()
    for (const [credential, m] of material) {
      const old = this.slots.get(credential)
      if (old !== undefined && sameMaterial(old.material, m)) next.set(credential, old)
      else next.set(credential, { material: m, base: undefined, composed: undefined })
    }
    for (const [credential, old] of this.slots) {
      if (next.get(credential) !== old && old.base !== undefined) retired.push([credential, old.base])
    }
    this.slots = next
    this.env = env
    this.byGuichet = new Map(Object.entries(env.upstream.credentials).flatMap(([id, c]) => c.guichets.map((g) => [g, id] as [string, string])))
    return retired
  }

  /** Every pool created and still current. */
  bases (): Dispatcher[] {
    return [...this.slots.values()].flatMap((s) => s.base === undefined ? [] : [s.base])
  }

  private queueOf (credential: string): UpstreamQueue {
    let queue = this.queues.get(credential)
    if (queue === undefined) {
      const u = this.env.upstream
      queue = createUpstreamQueue({ env: this.name, slots: u.connections, maxWaiting: u.queue.maxWaiting, maxWaitMs: u.queue.maxWaitMs })
      this.queues.set(credential, queue)
    }
    return queue
  }

  private dispatcherOf (credential: string): Dispatcher {
    const slot = this.slots.get(credential)
    if (slot === undefined) throw new Error(`no upstream credential ${credential} in environment ${this.name}`)
    if (slot.composed === undefined) {
      const made = this.make({ name: this.name, credential, origin: this.origin, path: this.path, config: this.env, tls: slot.material })
      slot.base = made.base
      slot.composed = made.composed
    }
    return slot.composed
  }
}

/** Builds the upstream of every enabled environment (pools are created on first use). */
export async function buildUpstreams (config: GatewayConfig, options: UpstreamsOptions = {}): Promise<Upstreams> {
  const factory = options.createDispatcher ?? createUpstreamPool
  const make = (definition: UpstreamDefinition): { base: Dispatcher, composed: Dispatcher } => {
    const base = factory(definition)
    // Order matters: retryConnect (outer) must see the phase requestPhase (inner) records per attempt.
    const composed = base.compose(requestPhase(), retryConnect({ onRetry: (err) => options.onRetry?.(definition.name, err) }))
    queueMicrotask(counted)
    return { base, composed }
  }
  const readAll = async (c: GatewayConfig): Promise<Array<[string, EnvironmentConfig, Map<string, UpstreamTlsMaterial>]>> =>
    await Promise.all(Object.entries(c.environments).filter(([, env]) => env.enabled)
      .map(async ([name, env]) => [name, env, await readUpstreamTlsMaterial(name, env)] as [string, EnvironmentConfig, Map<string, UpstreamTlsMaterial>]))

  const byName = new Map<string, EnvironmentUpstream>()
  for (const [name, env, material] of await readAll(config)) byName.set(name, new EnvironmentUpstream(name, env, material, make))
  // Pools replaced by a reload, closing once their in-flight calls end.
  const retiring = new Set<Dispatcher>()
  const all = (): Dispatcher[] => [...[...byName.values()].flatMap((u) => u.bases()), ...retiring]
  function counted (): void { options.onPools?.(all().length) }

  return {
    byName,
    async reload (next) {
      const read = await readAll(next)
      const names = read.map(([name]) => name)
      if (names.length !== byName.size || names.some((n) => !byName.has(n))) throw new Error('the enabled environments changed: restart to apply')
      const replaced: string[] = []
      for (const [name, env, material] of read) {
        for (const [credential, base] of (byName.get(name) as EnvironmentUpstream).swap(env, material)) {
          replaced.push(`${name}/${credential}`)
          retiring.add(base)
          void base.close().catch(() => {}).finally(() => {
            retiring.delete(base)
            counted()
          })
        }
      }
      return replaced
    },
    pools: () => all().length,
    async close () {
      await Promise.all(all().map(async (d) => { await d.close() }))
    },
    async destroy () {
      await Promise.all(all().map(async (d) => { await d.destroy() }))
    }
  }
}
