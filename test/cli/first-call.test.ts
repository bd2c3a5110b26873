// The first call npm start prints makes a live demande on any date: the samples' dates are moved
// to today before the hint points at them (the examples are dated 2025-01-14, and the simulator
// runs on the real clock).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { datedSample, writeFirstCall } from '../../src/cli/first-call.js'
import { REST_SAMPLE, SAMPLE_CONTENT_TYPE, SAMPLE_REQUEST } from '../../src/cli/start.js'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { createDemandeService } from '../../src/simulator/demande-service.js'
import { createSoapHandler } from '../../src/simulator/soap-handler.js'
import { openStore } from '../../src/simulator/store.js'
import { readAnswer, textAt } from '../simulator/helpers/messages.js'

const examples = new URL('../../examples/', import.meta.url)
const sample = readFileSync(new URL(SAMPLE_REQUEST, examples))
const contentType = readFileSync(new URL(SAMPLE_CONTENT_TYPE, examples), 'utf8').trim()
// well over a year after the examples' 2025-01-14
const NOW = new Date('2027-03-02T08:15:00.000Z')
const spec = await loadSpec({ dir: defaultSpecDir(), clock: () => NOW })
t.teardown(() => spec.dispose())

/** The end of validity of the demande the simulator, on the clock NOW, makes of a CRE message. */
function validUntil (message: Buffer): string | undefined {
  const store = openStore()
  try {
    const handler = createSoapHandler({ spec, service: createDemandeService({ store, clock: () => NOW, answerVersion: '02.01' }) })
    const res = handler.handle(message, contentType, undefined)
    t.equal(res.statusCode, 200, 'answered')
    return textAt(readAnswer(res.contentType, res.body).demande, 'dateFinValidite')
  } finally {
    store.close()
  }
}

t.test('the examples\' own dates make a demande already expired', async (t) => {
  const until = validUntil(sample)
  t.ok(until !== undefined && until < NOW.toISOString().slice(0, 10), `valid until ${until ?? '?'}, before today`)
})

t.test('dated today, the first call validates and makes a live demande', async (t) => {
  const dated = datedSample(sample, NOW)
  t.same(spec.validateMessage(dated, contentType).violations, [], 'valid on the day (no date in the future)')
  t.match(dated.toString('latin1'), '<ns1:dateCreationDemande>2027-03-02</ns1:dateCreationDemande>')
  t.match(dated.toString('latin1'), 'DEMG1226-202703020815-000000.xml')
  t.equal(validUntil(dated), '2028-03-02', 'valid one year from today')
})

t.test('npm start writes today\'s copies of the SOAP and REST samples', async (t) => {
  const dir = t.testdir({})
  const files = await writeFirstCall(new URL('.', examples).pathname, { request: SAMPLE_REQUEST, contentType: SAMPLE_CONTENT_TYPE, rest: REST_SAMPLE }, dir, NOW)
  t.same(readFileSync(files.request), datedSample(sample, NOW))
  t.equal(readFileSync(files.contentType, 'utf8').trim(), contentType)
  const rest = JSON.parse(readFileSync(files.rest, 'utf8')) as Record<string, unknown>
  t.match(JSON.stringify(rest), '"dateCreationDemande":"2027-03-02"')
  t.notMatch(JSON.stringify(rest), '2025-01-14')
})
