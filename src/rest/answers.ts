/**
 * The SNE's answer to a REST call, as JSON: the SOAP answer is decoded (MIME, hardened XML,
 * envelope), the interfaceNuu document it carries is read and converted with the JSON contract,
 * and the outcome is one of: the route's answer, the SNE's anomalies (`listeAnomalie`, codes
 * verbatim), a Fault, or an answer off the contract. Never the SNE's own text of a Fault: it
 * goes to the log as a code, not to the client (the gateway's rule for upstream text).
 */
import type { JsonContract } from '../contract/json-contract.js'
import type { InterfaceSpec } from '../contract/types.js'
import { isGatewayError } from '../errors.js'
import { decodeSoapMessage } from '../soap/message.js'
import type { SoapMessage, XmlElement } from '../soap/types.js'
import { parseXml } from '../soap/xml-reader.js'
import { carriedDocuments } from '../routes/response-drift.js'
import type { RestAnswer } from './route-table.js'

/** One anomaly of the SNE: its code verbatim, its message, and where in the demande when known. */
export interface Anomaly {
  code: string
  message: string
}

export type AnswerOutcome =
  | { kind: 'ok', body: Record<string, unknown>, numUnique: string | undefined }
  | { kind: 'anomalies', anomalies: Anomaly[] }
  | { kind: 'fault', code: string | undefined }
  | { kind: 'off-contract', reason: string }

/** The Fault's first subcode (`gw:…`, the SNE's own code), never its text. */
function faultCode (fault: XmlElement): string | undefined {
  const find = (e: XmlElement, local: string): XmlElement | undefined => e.children.find((c) => c.local === local)
  const code = find(fault, 'Code')
  const sub = code === undefined ? undefined : find(code, 'Subcode')
  const value = sub === undefined ? undefined : find(sub, 'Value')
  const text = value?.text.trim() ?? find(fault, 'faultcode')?.text.trim()
  return text === undefined || text === '' ? undefined : text.slice(text.indexOf(':') + 1).slice(0, 64)
}

type Json = Record<string, unknown>
const asArray = (v: unknown): unknown[] => Array.isArray(v) ? v : []
const asObject = (v: unknown): Json | undefined => typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Json : undefined

function anomaliesOf (list: unknown): Anomaly[] {
  return asArray(asObject(list)?.anomalie).flatMap((a) => {
    const o = asObject(a)
    return o === undefined ? [] : [{ code: String(o.code ?? ''), message: typeof o.message === 'string' ? o.message : '' }]
  })
}

/** Reads the answer to a call of `operation`, shaped as the route's `answer`. */
export function readAnswer (spec: InterfaceSpec, contract: JsonContract, body: Buffer, contentType: string | undefined, answer: RestAnswer): AnswerOutcome {
  let message: SoapMessage
  try {
    message = decodeSoapMessage(body, contentType)
  } catch (err) {
    return { kind: 'off-contract', reason: isGatewayError(err) ? err.code : 'undecodable' }
  }
  const payload = message.payload
  if (payload !== undefined && payload.local === 'Fault' && payload.uri === message.envelope.root.uri) return { kind: 'fault', code: faultCode(payload) }
  const bytes = carriedDocuments(message)[0]
  if (bytes === undefined) return { kind: 'off-contract', reason: 'no interfaceNuu document' }
  let json: Json
  try {
    const doc = parseXml(bytes, spec.xmlLimits)
    json = contract.toJson(doc.root, bytes).value
  } catch (err) {
    return { kind: 'off-contract', reason: isGatewayError(err) ? err.code : (err as { code?: string }).code ?? 'unconvertible' }
  }
  const demandes = asArray(json.demande).map(asObject).filter((d): d is Json => d !== undefined)
  const anomalies = [
    ...anomaliesOf(json.listeAnomalie),
    ...demandes.flatMap((d) => anomaliesOf(asObject(d.demandeLogement)?.listeAnomalie))
  ]
  if (anomalies.length > 0) return { kind: 'anomalies', anomalies }
  switch (answer) {
    case 'demande': {
      const first = asObject(demandes[0]?.demandeLogement)
      if (first === undefined) return { kind: 'off-contract', reason: 'no demande in the answer' }
      return { kind: 'ok', body: { demandeLogement: first }, numUnique: typeof first.numUnique === 'string' ? first.numUnique : undefined }
    }
    case 'demandes':
      return { kind: 'ok', body: { demandes: demandes.map((d) => ({ demandeLogement: d.demandeLogement })) }, numUnique: undefined }
    case 'doublons':
      return { kind: 'ok', body: { doublons: asArray(asObject(json.listeDoublons)?.doublon) }, numUnique: undefined }
  }
}
