/**
 * Who may act for which guichet, decided from what is in the message (never from what the
 * client declares beside it), in every validation mode, failing closed. Compiled once from
 * `environments.<name>.guichets`:
 *
 * 1. every guichet the message acts for — the guichet of `nomFichierDemande` and of
 *    `nomCertificat`, the `numGuichet` of every demande — must be one the caller's certificate
 *    identity may act for (`identities`, `["*"]` only where configured so);
 * 2. every numéro unique the call operates on (a read, a DALO declaration, MOD/REN/RAD/SUP) must
 *    be one of each acting guichet: its guichet suffix (characters 14 to 18) is that guichet, or
 *    its territory (its first three characters) is one of the guichet's `territories` (gestion
 *    partagée: the guichets of a territory work on each other's demandes). Each such decision is
 *    logged, with guichet codes and territories only.
 *
 * A message whose operation or documents could not be read whole is refused: the gateway never
 * decides on part of a message.
 */
import type { GatewayConfig } from '../config/schema.js'
import type { GuichetFacts } from '../contract/guichet-facts.js'
import { codes } from './errors.js'

export interface GuichetAuthorization {
  /** the environments without a `guichets` section: every identity acts for every guichet there */
  readonly unguarded: readonly string[]
  /**
   * Throws a `GW_GUICHET_…` error unless `identity` may send this message in `env`. `facts` is
   * undefined when the message's operation could not be identified.
   */
  authorize (env: string, identity: string | undefined, operation: string | undefined, facts: GuichetFacts | undefined, log: DecisionLog): void
  /** true when `identity` is configured in `env` (a bounded metric label) */
  knows (env: string, identity: string | undefined): boolean
  /** the guichets `identity` may act for in `env` (`*` included as such); undefined where unguarded or unknown */
  guichetsOf (env: string, identity: string | undefined): readonly string[] | undefined
}

/** What the decisions are logged with (a pino or Fastify logger). */
export interface DecisionLog {
  info: (fields: Record<string, unknown>, message: string) => void
}

interface EnvRules {
  identities: ReadonlyMap<string, ReadonlySet<string>>
  territories: ReadonlyMap<string, ReadonlySet<string>>
}

/** The numéro unique's territory and guichet (docs/sne-reference.md §7.2). */
function numeroParts (nu: string): { territory: string, guichet: string } {
  return { territory: nu.slice(0, 3), guichet: nu.slice(13, 18) }
}

export function buildGuichetAuthorization (config: GatewayConfig): GuichetAuthorization {
  const rules = new Map<string, EnvRules>()
  const unguarded: string[] = []
  for (const [name, env] of Object.entries(config.environments)) {
    const g = env.guichets
    if (g === undefined) {
      unguarded.push(name)
      continue
    }
    rules.set(name, {
      identities: new Map(Object.entries(g.identities).map(([id, list]) => [id, new Set(list)])),
      territories: new Map(Object.entries(g.territories).map(([guichet, list]) => [guichet, new Set(list)]))
    })
  }
  return {
    unguarded,
    knows: (env, identity) => identity !== undefined && rules.get(env)?.identities.has(identity) === true,
    guichetsOf (env, identity) {
      const list = identity === undefined ? undefined : rules.get(env)?.identities.get(identity)
      return list === undefined ? undefined : [...list]
    },
    authorize (env, identity, operation, facts, log) {
      const r = rules.get(env)
      if (r === undefined) return
      const allowed = identity === undefined ? undefined : r.identities.get(identity)
      if (allowed === undefined) throw new codes.GW_GUICHET_IDENTITY_UNKNOWN(identity ?? '(no certificate)', env)
      if (facts === undefined || !facts.complete) throw new codes.GW_GUICHET_UNREADABLE()
      const acting = [...new Set([...facts.fileGuichets, ...facts.documentGuichets])]
      if (acting.length === 0 || acting.includes('')) throw new codes.GW_GUICHET_NONE()
      for (const guichet of acting) {
        if (!allowed.has('*') && !allowed.has(guichet)) throw new codes.GW_GUICHET_FORBIDDEN(identity!, guichet)
      }
      for (const nu of facts.numUniques) {
        const demande = numeroParts(nu)
        for (const guichet of acting) {
          const rule = demande.guichet === guichet ? 'same-guichet' : r.territories.get(guichet)?.has(demande.territory) === true ? 'territory' : undefined
          log.info({ guichetDecision: rule === undefined ? 'refused' : 'allowed', rule, identity, operation, guichet, territory: demande.territory, demandeGuichet: demande.guichet }, 'guichet authorization')
          if (rule === undefined) throw new codes.GW_GUICHET_DEMANDE_FORBIDDEN(guichet, demande.territory, demande.guichet)
        }
      }
    }
  }
}
