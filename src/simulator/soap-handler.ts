/**
 * One SOAP call, from the request bytes to the answer bytes, without HTTP: validation by
 * `contract/` (no second parser, no second schema), dispatch to the demande service, and the
 * answer in kind, as a JAX-WS endpoint with MTOM enabled answers (wsdl/README.md, "Answers in
 * kind"): to an MTOM request, or one whose Accept names `application/xop+xml`, the MTOM layout of
 * docs/sne-reference.md §4.2 (the root part, then the answer document as an attachment that
 * `fichierReponse` references with an xop:Include); to any other, a plain SOAP 1.2 envelope with
 * the document as inline base64. Or a SOAP Fault.
 *
 * Functional errors are answered in-band as the SNE does; a malformed or schema-invalid
 * message is a Fault in the client's SOAP version.
 */
import { randomBytes } from 'node:crypto'
import type { GatewayError } from '../errors.js'
import { isGatewayError } from '../errors.js'
import { codes as soapCodes } from '../soap/errors.js'
import { renderFault } from '../soap/fault.js'
import { MIME_BOUNDARY, buildMtomMessage } from '../soap/mtom-writer.js'
import { SOAP12_CONTENT_TYPE } from '../soap/fault.js'
import { SOAP12_ENVELOPE_NS, type SoapVersion, type Violation, XOP_NS, type XmlElement } from '../soap/types.js'
import type { InterfaceSpec, OperationSpec, ValidationResult } from '../contract/types.js'
import { ruleAnomalies } from './anomalies.js'
import type { Answer } from './answers.js'
import type { DemandeService, RuleViolation } from './demande-service.js'
import { fromElement } from './demande-tree.js'
import { codes } from './errors.js'

/** The generic message of the SNE (docs/sne-reference.md §4.3). */
export const SNE_GENERIC_MESSAGE = 'Une erreur inattendue est survenue lors du traitement de la demande.'

/** Content-ID of the answer document's MIME part. */
export const ANSWER_CONTENT_ID = 'fichierReponse'

/** How a call ended, for logs and counters. */
export type Outcome = 'answer' | 'anomaly' | 'fault'

/** A complete HTTP answer, and what it was about (no personal data). */
export interface SoapResponse {
  statusCode: number
  contentType: string
  body: Buffer
  operation: string | undefined
  outcome: Outcome
  /** the Fault subcode or the anomaly codes */
  codes: string[]
  /** for getNumUnique: the file type submitted */
  typeFichier?: string
}

export interface SoapHandlerDeps {
  spec: InterfaceSpec
  service: DemandeService
}

/** A request validated by the spec, not yet acted upon. */
export interface ValidatedRequest {
  /** the operation, when the message is valid enough to name one */
  operation: string | undefined
  result: ValidationResult
  /** answer with MTOM: the request was multipart/related or its Accept asked for application/xop+xml */
  mtomAnswer: boolean
}

export interface SoapHandler {
  /** validates a request with the spec; nothing is changed yet */
  validate (body: Buffer, contentType: string | undefined, soapAction: string | undefined, accept?: string): ValidatedRequest
  /** acts on a validated request: the service's answer, or a Fault */
  respond (request: ValidatedRequest): SoapResponse
  /** validate + respond */
  handle (body: Buffer, contentType: string | undefined, soapAction: string | undefined, accept?: string): SoapResponse
  /** a Fault with the SNE's generic message (fault injection and unexpected errors) */
  genericFault (code: GatewayError['code'], operation: string | undefined, soapVersion?: SoapVersion): SoapResponse
}

const SOAP_STATUS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(soapCodes).map(([code, Err]) => [code, Err.statusCode])
)

function faultResponse (fault: ReturnType<typeof renderFault>, operation: string | undefined, code: string): SoapResponse {
  return { statusCode: fault.statusCode, contentType: fault.contentType, body: Buffer.from(fault.body, 'utf8'), operation, outcome: 'fault', codes: [code] }
}

/** The text of an unqualified child of the request wrapper. */
function param (payload: XmlElement | undefined, name: string): string | undefined {
  const el = payload?.children.find((c) => c.local === name && c.uri === '')
  return el?.text.trim()
}

const MULTIPART = /^\s*multipart\/related\s*(?:;|$)/i
const XOP = /(?:^|,)\s*application\/xop\+xml\s*(?:[;,]|$)/i

/** Whether the answer is MTOM: an MTOM request, or an Accept that names application/xop+xml (JAX-WS's rule). */
export function wantsMtom (contentType: string | undefined, accept: string | undefined): boolean {
  return MULTIPART.test(contentType ?? '') || XOP.test(accept ?? '')
}

/** Builds the handler; everything the per-call path needs is computed here, once. */
export function createSoapHandler (deps: SoapHandlerDeps): SoapHandler {
  const { spec, service } = deps

  function mtom (op: OperationSpec, answer: Answer): { contentType: string, body: Buffer } {
    const response = op.response ?? { uri: spec.targetNamespace, local: `${op.name}Response` }
    const envelope = `<soap:Envelope xmlns:soap="${SOAP12_ENVELOPE_NS}"><soap:Header/><soap:Body>` +
      `<ns2:${response.local} xmlns:ns2="${response.uri}">` +
      `<fichierReponse><xop:Include xmlns:xop="${XOP_NS}" href="cid:${ANSWER_CONTENT_ID}"/></fichierReponse>` +
      `</ns2:${response.local}></soap:Body></soap:Envelope>`
    const document = Buffer.from(answer.xml, 'utf8')
    // A client's value could contain the boundary line; then another boundary keeps the parts apart.
    const boundary = document.includes(`--${MIME_BOUNDARY}`) ? `${MIME_BOUNDARY}_${randomBytes(12).toString('hex')}` : MIME_BOUNDARY
    return buildMtomMessage({
      envelope,
      action: `${op.action}Response`,
      boundary,
      parts: [{
        contentId: ANSWER_CONTENT_ID,
        contentType: 'text/xml; charset=UTF-8',
        transferEncoding: '8bit',
        disposition: `attachment; name="${ANSWER_CONTENT_ID}"`,
        body: document
      }]
    })
  }

  /** The answer without MTOM: the document inline, base64 in `fichierReponse`, as JAX-WS writes a plain answer. */
  function plain (op: OperationSpec, answer: Answer): { contentType: string, body: Buffer } {
    const response = op.response ?? { uri: spec.targetNamespace, local: `${op.name}Response` }
    const envelope = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP12_ENVELOPE_NS}"><soap:Header/><soap:Body>` +
      `<ns2:${response.local} xmlns:ns2="${response.uri}">` +
      `<fichierReponse>${Buffer.from(answer.xml, 'utf8').toString('base64')}</fichierReponse>` +
      `</ns2:${response.local}></soap:Body></soap:Envelope>`
    return { contentType: `${SOAP12_CONTENT_TYPE}; action="${op.action}Response"`, body: Buffer.from(envelope, 'utf8') }
  }

  function answerOf (op: OperationSpec, result: Answer, mtomAnswer: boolean, typeFichier?: string): SoapResponse {
    const message = mtomAnswer ? mtom(op, result) : plain(op, result)
    const out: SoapResponse = {
      statusCode: 200,
      contentType: message.contentType,
      body: message.body,
      operation: op.name,
      outcome: result.anomalies.length > 0 ? 'anomaly' : 'answer',
      codes: result.anomalies
    }
    if (typeFichier !== undefined) out.typeFichier = typeFichier
    return out
  }

  function invalid (result: ValidationResult, violations: Violation[]): SoapResponse {
    const statusCode = violations.map((v) => SOAP_STATUS[v.code]).find((s) => s === 413 || s === 415)
    const fault = renderFault({
      soapVersion: result.soapVersion ?? '1.2',
      code: 'Sender',
      subcode: codes.GW_SIM_INVALID_REQUEST.code,
      reason: SNE_GENERIC_MESSAGE,
      lang: 'fr',
      violations,
      ...(statusCode === undefined ? {} : { statusCode })
    })
    return faultResponse(fault, result.operation, codes.GW_SIM_INVALID_REQUEST.code)
  }

  function genericFault (code: string, operation: string | undefined, soapVersion: SoapVersion = '1.2'): SoapResponse {
    const fault = renderFault({ soapVersion, code: 'Receiver', subcode: code, reason: SNE_GENERIC_MESSAGE, lang: 'fr' })
    return faultResponse(fault, operation, code)
  }

  function dispatch (op: OperationSpec, result: ValidationResult, rules: RuleViolation[], mtomAnswer: boolean): SoapResponse {
    const answer = (op: OperationSpec, result: Answer, typeFichier?: string): SoapResponse => answerOf(op, result, mtomAnswer, typeFichier)
    const payload = result.message?.payload
    const document = result.documents[0]?.doc
    // Rule violations on a document other than a submitted file: anomalies alone.
    if (rules.length > 0 && op.name !== 'getNumUnique') return answer(op, service.refuse(rules, result.documents[0]?.versionInterface))
    switch (op.name) {
      case 'getNumUnique': {
        if (document === undefined) break
        const submitted = service.submit(fromElement(document.root), rules)
        return answer(op, submitted, submitted.typeFichier)
      }
      case 'getDemandeLogement':
        return answer(op, service.read(param(payload, 'numUnique') ?? ''))
      case 'getDoublons':
        if (document === undefined) break
        return answer(op, service.doublons(fromElement(document.root)))
      case 'getNouveauxDaloDepuisLe':
        return answer(op, service.daloSince(param(payload, 'dateNouveauDaloDepuisLe') ?? ''))
      case 'getDemandesRadieesDepuisLe':
        return answer(op, service.radiatedSince(param(payload, 'dateRadiationDepuisLe') ?? ''))
      case 'declarationNouveauDalo': {
        const typologie = param(payload, 'typologieLogementDalo')
        return answer(op, service.declareDalo({
          nu: param(payload, 'numUnique') ?? '',
          dateDecisionDalo: param(payload, 'dateDecisionDalo') ?? '',
          statutDalo: param(payload, 'statutDalo') ?? '',
          ...(typologie === undefined ? {} : { typologieLogementDalo: typologie })
        }))
      }
    }
    // A WSDL dropped into wsdl/ may name operations the simulator does not know.
    return genericFault(codes.GW_SIM_OPERATION_NOT_SIMULATED.code, op.name)
  }

  function validate (body: Buffer, contentType: string | undefined, soapAction: string | undefined, accept?: string): ValidatedRequest {
    const result = spec.validateMessage(body, contentType, soapAction === undefined ? {} : { soapAction })
    return { operation: result.operation, result, mtomAnswer: wantsMtom(contentType, accept) }
  }

  function respond ({ result, mtomAnswer }: ValidatedRequest): SoapResponse {
    const rules = result.violations.filter((v) => ruleAnomalies[v.code] !== undefined)
    const others = result.violations.filter((v) => ruleAnomalies[v.code] === undefined)
    const op = result.operation === undefined ? undefined : spec.operations.get(result.operation)
    if (others.length > 0 || op === undefined) return invalid(result, others)
    try {
      return dispatch(op, result, rules.map((v) => (v.path === undefined ? { code: v.code } : { code: v.code, path: v.path })), mtomAnswer)
    } catch (err) {
      if (isGatewayError(err) && err.code === codes.GW_SIM_SNE_ERROR.code) return genericFault(err.code, op.name)
      throw err
    }
  }

  return {
    validate,
    respond,
    handle (body, contentType, soapAction, accept) {
      return respond(validate(body, contentType, soapAction, accept))
    },
    genericFault
  }
}
