/**
 * SOAP Fault writer (SOAP 1.2 Part 1 §5.4, SOAP 1.1 §4.4) and the validate-only OK envelope.
 *
 * The gateway's stable code is the 1.2 Subcode (`gw:GW_…`) and, in both versions, part of the
 * Detail, which lists every violation. Everything written is escaped.
 */
import type { GatewayError } from '../errors.js'
import { errorToViolation, soapVersionOf } from './errors.js'
import { SOAP11_ENVELOPE_NS, SOAP12_ENVELOPE_NS, type FaultInput, type RenderedFault, type SoapVersion, type Violation } from './types.js'
import { escapeXmlAttribute, escapeXmlText } from './xml-escape.js'

/** Namespace of the gateway's own elements in Faults and reports (prefix `gw`). */
export const FAULT_NAMESPACE = 'urn:sne-gateway:faults'

export const SOAP12_CONTENT_TYPE = 'application/soap+xml; charset=utf-8'
export const SOAP11_CONTENT_TYPE = 'text/xml; charset=utf-8'

/** A rendered envelope: HTTP status, Content-Type and body. */
export type RenderedEnvelope = RenderedFault

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

/** The content type of a SOAP envelope in the given version. */
export function soapContentType (version: SoapVersion): string {
  return version === '1.2' ? SOAP12_CONTENT_TYPE : SOAP11_CONTENT_TYPE
}

function envelopeOpen (version: SoapVersion): string {
  return version === '1.2'
    ? `<env:Envelope xmlns:env="${SOAP12_ENVELOPE_NS}" xmlns:gw="${FAULT_NAMESPACE}"><env:Body>`
    : `<soap:Envelope xmlns:soap="${SOAP11_ENVELOPE_NS}" xmlns:gw="${FAULT_NAMESPACE}"><soap:Body>`
}

function envelopeClose (version: SoapVersion): string {
  return version === '1.2' ? '</env:Body></env:Envelope>' : '</soap:Body></soap:Envelope>'
}

/** A code is written as the local part of a QName: keep it an NCName whatever the caller passes. */
function ncname (code: string): string {
  const s = code.replace(/[^A-Za-z0-9_.-]/g, '_')
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`
}

function violationXml (v: Violation): string {
  let out = `<gw:violation><gw:code>${escapeXmlText(v.code)}</gw:code><gw:message>${escapeXmlText(v.message)}</gw:message>`
  if (v.path !== undefined) out += `<gw:path>${escapeXmlText(v.path)}</gw:path>`
  if (Number.isInteger(v.line)) out += `<gw:line>${v.line!}</gw:line>`
  if (Number.isInteger(v.column)) out += `<gw:column>${v.column!}</gw:column>`
  if (v.part !== undefined) out += `<gw:part>${escapeXmlText(v.part)}</gw:part>`
  if (v.valuesMasked === true) out += '<gw:valuesMasked>true</gw:valuesMasked>'
  return out + '</gw:violation>'
}

function violationsXml (violations: Violation[] | undefined): string {
  if (violations === undefined || violations.length === 0) return ''
  return `<gw:violations>${violations.map(violationXml).join('')}</gw:violations>`
}

/**
 * HTTP statuses that are HTTP's own conditions (routing, method, size, media type, rate), kept in
 * SOAP 1.1 too: a client decides on them (retry later, send less) before it reads any Fault.
 */
const HTTP_LEVEL_STATUSES: ReadonlySet<number> = new Set([404, 405, 408, 413, 415, 429, 431])

/**
 * The HTTP status of a Fault. SOAP 1.2 (Part 2 §7.5.1.2): Sender 400, Receiver 500, unless
 * `statusCode` says otherwise (413, 415, 429, 502…). SOAP 1.1 (§6.2) requires 500 for every
 * Fault, and JAX-WS reads a 1.1 Fault only on 500: any other client status becomes 500 there,
 * but for the HTTP-level ones above; 5xx statuses are kept (502/503/504 name the upstream's state).
 */
export function faultStatus (version: SoapVersion, code: FaultInput['code'], statusCode?: number): number {
  const status = statusCode ?? (code === 'Sender' ? 400 : 500)
  if (version === '1.1' && status < 500 && !HTTP_LEVEL_STATUSES.has(status)) return 500
  return status
}

/** Renders a Fault in the client's SOAP version, with the status of `faultStatus`. */
export function renderFault (input: FaultInput): RenderedFault {
  const version = input.soapVersion
  const lang = escapeXmlAttribute(input.lang ?? 'en')
  const reason = escapeXmlText(input.reason)
  const subcode = ncname(input.subcode)
  const violations = violationsXml(input.violations)
  let fault: string
  if (version === '1.2') {
    fault = '<env:Fault><env:Code>' +
      `<env:Value>env:${input.code}</env:Value>` +
      `<env:Subcode><env:Value>gw:${subcode}</env:Value></env:Subcode>` +
      '</env:Code>' +
      `<env:Reason><env:Text xml:lang="${lang}">${reason}</env:Text></env:Reason>` +
      (violations === '' ? '' : `<env:Detail>${violations}</env:Detail>`) +
      '</env:Fault>'
  } else {
    fault = '<soap:Fault>' +
      `<faultcode>soap:${input.code === 'Sender' ? 'Client' : 'Server'}</faultcode>` +
      `<faultstring xml:lang="${lang}">${reason}</faultstring>` +
      `<detail><gw:code>${subcode}</gw:code>${violations}</detail>` +
      '</soap:Fault>'
  }
  return {
    statusCode: faultStatus(version, input.code, input.statusCode),
    contentType: soapContentType(version),
    body: XML_DECLARATION + envelopeOpen(version) + fault + envelopeClose(version)
  }
}

/**
 * The Fault input for an error of the project: its code as subcode, its message as reason,
 * itself as the one violation, its HTTP status; Sender below 500, Receiver from 500.
 * The version is the one recorded on the error, else `fallback`.
 */
export function faultInputFromError (err: GatewayError, fallback: SoapVersion = '1.2'): FaultInput {
  return {
    soapVersion: soapVersionOf(err) ?? fallback,
    code: err.statusCode >= 500 ? 'Receiver' : 'Sender',
    subcode: err.code,
    reason: err.message,
    violations: [errorToViolation(err)],
    statusCode: err.statusCode
  }
}

export interface OkEnvelopeInput {
  soapVersion: SoapVersion
  /** the operation the message was validated as, if known */
  operation?: string
}

/** The answer of a validate-only call that found nothing wrong: `<gw:validationReport ok="true"/>`. */
export function renderOkEnvelope (input: OkEnvelopeInput): RenderedEnvelope {
  const operation = input.operation === undefined ? '' : ` operation="${escapeXmlAttribute(input.operation)}"`
  return {
    statusCode: 200,
    contentType: soapContentType(input.soapVersion),
    body: XML_DECLARATION + envelopeOpen(input.soapVersion) + `<gw:validationReport ok="true"${operation}/>` + envelopeClose(input.soapVersion)
  }
}
