/**
 * Which environment a call is for, and whether its caller may use it. The environment comes from
 * the path prefix (`/{env}/…`) or, on the SNE's own path (`/services/…`), from the host name the
 * client connected to. An environment that is not configured, is disabled, or does not allow the
 * caller's certificate identity is refused with its own code — never a hang, never a fall-through.
 */
import type { GatewayConfig, EnvironmentConfig } from '../config/schema.js'
import { codes } from './errors.js'

export interface ResolvedEnvironment {
  name: string
  config: EnvironmentConfig
}

export interface EnvironmentAccess {
  /** resolves `/{name}/…`, or the host name's environment when `name` is undefined */
  resolve (name: string | undefined, hostname: string): ResolvedEnvironment
  /** throws unless `identity` may use `env` */
  authorize (env: ResolvedEnvironment, identity: string | undefined): void
}

export function buildEnvironmentAccess (config: GatewayConfig): EnvironmentAccess {
  const byName = new Map(Object.entries(config.environments))
  const byHost = new Map<string, string>()
  for (const [name, env] of byName) for (const host of env.hostnames) byHost.set(host, name)
  const allowed = new Map<string, ReadonlySet<string> | undefined>()
  for (const [name, env] of byName) allowed.set(name, env.allowedIdentities === undefined ? undefined : new Set(env.allowedIdentities))

  return {
    resolve (name, hostname) {
      let chosen = name
      if (chosen === undefined) {
        // Host names are case-insensitive; a port or a trailing dot is not part of the name.
        const host = hostname.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')
        chosen = byHost.get(host)
        if (chosen === undefined) throw new codes.GW_ROUTE_UNKNOWN_HOST(host.slice(0, 253))
      }
      const env = byName.get(chosen)
      // The name is client text: echoed only when it is shaped like an environment name.
      if (env === undefined) throw new codes.GW_ROUTE_UNKNOWN_ENVIRONMENT(/^[a-z0-9-]{1,32}$/.test(chosen) ? chosen : '(invalid name)')
      if (!env.enabled) throw new codes.GW_ROUTE_ENVIRONMENT_DISABLED(chosen)
      return { name: chosen, config: env }
    },
    authorize (env, identity) {
      const list = allowed.get(env.name)
      if (list === undefined) return
      if (identity === undefined) throw new codes.GW_ROUTE_IDENTITY_REQUIRED(env.name)
      if (!list.has('*') && !list.has(identity)) throw new codes.GW_ROUTE_IDENTITY_FORBIDDEN(identity, env.name)
    }
  }
}
