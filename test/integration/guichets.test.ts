// Who may act for which guichet, over real mutual TLS: the caller's identity is the verified
// client certificate's (the dev PKI's demo guichet, CN=G1226), mapped by configuration to the
// guichets it may act for; the message's numGuichet, nomFichierDemande and nomCertificat must be
// among them, and a demande it operates on must be of its own guichet or of a territory
// configured for it. In every validation mode; nothing refused reaches the upstream.
import t, { type Test } from 'tap'
import { actingAs, corpusCase, startStack, type Stack } from './helpers/gateway-stack.js'
import { startCapturingUpstream, type CapturingUpstream } from './helpers/capturing-upstream.js'
import { testPki } from '../helpers/pki.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'

let upstream: CapturingUpstream
t.before(async () => { upstream = await startCapturingUpstream(await testPki()) })
t.teardown(async () => { await upstream.close() })

const posts = (): number => upstream.received.filter((r) => r.method === 'POST').length

type Guichets = { identities: Record<string, string[]>, territories?: Record<string, string[]> }

async function stackWith (t: Test, guichets: Guichets, mode = 'enforce'): Promise<Stack> {
  const stack = await startStack({ upstreamUrl: upstream.url, edit: (c) => { c.environments.ecole.guichets = guichets; c.environments.ecole.validation = { mode } } })
  t.teardown(stack.close)
  return stack
}

const subcode = (body: Buffer): string | undefined => /<env:Subcode><env:Value>gw:(\w+)</.exec(body.toString('utf8'))?.[1]

t.test('an identity acts for its own guichets', async (t) => {
  const stack = await stackWith(t, { identities: { G1226: ['G1226'] } })
  const cre = corpusCase('valid-getNumUnique-cre-mtom')!
  const before = posts()
  const res = await stack.post(SERVICE, cre.message, cre.contentType)
  t.equal(res.status, 200)
  t.equal(posts(), before + 1)
})

t.test('an identity cannot create, modify, renew, radiate, delete or read for another guichet, in any mode', async (t) => {
  for (const mode of ['enforce', 'report', 'off']) {
    // The demo certificate's identity may act for G1104 only: the corpus messages act for G1226.
    const stack = await stackWith(t, { identities: { G1226: ['G1104'] } }, mode)
    for (const name of ['valid-getNumUnique-cre-mtom', 'valid-getNumUnique-mod-mtom', 'valid-getNumUnique-ren-mtom', 'valid-getNumUnique-rad-radaba-mtom', 'valid-getNumUnique-sup-mtom', 'valid-getDemandeLogement-mtom', 'valid-getDoublons-mtom']) {
      const c = corpusCase(name)!
      const before = posts()
      const res = await stack.post(SERVICE, c.message, c.contentType)
      t.equal(res.status, 403, `${mode}: ${name}`)
      t.equal(subcode(res.body), 'GW_GUICHET_FORBIDDEN')
      t.match(res.body.toString('utf8'), 'client G1226 may not act for guichet G1226')
      t.equal(posts(), before, 'nothing forwarded')
    }
    t.match(await (await fetch(`${stack.opsUrl!}/metrics`)).text(), /sne_gateway_guichet_refusals_total\{env="ecole",identity="G1226",code="GW_GUICHET_FORBIDDEN"\} 7/)
  }
})

t.test('gestion partagée: a demande of another guichet of a configured territory is allowed and the decision logged; another territory\'s is refused', async (t) => {
  // The corpus MOD acts on 1110125004242G1226: territory 111, created by G1226.
  const mod = actingAs('valid-getNumUnique-mod-mtom', 'G1104')
  const shared = await stackWith(t, { identities: { G1226: ['G1104'] }, territories: { G1104: ['111'] } })
  const before = posts()
  const ok = await shared.post(SERVICE, mod.message, mod.contentType)
  t.equal(ok.status, 200, 'G1104 modifies a demande of G1226 in its territory')
  t.equal(posts(), before + 1)
  t.match(shared.logs.lines().find((l) => l.guichetDecision !== undefined), { guichetDecision: 'allowed', rule: 'territory', identity: 'G1226', guichet: 'G1104', territory: '111', demandeGuichet: 'G1226', operation: 'getNumUnique' })
  t.notMatch(JSON.stringify(shared.logs.lines()), /1110125004242G1226|FICTIF/, 'the decision is logged without the numéro unique or any personal data')

  const other = await stackWith(t, { identities: { G1226: ['G1104'] }, territories: { G1104: ['075'] } })
  const refused = await other.post(SERVICE, mod.message, mod.contentType)
  t.equal(refused.status, 403)
  t.equal(subcode(refused.body), 'GW_GUICHET_DEMANDE_FORBIDDEN')
  t.match(refused.body.toString('utf8'), 'guichet G1104 may not act on a demande of territory 111 created by guichet G1226')
  t.match(other.logs.lines().find((l) => l.guichetDecision !== undefined), { guichetDecision: 'refused', territory: '111', demandeGuichet: 'G1226' })
  t.equal(posts(), before + 1, 'the refused one was not forwarded')

  const read = actingAs('valid-getDemandeLogement-mtom', 'G1104')
  const reading = await other.post(SERVICE, read.message, read.contentType)
  t.equal(subcode(reading.body), 'GW_GUICHET_DEMANDE_FORBIDDEN', 'reading another territory\'s demande is refused too')
})

t.test('an identity that is not configured, and a message that cannot be read whole, are refused', async (t) => {
  const stack = await stackWith(t, { identities: { 'editeur-x': ['G1226'] } })
  const cre = corpusCase('valid-getNumUnique-cre-mtom')!
  const res = await stack.post(SERVICE, cre.message, cre.contentType)
  t.equal(res.status, 403)
  t.equal(subcode(res.body), 'GW_GUICHET_IDENTITY_UNKNOWN')
  t.match(await (await fetch(`${stack.opsUrl!}/metrics`)).text(), /sne_gateway_guichet_refusals_total\{env="ecole",identity="unknown",code="GW_GUICHET_IDENTITY_UNKNOWN"\} 1/, 'an identity not configured is not a label')

  // Mode off validates nothing, yet a document it cannot decode strictly is not waved through.
  const off = await stackWith(t, { identities: { G1226: ['*'] } }, 'off')
  const bad = corpusCase('payload-inline-base64-star')!
  const before = posts()
  const refused = await off.post(SERVICE, bad.message, bad.contentType)
  t.equal(refused.status, 403)
  t.equal(subcode(refused.body), 'GW_GUICHET_UNREADABLE')
  t.equal(posts(), before)
  const fine = corpusCase('valid-getNumUnique-cre-inline')!
  t.equal((await off.post(SERVICE, fine.message, fine.contentType)).status, 200, '["*"]: any guichet')
})
