// Bodies and personal data never reach the logs: messages carrying recognizable personal data go
// through every path of the gateway (forwarded, refused, reported, validate-only, upstream error),
// with the logger at its most verbose level, and no log line contains any of it.
import t from 'tap'
import { corpusCase, startStack } from '../integration/helpers/gateway-stack.js'

// Values of examples/documents/cre.xml (fictitious, recognizable) and of the corpus cases built on it.
const PERSONAL = ['FICTIF-ALPHA', 'Test-Un', '1985-01-20', '285019912300100', '0600000001', 'test-un@exemple.invalid', "rue de l'Exemple", 'rue de l&apos;Exemple', 'Technicienne']

t.test('no personal data in any log line', async (t) => {
  const stack = await startStack({ edit: (c) => { c.log.level = 'trace'; c.validation = { responses: 'report' } } })
  t.teardown(stack.close)
  const SERVICE = '/ecole/services/DemandeLogementImplService/'
  const cre = corpusCase('valid-getNumUnique-cre-mtom')!
  const message = cre.message.toString('utf8')
  for (const value of PERSONAL.slice(0, 6)) t.ok(message.includes(value), `the message carries ${value}`)

  t.equal((await stack.post(SERVICE, cre.message, cre.contentType)).status, 200, 'forwarded')
  for (const name of ['rule-guichet-mismatch', 'rule-future-dateNaissance', 'xsd-length-nom-too-long', 'xsd-pattern-telPortable']) {
    const c = corpusCase(name)!
    t.equal((await stack.post(SERVICE, c.message, c.contentType)).status, 400, `${name} refused`)
    t.equal((await stack.post('/ecole/validate', c.message, c.contentType)).status, 200, `${name} validated`)
  }
  const inline = corpusCase('valid-getNumUnique-cre-inline')!
  await stack.post(SERVICE, inline.message, inline.contentType)
  await stack.post('/ecole/validate', inline.message, inline.contentType, { accept: 'application/soap+xml' })
  await stack.post('/nowhere/services/DemandeLogementImplService/', cre.message, cre.contentType)

  const lines = stack.logs.raw
  t.ok(lines.length >= 12, `lines were written (${lines.length})`)
  t.ok(stack.logs.access().length >= 12, 'one access line per call')
  for (const value of PERSONAL) {
    const found = lines.filter((l) => l.includes(value))
    t.same(found, [], `"${value}" appears in no log line`)
  }
})
