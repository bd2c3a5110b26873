/**
 * The OpenAPI document's examples, from the interfaceNuu example documents the project ships
 * (`examples/documents/`), converted with the JSON contract: each route's request example is the
 * `demandeLogement` of the first demande of the documents that match it (its typeFichier, its
 * radiation motif), so the examples are real documents, never written for the API by hand.
 *
 * Pure: the documents arrive as bytes (`openapi-sources.ts` reads them).
 */
import type { JsonContract } from '../contract/json-contract.js'
import { parseXml } from '../soap/xml-reader.js'
import type { XmlLimits } from '../soap/types.js'
import { API_INTERFACE_VERSION, REST_ROUTES, type RestAnswer, type RestRoute } from './route-table.js'
import { DALO_FIELDS, PROBLEM_TYPE_BASE } from './openapi.js'

/** An OpenAPI Example Object. */
export interface ExampleObject {
  summary: string
  value: unknown
}

export interface RestExamples {
  /** request-body examples by route id, then by example name */
  requests: Record<string, Record<string, ExampleObject>>
  /** one success example per kind of answer */
  answers: Partial<Record<RestAnswer, ExampleObject>>
  /** problem examples by status */
  problems: Partial<Record<number, ExampleObject>>
  numUnique?: string
  guichet?: string
  depuis?: string
}

type Json = Record<string, unknown>

/** An example document as JSON, with what routes are matched on. */
interface Converted {
  name: string
  typeFichier: string | undefined
  value: Json
  demande: Json | undefined
}

const REQUEST_ID = '0e9f1c9a-3b7d-4c52-9a55-2f1f5d1c8e41'

/** The first demande's demandeLogement of a document, or undefined. */
function firstDemande (doc: Json): Json | undefined {
  const demandes = doc.demande
  if (!Array.isArray(demandes)) return undefined
  const first = demandes[0] as Json | undefined
  const d = first?.demandeLogement
  return typeof d === 'object' && d !== null ? d as Json : undefined
}

function radiationMotif (demande: Json): string | undefined {
  const r = demande.radiation as Json | undefined
  return typeof r?.motif === 'string' ? r.motif : undefined
}

/** Does a document fit a getNumUnique route: its typeFichier, and for RAD its motif? */
function fits (route: RestRoute, doc: Converted): boolean {
  if (doc.demande === undefined || doc.typeFichier === undefined) return false
  const types: readonly string[] = route.typeFichierQuery ?? (route.typeFichier === undefined ? [] : [route.typeFichier])
  if (!types.includes(doc.typeFichier)) return false
  const motif = radiationMotif(doc.demande)
  if (route.radiationMotif === 'empty') return motif === ''
  if (route.radiationMotif === 'any') return motif !== undefined && motif !== ''
  return true
}

const label = (name: string): string => name.replace(/\.xml$/, '')

/**
 * The examples of every route, from example documents by file name. Documents of another
 * interface version than the API's are left out; one that does not parse or convert throws
 * (they ship with the project: a broken one is a bug).
 */
export function restExamples (contract: JsonContract, documents: ReadonlyMap<string, Buffer>, limits?: Partial<XmlLimits>): RestExamples {
  const converted: Converted[] = []
  for (const [name, bytes] of [...documents].sort(([a], [b]) => a.localeCompare(b))) {
    const result = contract.toJson(parseXml(bytes, limits).root, bytes)
    if (result.version !== API_INTERFACE_VERSION) continue
    const value = result.value
    const typeFichier = (value.entete as Json | undefined)?.typeFichier
    converted.push({ name, typeFichier: typeof typeFichier === 'string' ? typeFichier : undefined, value, demande: firstDemande(value) })
  }
  // Answers (typeFichier RET) and the partial demandes of a doublons search are not writes.
  const answers = converted.filter((d) => d.typeFichier === 'RET')
  const searches = converted.filter((d) => d.name.startsWith('doublons'))
  const writes = converted.filter((d) => d.typeFichier !== 'RET' && !searches.includes(d))

  const requests: RestExamples['requests'] = {}
  const daloSource = writes.find((d) => typeof d.demande?.dalo === 'object')
  for (const route of REST_ROUTES) {
    const out: Record<string, ExampleObject> = {}
    if (route.body === 'demandeLogement') {
      for (const d of writes.filter((w) => fits(route, w))) {
        out[label(d.name)] = { summary: `${d.typeFichier!}${d.typeFichier === 'RAD' ? ` ${radiationMotif(d.demande!) || '(empty motif)'}` : ''}, from ${d.name}`, value: d.demande }
      }
    } else if (route.body === 'doublons') {
      for (const d of searches) if (d.demande !== undefined) out[label(d.name)] = { summary: `A partial demande, from ${d.name}`, value: d.demande }
    } else if (route.body === 'dalo' && daloSource !== undefined) {
      const dalo = daloSource.demande!.dalo as Json
      out.dalo = { summary: `The DALO decision of ${daloSource.name}`, value: Object.fromEntries(DALO_FIELDS.filter((k) => dalo[k] !== undefined).map((k) => [k, dalo[k]])) }
    }
    if (Object.keys(out).length > 0) requests[route.id] = out
  }

  const examples: RestExamples = { requests, answers: {}, problems: {} }
  // A read-back: the SNE's answer to getDemandeLogement, its anomalies shown as a 422 instead.
  const readBack = answers.find((d) => d.demande !== undefined)
  if (readBack !== undefined) {
    const { listeAnomalie, ...demande } = readBack.demande!
    examples.answers.demande = { summary: `A read-back, from ${readBack.name}`, value: { demandeLogement: demande } }
    examples.answers.demandes = { summary: `A list of one, from ${readBack.name}`, value: { demandes: [{ demandeLogement: demande }] } }
    const anomalies = ((listeAnomalie as Json | undefined)?.anomalie as Json[] | undefined) ?? []
    if (anomalies.length > 0) {
      examples.problems[422] = {
        summary: `The SNE's anomalies, from ${readBack.name}`,
        value: problem(422, 'GW_REST_SNE_ANOMALY', 'The SNE refused the demande', { anomalies: anomalies.map((a) => ({ code: a.code, message: a.message })) })
      }
    }
    if (typeof demande.numUnique === 'string') examples.numUnique = demande.numUnique
    if (typeof demande.numGuichet === 'string') examples.guichet = demande.numGuichet
  }
  const doublons = answers.find((d) => typeof d.value.listeDoublons === 'object')
  if (doublons !== undefined) {
    const list = (doublons.value.listeDoublons as Json).doublon ?? []
    examples.answers.doublons = { summary: `The SNE's listeDoublons, from ${doublons.name}`, value: { doublons: list } }
  }
  examples.problems[400] = { summary: 'A body that is not JSON', value: problem(400, 'GW_REST_INVALID_JSON', 'The body is not well-formed JSON') }
  examples.problems[429] = { summary: 'A rate limit', value: problem(429, 'GW_LIMIT_RATE', 'Too many calls for this client identity') }
  examples.depuis = '2025-06-01T00:00:00+02:00'
  return examples
}

function problem (status: number, code: string, title: string, extra: Json = {}): Json {
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title, status, instance: `urn:uuid:${REQUEST_ID}`, code, ...extra }
}
