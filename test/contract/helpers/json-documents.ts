// The interfaceNuu documents the project ships or generates, for the JSON contract's proofs:
// examples/documents, the valid documents of the validation corpus, and every answer the école
// simulator gives along a demande's life (creation to suppression, lists, anomalies).
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as lx from 'libxml2-wasm'
import { createDemandeService } from '../../../src/simulator/demande-service.js'
import { createSoapHandler } from '../../../src/simulator/soap-handler.js'
import { openStore } from '../../../src/simulator/store.js'
import type { InterfaceSpec } from '../../../src/contract/types.js'
import {
  ALPHA, daloSinceRequest, declarationDaloRequest, demandeDocument, demandeLogementRequest, doublonsRequest,
  movableClock, numUniqueRequest, radieesSinceRequest, readAnswer, type SoapRequest
} from '../../simulator/helpers/messages.js'

export interface NamedDocument {
  name: string
  bytes: Buffer
}

const repo = fileURLToPath(new URL('../../../', import.meta.url))

export function exampleDocuments (): NamedDocument[] {
  const dir = join(repo, 'examples', 'documents')
  return readdirSync(dir).filter((f) => f.endsWith('.xml')).sort().map((f) => ({ name: `examples/documents/${f}`, bytes: readFileSync(join(dir, f)) }))
}

interface CaseFile { contentType?: string, generate?: string, violations: string[] }

/** The documents carried by the corpus's cases, valid (`valid: true`) or not. */
export function corpusDocuments (spec: InterfaceSpec, valid: boolean): NamedDocument[] {
  const root = join(repo, 'test', 'fixtures')
  const out: NamedDocument[] = []
  for (const name of readdirSync(root).sort()) {
    const file = join(root, name, 'case.json')
    if (!existsSync(file)) continue
    const c = JSON.parse(readFileSync(file, 'utf8')) as CaseFile
    if (c.generate !== undefined || (c.violations.length === 0) !== valid) continue
    const result = spec.validateMessage(readFileSync(join(root, name, 'message')), c.contentType)
    for (const d of result.documents) {
      if (d.doc !== undefined) out.push({ name: `test/fixtures/${name} (${d.element})`, bytes: d.bytes })
    }
  }
  return out
}

/** Every answer of the simulator along a demande's life, as the SNE would send them. */
export function simulatorAnswers (spec: InterfaceSpec): NamedDocument[] {
  const time = movableClock('2024-01-10T09:00:00.000Z')
  const store = openStore()
  try {
    const service = createDemandeService({ store, clock: time.clock, answerVersion: '02.01' })
    const handler = createSoapHandler({ spec, service })
    const out: NamedDocument[] = []
    const call = (name: string, req: SoapRequest): ReturnType<typeof readAnswer> => {
      const res = handler.handle(req.body, req.contentType, undefined)
      if (res.statusCode !== 200) throw new Error(`${name}: HTTP ${res.statusCode}`)
      const answer = readAnswer(res.contentType, res.body)
      out.push({ name: `simulator: ${name}`, bytes: answer.bytes })
      return answer
    }
    const cre = call('CRE', numUniqueRequest(demandeDocument({ cotitulaire: { nom: 'FICTIF-BETA', prenom: 'Test-Deux', dateNaissance: '1987-03-04' } })))
    const nu = cre.nu!
    call('CRE personne morale', numUniqueRequest(demandeDocument({ personneMorale: true })))
    call('CRE 02.00', numUniqueRequest(demandeDocument({ version: '02.00' })))
    call('CRE incomplete (CRS path)', numUniqueRequest(demandeDocument({ typeFichier: 'CRS', incomplete: true })))
    call('CRE with an anomaly (11 communes)', numUniqueRequest(demandeDocument({ communes: ['75101', '75102', '75103', '75104', '75105', '75106', '75107', '75108', '75109', '75110', '75111'] })))
    call('getDemandeLogement', demandeLogementRequest(nu))
    call('MOD', numUniqueRequest(demandeDocument({ typeFichier: 'MOD', nu, dalo: { statut: 'ACTIF', date: '2024-01-05' } })))
    call('getDoublons', doublonsRequest(demandeDocument({ typeFichier: 'CRE', demandeur: ALPHA })))
    call('declarationNouveauDalo', declarationDaloRequest(nu, '2024-01-08', 'ACTIF', '01'))
    call('getNouveauxDaloDepuisLe', daloSinceRequest('2024-01-01T00:00:00'))
    time.set('2024-11-20T09:00:00.000Z')
    call('REN', numUniqueRequest(demandeDocument({ typeFichier: 'REN', nu, dateFichier: '2024-11-20T10:00:00.000+01:00' })))
    call('RAD RADIRR', numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu, dateFichier: '2024-11-20T10:00:00.000+01:00', radiation: { motif: 'RADIRR', sousMotif: 'IRRSEJ' } })))
    call('getDemandesRadieesDepuisLe', radieesSinceRequest('2024-01-01T00:00:00'))
    call('réactivation', numUniqueRequest(demandeDocument({ typeFichier: 'RAD', nu, dateFichier: '2024-11-20T10:00:00.000+01:00', radiation: { motif: '' } })))
    call('SUP', numUniqueRequest(demandeDocument({ typeFichier: 'SUP', nu, dateFichier: '2024-11-20T10:00:00.000+01:00' })))
    return out
  } finally {
    store.close()
  }
}

/**
 * Exclusive XML Canonicalization of `bytes` with whitespace-only text, comments and processing
 * instructions left out: the form two documents are compared in.
 */
export function canonical (bytes: Buffer | string): string {
  // Processing instructions other than the XML declaration are cut out before parsing.
  const text = (typeof bytes === 'string' ? bytes : bytes.toString('utf8')).replace(/<\?(?!xml[\s?])[\s\S]*?\?>/g, '')
  const doc = lx.XmlDocument.fromBuffer(Buffer.from(text, 'utf8'), { option: lx.ParseOption.XML_PARSE_NONET })
  try {
    return doc.canonicalizeToString({
      mode: lx.XmlC14NMode.XML_C14N_EXCLUSIVE_1_0,
      isVisible: (node) => !(node instanceof lx.XmlComment || (node instanceof lx.XmlText && node.content.trim() === ''))
    })
  } finally {
    doc.dispose()
  }
}
