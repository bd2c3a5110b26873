import t from 'tap'
import { createDemandeService } from '../../src/simulator/demande-service.js'
import { createPrng, generateDemandes } from '../../src/simulator/seed.js'
import { openStore } from '../../src/simulator/store.js'
import { writeXml } from '../../src/simulator/xml-writer.js'
import { NUU_NS, textAt } from '../../src/simulator/demande-tree.js'
import { readAnswer, testSpec } from './helpers/messages.js'
import { createSoapHandler } from '../../src/simulator/soap-handler.js'
import { demandeLogementRequest } from './helpers/messages.js'

const now = new Date('2025-06-01T09:00:00.000Z')
const spec = await testSpec(() => now)
t.teardown(() => spec.dispose())

t.test('the PRNG is reproducible and uniform enough', async (t) => {
  const a = createPrng(42)
  const b = createPrng(42)
  const draws = Array.from({ length: 1000 }, () => a())
  t.same(Array.from({ length: 1000 }, () => b()), draws, 'same seed, same draws')
  t.not(createPrng(43)(), createPrng(42)())
  t.ok(draws.every((x) => x >= 0 && x < 1))
  const mean = draws.reduce((s, x) => s + x, 0) / draws.length
  t.ok(mean > 0.45 && mean < 0.55, `mean ${mean}`)
})

t.test('generated demandes are reproducible, fictional and valid', async (t) => {
  const one = generateDemandes(60, 7, now)
  t.same(generateDemandes(60, 7, now), one, 'same seed, same demandes')
  t.notSame(generateDemandes(60, 8, now), one)
  for (const d of one) {
    const xml = writeXml({ name: 'demandeLogement', children: d.demandeLogement.children }, { uri: NUU_NS, prefix: 'ns2', declaration: false })
    t.match(xml, /<ns2:telPortable>063998\d{4}<\/ns2:telPortable>/, 'a phone number of the range reserved for fiction')
    t.match(xml, /@exemple\.invalid</, 'an address that cannot exist')
    t.ok(d.createdAt <= now && now.getTime() - d.createdAt.getTime() <= 541 * 86_400_000, 'registered in the last 18 months')
  }

  const store = openStore()
  t.teardown(() => store.close())
  const service = createDemandeService({ store, clock: () => now, answerVersion: '02.01' })
  const handler = createSoapHandler({ spec, service })
  const nus = one.map((d) => service.createAt(d.demandeLogement, '02.01', d.createdAt))
  t.equal(new Set(nus).size, 60)
  service.sweep()
  const counts = store.counts()
  t.ok(counts.RADIEE > 0 && counts.ACTIVE > 0, `a mix of states (${JSON.stringify(counts)})`)
  for (const nu of nus) {
    const res = handler.handle(demandeLogementRequest(nu).body, demandeLogementRequest(nu).contentType, undefined)
    const answer = readAnswer(res.contentType, res.body)
    t.same(spec.validateDocument(answer.bytes).violations, [], `${nu} reads back valid`)
    t.equal(textAt(answer.demande, 'numUnique'), nu)
  }
})
