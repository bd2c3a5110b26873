/**
 * The REST API's load messages, each paired with the SOAP load message it becomes in the gateway
 * (src/rest/message-builder.ts), so that the two are measured on the same gateway, one after the
 * other: the creation (`POST /ecole/api/v1/demandes`, the CRE's `demandeLogement` as JSON, from
 * examples/documents/cre.xml through the JSON contract, as test/integration/rest-api.test.ts calls
 * it) becomes the getNumUnique CRE; the read (`GET /ecole/api/v1/demandes/{numUnique}`, the acting
 * guichet in the `SNE-Guichet` header: the bench's gateway asks no client certificate and
 * configures no guichets) becomes the getDemandeLogement.
 *
 * The canned upstream answers by the call's action (canned-upstream.ts `requestAction`), which the
 * built message carries in its content type like the SOAP one: its MIME boundary, file names and
 * dates, which differ, are never looked at.
 */
import { randomUUID } from 'node:crypto'
import type { JsonContract } from '../../src/contract/json-contract.js'
import type { InterfaceSpec } from '../../src/contract/types.js'
import { buildMtomMessage } from '../../src/soap/mtom-writer.js'
import { WS_NS, type MessageSources } from './messages.js'

/** The guichet the REST calls act for: the CRE example's numGuichet, as the SOAP messages. */
export const REST_GUICHET = 'G1226'
/** The REST API of the école environment on the gateway. */
export const REST_API_PATH = '/ecole/api/v1'

export interface RestBenchMessage {
  /** short stable name, used in file names and tables */
  name: string
  label: string
  /** the BenchMessage.name of the SOAP call this REST call becomes */
  soap: string
  method: 'POST' | 'GET'
  /** the path on the gateway */
  path: string
  contentType?: string
  body?: Buffer
  headers: Record<string, string>
  /** a header wrk sets to a new value on every request (`headers` holds the preflight's) */
  uniqueHeader?: string
  /** the success status of the route */
  okStatus: number
}

/** The `demandeLogement` of a demande document, as the REST API takes it (the JSON contract's form). */
export function demandeLogementJson (spec: InterfaceSpec, contract: JsonContract, document: Buffer): Record<string, unknown> {
  const r = spec.validateDocument(document)
  if (r.doc === undefined || r.violations.length > 0) throw new Error(`the document is not valid (${r.violations[0]?.code ?? 'unreadable'})`)
  const json = contract.toJson(r.doc.root, document).value as { demande?: Array<{ demandeLogement?: Record<string, unknown> }> }
  const demande = json.demande?.[0]?.demandeLogement
  if (demande === undefined) throw new Error('the document holds no demandeLogement')
  return demande
}

export interface RestMessagesInput {
  spec: InterfaceSpec
  contract: JsonContract
  sources: MessageSources
  /** a numéro unique the upstream knows (the same as the SOAP read's) */
  numUnique: string
}

/** The REST creation and read, in table order. */
export function buildRestMessages (input: RestMessagesInput): RestBenchMessage[] {
  if (!/^[0-9A-Z]{18}$/.test(input.numUnique)) throw new Error(`not a numéro unique: ${input.numUnique}`)
  const demande = demandeLogementJson(input.spec, input.contract, input.sources.cre)
  if (demande.numGuichet !== REST_GUICHET) throw new Error(`the CRE example acts for ${String(demande.numGuichet)}, not ${REST_GUICHET}`)
  return [
    {
      name: 'rest-create',
      label: 'REST POST /demandes (CRE demandeLogement JSON)',
      soap: 'cre',
      method: 'POST',
      path: `${REST_API_PATH}/demandes`,
      contentType: 'application/json',
      body: Buffer.from(JSON.stringify(demande), 'utf8'),
      // A write: each creation its own Idempotency-Key (a repeated one would be a replay, not a creation).
      headers: { 'Idempotency-Key': `bench-preflight-${randomUUID()}` },
      uniqueHeader: 'Idempotency-Key',
      okStatus: 201
    },
    {
      name: 'rest-read',
      label: 'REST GET /demandes/{numUnique}',
      soap: 'demande',
      method: 'GET',
      path: `${REST_API_PATH}/demandes/${input.numUnique}`,
      headers: { 'SNE-Guichet': REST_GUICHET },
      okStatus: 200
    }
  ]
}

/**
 * The SOAP message names with each REST message right after the SOAP call it becomes: each pair
 * is measured back to back on the same gateway, under the same machine load.
 */
export function interleaveRest (soapNames: readonly string[], rest: ReadonlyArray<Pick<RestBenchMessage, 'name' | 'soap'>>): string[] {
  const out: string[] = []
  for (const name of soapNames) {
    out.push(name, ...rest.filter((r) => r.soap === name).map((r) => r.name))
  }
  const missing = rest.filter((r) => !soapNames.includes(r.soap))
  if (missing.length > 0) throw new Error(`no SOAP message ${missing.map((r) => r.soap).join(', ')} to pair ${missing.map((r) => r.name).join(', ')} with`)
  return out
}

/**
 * The gateway configuration the REST runs add: the acting guichet's certificate in the messages
 * the REST API builds, as the SOAP getDemandeLogement carries it (the SOAP CRE carries an empty
 * one: the REST creation then sends about 1.2 KB more than its SOAP counterpart, never less).
 */
export function restGatewayExtra (certificateFile: string): Record<string, unknown> {
  return { environments: { ecole: { messageCertificates: { [REST_GUICHET]: { cert: certificateFile } } } } }
}

/** The SNE's answer to a getNumUnique carrying `document` in an MTOM part, as the simulator writes it. */
export function getNumUniqueAnswer (document: Buffer): { contentType: string, body: Buffer } {
  return buildMtomMessage({
    envelope: '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header/><soap:Body>' +
      `<ns2:numUniqueReponse xmlns:ns2="${WS_NS}"><fichierReponse><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:fichierReponse"/></fichierReponse></ns2:numUniqueReponse>` +
      '</soap:Body></soap:Envelope>',
    action: `${WS_NS}getNumUniqueResponse`,
    parts: [{ contentId: 'fichierReponse', contentType: 'text/xml; charset=UTF-8', transferEncoding: '8bit', disposition: 'attachment; name="fichierReponse"', body: document }]
  })
}
