// The guichets' authorization rules on facts written by hand: each rule refusing and accepting.
import t from 'tap'
import { buildGuichetAuthorization } from '../../src/guichets/authorization.js'
import type { GatewayConfig } from '../../src/config/schema.js'
import type { GuichetFacts } from '../../src/contract/guichet-facts.js'

const config = {
  environments: {
    guarded: { guichets: { identities: { ed: ['G1104', 'G1226'], any: ['*'], solo: ['G1104'] }, territories: { G1104: ['111'] } } },
    open: {}
  }
} as unknown as GatewayConfig
const auth = buildGuichetAuthorization(config)
const decisions: Array<Record<string, unknown>> = []
const log = { info: (fields: Record<string, unknown>) => { decisions.push(fields) } }
const facts = (f: Partial<GuichetFacts>): GuichetFacts => ({ fileGuichets: [], documentGuichets: [], numUniques: [], complete: true, ...f })
const code = (fn: () => void): string | undefined => {
  try {
    fn()
    return undefined
  } catch (err) {
    return (err as { code?: string }).code
  }
}

t.test('an environment without guichets is not guarded, and is listed for the start warning', async (t) => {
  t.same(auth.unguarded, ['open'])
  t.equal(code(() => auth.authorize('open', undefined, 'getNumUnique', undefined, log)), undefined)
  t.equal(auth.knows('guarded', 'ed'), true)
  t.equal(auth.knows('guarded', 'stranger'), false)
  t.equal(auth.knows('open', 'ed'), false)
})

t.test('every acting guichet must be the identity\'s', async (t) => {
  t.equal(code(() => auth.authorize('guarded', 'ed', 'getNumUnique', facts({ fileGuichets: ['G1104', 'G1104'], documentGuichets: ['G1226'] }), log)), undefined, 'an editor acting for two of its guichets')
  t.equal(code(() => auth.authorize('guarded', 'solo', 'getNumUnique', facts({ fileGuichets: ['G1104'], documentGuichets: ['G1226'] }), log)), 'GW_GUICHET_FORBIDDEN', 'one of them not its own')
  t.equal(code(() => auth.authorize('guarded', 'any', 'getNumUnique', facts({ documentGuichets: ['G9999'] }), log)), undefined, '["*"]')
  t.equal(code(() => auth.authorize('guarded', 'stranger', 'getNumUnique', facts({ documentGuichets: ['G1104'] }), log)), 'GW_GUICHET_IDENTITY_UNKNOWN')
  t.equal(code(() => auth.authorize('guarded', undefined, 'getNumUnique', facts({ documentGuichets: ['G1104'] }), log)), 'GW_GUICHET_IDENTITY_UNKNOWN', 'no certificate')
  t.equal(code(() => auth.authorize('guarded', 'ed', 'getNumUnique', facts({}), log)), 'GW_GUICHET_NONE', 'no guichet named')
  t.equal(code(() => auth.authorize('guarded', 'ed', 'getNumUnique', facts({ fileGuichets: [''], documentGuichets: ['G1104'] }), log)), 'GW_GUICHET_NONE', 'a file name that names none')
  t.equal(code(() => auth.authorize('guarded', 'ed', 'getNumUnique', facts({ documentGuichets: ['G1104'], complete: false }), log)), 'GW_GUICHET_UNREADABLE')
  t.equal(code(() => auth.authorize('guarded', 'ed', undefined, undefined, log)), 'GW_GUICHET_UNREADABLE', 'no operation identified')
})

t.test('a demande: its own guichet, or a territory of the acting guichet, for every acting guichet', async (t) => {
  decisions.length = 0
  const on = (identity: string, acting: string[], nu: string): string | undefined =>
    code(() => auth.authorize('guarded', identity, 'getNumUnique', facts({ documentGuichets: acting, numUniques: [nu] }), log))
  t.equal(on('ed', ['G1226'], '0750125000001G1226'), undefined, 'its own demande, any territory')
  t.equal(on('ed', ['G1104'], '1110125000001G1226'), undefined, 'another guichet\'s, in its territory')
  t.equal(on('ed', ['G1226'], '1110125000001G1104'), 'GW_GUICHET_DEMANDE_FORBIDDEN', 'G1226 has no territory configured')
  t.equal(on('ed', ['G1104', 'G1226'], '1110125000001G2301'), 'GW_GUICHET_DEMANDE_FORBIDDEN', 'allowed for G1104 but not for G1226: refused')
  t.equal(on('any', ['G5555'], '0750125000001G1226'), 'GW_GUICHET_DEMANDE_FORBIDDEN', '["*"] acts for any guichet, not on any demande')
  t.match(decisions[0], { guichetDecision: 'allowed', rule: 'same-guichet', guichet: 'G1226', territory: '075', demandeGuichet: 'G1226' })
  t.match(decisions[1], { guichetDecision: 'allowed', rule: 'territory', guichet: 'G1104', territory: '111' })
  t.match(decisions.at(-1), { guichetDecision: 'refused', rule: undefined })
  t.notOk(decisions.some((d) => JSON.stringify(d).includes('0750125000001')), 'never the numéro unique itself')
})
