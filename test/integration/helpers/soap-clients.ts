// What every real-client test shares: the calls an editor's software makes (a CRE, then every
// other operation on the demande it created, then one invalid message), a runner for a client
// program (asynchronous: the gateway answers from this very process), and the checks of what
// the client decoded. The client programs are in ../fixtures/clients/.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Test } from 'tap'
import type { Stack } from './gateway-stack.js'

export const SERVICE_PATH = '/ecole/services/DemandeLogementImplService/'
export const CERTIFICATE_NAME = 'CERG1226-202501141032.pem'
/** The client programs. */
export const CLIENTS_DIR = new URL('../fixtures/clients/', import.meta.url)

const CRE = readFileSync(new URL('../../../examples/documents/cre.xml', import.meta.url))
const DOUBLONS = readFileSync(new URL('../../../examples/documents/doublons-partielle.xml', import.meta.url))
/** The example files, for clients that read them from disk. */
export const CRE_FILE = new URL('../../../examples/documents/cre.xml', import.meta.url).pathname
export const DOUBLONS_FILE = new URL('../../../examples/documents/doublons-partielle.xml', import.meta.url).pathname

/** The operations in the order they are called; the last call is the invalid one. */
export const OPERATIONS = ['getNumUnique', 'getDemandeLogement', 'getDoublons', 'declarationNouveauDalo', 'getNouveauxDaloDepuisLe', 'getDemandesRadieesDepuisLe', 'getDemandeLogement'] as const

interface Binary { binary: string, contentType: string }
/** A call: operation and parameters; `{numUnique}` stands for the numéro unique the first answer carried. */
export interface PlannedCall { op: string, params: Record<string, string | Binary> }

const document = (bytes: Buffer): Binary => ({ binary: bytes.toString('base64'), contentType: 'text/xml' })

/** The plan, as JSON for the clients that read it (zeep, PHP); JAX-WS's program writes the same calls. */
export function plan (): PlannedCall[] {
  return [
    { op: 'getNumUnique', params: { nomFichierDemande: 'DEMG1226-202501141032-000000.xml', fichierDemande: document(CRE), nomCertificat: CERTIFICATE_NAME } },
    { op: 'getDemandeLogement', params: { numUnique: '{numUnique}', nomCertificat: CERTIFICATE_NAME } },
    { op: 'getDoublons', params: { nomFichierDemande: 'DEMG1226-202501141032-000001.xml', fichierDemande: document(DOUBLONS) } },
    { op: 'declarationNouveauDalo', params: { numUnique: '{numUnique}', dateDecisionDalo: '2025-11-28', statutDalo: 'ACTIF', nomCertificat: CERTIFICATE_NAME } },
    { op: 'getNouveauxDaloDepuisLe', params: { dateNouveauDaloDepuisLe: '2025-01-01T00:00:00+01:00', nomCertificat: CERTIFICATE_NAME } },
    { op: 'getDemandesRadieesDepuisLe', params: { dateRadiationDepuisLe: '2025-01-01T00:00:00+01:00', nomCertificat: CERTIFICATE_NAME } },
    // invalid: a certificate name that breaks the WSDL's pattern
    { op: 'getDemandeLogement', params: { numUnique: '{numUnique}', nomCertificat: 'bad.pem' } }
  ]
}

/** One call as the client reported it: the decoded answer document, or the Fault it exposed. */
export interface ClientResult {
  op: string
  /** base64 of the answer document the client decoded */
  document?: string
  fault?: { code: string, subcodes?: string[], message: string }
}

/** Runs a program to its end, asynchronously (the gateway it calls answers from this process). */
export async function run (command: string, args: string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string, stderr: string, code: number | null }> {
  // The machine's CA bundle and proxy variables must not replace the test CA or reach loopback.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|HTTPS?_PROXY|ALL_PROXY|all_proxy)$/.test(k)))
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...clean, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    child.on('error', reject)
    child.on('close', (code) => { resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code }) })
    child.stdin.end(input)
  })
}

/** Runs a client program; its stdout is one JSON result per line. */
export async function runClient (command: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<{ results: ClientResult[], stderr: string, code: number | null }> {
  const { stdout, stderr, code } = await run(command, args, input, env)
  const lines = stdout.split('\n').filter((l) => l.startsWith('{'))
  return { results: lines.map((l) => JSON.parse(l) as ClientResult), stderr, code }
}

const NUMERO_UNIQUE = /<(?:\w+:)?numUnique>([0-9A-Z]{18})</g
function numerosUniques (xml: string): string[] {
  return [...xml.matchAll(NUMERO_UNIQUE)].map((m) => m[1]!)
}

/**
 * Checks what a client decoded from the seven calls: every answer a valid interfaceNuu document
 * with the expected numéros uniques, and the invalid message's Fault with the gateway's code
 * where the client exposes it (`faultCode` reads it from the client's Fault).
 */
export function checkResults (t: Test, stack: Stack, results: ClientResult[], faultCode: (fault: NonNullable<ClientResult['fault']>) => string | undefined): void {
  t.same(results.map((r) => r.op), [...OPERATIONS], 'one result per call, in order')
  const docs = results.slice(0, 6).map((r) => {
    t.notOk(r.fault, `${r.op}: answered, not a Fault (${r.fault?.message ?? ''})`)
    const bytes = Buffer.from(r.document ?? '', 'base64')
    t.same(stack.spec.validateDocument(bytes).violations, [], `${r.op}: the decoded answer is a valid interfaceNuu document`)
    return bytes.toString('utf8')
  })
  const [created, read, doublons, dalo, daloSince, radiated] = docs as [string, string, string, string, string, string]
  const nu = numerosUniques(created)[0]
  t.match(nu, /^0750125\d{6}G1226$/, 'getNumUnique: the numéro unique of a CRE of guichet G1226 in Paris, January 2025')
  t.same(numerosUniques(read), [nu], 'getDemandeLogement: the demande created')
  t.ok(numerosUniques(doublons).includes(nu!), 'getDoublons: the demande created is among the doublons')
  t.same(numerosUniques(dalo), [nu], 'declarationNouveauDalo: the demande declared')
  t.match(dalo, /<(?:\w+:)?statutDalo code="ACTIF"\/><(?:\w+:)?dateDecisionDalo>2025-11-28</, 'with the DALO decision declared')
  t.notMatch(created, '2025-11-28', '(which the CRE did not carry)')
  t.ok(numerosUniques(daloSince).includes(nu!), 'getNouveauxDaloDepuisLe: lists the demande declared')
  t.notOk(numerosUniques(radiated).includes(nu!), 'getDemandesRadieesDepuisLe: the demande is not radiated')
  const invalid = results[6]!
  t.ok(invalid.fault, 'the invalid message raised the client\'s Fault')
  t.equal(invalid.fault === undefined ? undefined : faultCode(invalid.fault), 'GW_SCHEMA_PATTERN', 'the gateway\'s code, as the client exposes it')
  t.match(invalid.fault?.message, /GW_SCHEMA_PATTERN: Element 'nomCertificat'/, 'the client\'s exception text says what is wrong')
  t.match(invalid.fault?.message, 'values are shown masked to their shape', 'and that the value it quotes is masked')
}
