// Each of the six operations through the gateway to the simulator, over real sockets (mutual TLS
// on both hops), and the answer compared with the simulator's direct answer.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { Agent, request } from 'undici'
import { readdirSync } from 'node:fs'
import { corpusCase, FIXTURES_DIR, refusalStatusOk, startStack, type Stack } from './helpers/gateway-stack.js'

const SERVICE = '/ecole/services/DemandeLogementImplService/'

let stack: Stack
t.before(async () => { stack = await startStack() })
t.teardown(async () => { await stack.close() })

async function direct (body: Buffer, contentType: string): Promise<{ status: number, contentType: string | undefined, body: Buffer }> {
  const agent = new Agent({ connect: { ca: readFileSync(stack.pki.ca.cert), cert: readFileSync(stack.pki.upstreamClient.cert), key: readFileSync(stack.pki.upstreamClient.key) } })
  try {
    const res = await request(`${stack.simulatorUrl}/services/DemandeLogementImplService/`, { method: 'POST', body, headers: { 'content-type': contentType }, dispatcher: agent })
    return { status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: Buffer.from(await res.body.arrayBuffer()) }
  } finally {
    await agent.close()
  }
}

t.test('a read-only operation: the answer is byte-identical to the simulator\'s direct answer', async (t) => {
  // A creation first, so that getDemandeLogement reads a demande that exists.
  const cre = corpusCase('valid-getNumUnique-cre-mtom')!
  const created = await stack.post(SERVICE, cre.message, cre.contentType)
  t.equal(created.status, 200)
  // The answer's document (an 8bit attachment) carries the numéro unique allocated.
  const nu = /<(?:\w+:)?numUnique>([0-9A-Z]{18})</.exec(created.body.toString('latin1'))?.[1]
  t.ok(nu, 'the creation returned a numéro unique')
  const example = corpusCase('valid-getDemandeLogement-mtom')!
  // Read that demande: same length numéro, so the MTOM framing stays valid.
  const message = Buffer.from(example.message.toString('latin1').replace(/<numUnique>[0-9A-Z]{18}</, `<numUnique>${nu!}<`), 'latin1')
  const viaGateway = await stack.post(SERVICE, message, example.contentType)
  const viaSimulator = await direct(message, example.contentType)
  t.match(viaGateway.body.toString('latin1'), nu!, 'a real answer: the demande just created')
  t.equal(viaGateway.status, viaSimulator.status)
  t.equal(viaGateway.headers['content-type'], viaSimulator.contentType)
  t.ok(viaGateway.body.equals(viaSimulator.body), 'same bytes')
  t.ok(typeof viaGateway.headers['x-request-id'] === 'string')
})

for (const op of ['getNumUnique-cre', 'getDemandeLogement', 'getDoublons', 'getNouveauxDaloDepuisLe', 'getDemandesRadieesDepuisLe', 'declarationNouveauDalo']) {
  t.test(`${op} through the gateway is answered by the simulator`, async (t) => {
    const c = corpusCase(`valid-${op}-mtom`)!
    const before = await stack.simulatorStats()
    const res = await stack.post(SERVICE, c.message, c.contentType, c.soapAction === undefined ? {} : { soapaction: c.soapAction })
    const after = await stack.simulatorStats()
    t.equal(after.total, before.total + 1, 'forwarded once')
    t.equal(res.status, 200)
    t.match(res.headers['content-type'], /^multipart\/related|^application\/soap\+xml/)
    const line = stack.logs.access().at(-1)!
    t.match(line, { env: 'ecole', operation: c.operation, outcome: 'forwarded', status: 200, identity: 'G1226' })
  })
}

t.test('every invalid corpus case is answered a Fault, and the simulator receives nothing', async (t) => {
  const before = await stack.simulatorStats()
  let cases = 0
  for (const name of readdirSync(FIXTURES_DIR).sort()) {
    if (name.startsWith('valid-') || !name.includes('-') || name.endsWith('.ts')) continue
    const c = corpusCase(name)
    if (c === undefined || c.violations.length === 0) continue
    cases++
    const res = await stack.post(SERVICE, c.message, c.contentType, c.soapAction === undefined ? {} : { soapaction: c.soapAction })
    t.ok(refusalStatusOk(res.status, res.body), `${name}: ${res.status}`)
    const text = res.body.toString('utf8')
    t.match(text, c.contentType.includes('text/xml') && !c.contentType.includes('multipart') ? '<soap:Fault>' : /<(env|soap):Fault>/, `${name}: a Fault`)
    t.match(text, `<gw:code>${c.violations[0]!}</gw:code>`, `${name}: its first violation in the Detail`)
  }
  t.ok(cases >= 60, `${cases} invalid cases sent`)
  const after = await stack.simulatorStats()
  t.equal(after.total, before.total, 'none reached the simulator')
})

t.test('a write: the gateway\'s answer has the structure of the simulator\'s direct answer (only the numéro unique differs)', async (t) => {
  const cre = corpusCase('valid-getNumUnique-cre-mtom')!
  const viaGateway = await stack.post(SERVICE, cre.message, cre.contentType)
  const viaSimulator = await direct(cre.message, cre.contentType)
  t.equal(viaGateway.status, viaSimulator.status)
  t.equal(viaGateway.headers['content-type'], viaSimulator.contentType)
  const numbers = (b: Buffer): string[] => [...b.toString('latin1').matchAll(/<(?:\w+:)?numUnique>([0-9A-Z]{18})</g)].map((m) => m[1]!)
  const [a, b] = [numbers(viaGateway.body), numbers(viaSimulator.body)]
  t.equal(a.length, 1)
  t.equal(b.length, 1)
  t.not(a[0], b[0], 'two creations, two numéros uniques')
  const normalize = (body: Buffer): string => body.toString('latin1').replace(/<((?:\w+:)?numUnique)>[0-9A-Z]{18}</g, '<$1>NU<')
  t.equal(normalize(viaGateway.body), normalize(viaSimulator.body), 'same bytes otherwise')
})
