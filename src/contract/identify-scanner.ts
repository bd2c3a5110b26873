/**
 * The identify-only check of validation mode `off`, made on the message's bytes for the plain
 * forms normal clients send: MTOM `multipart/related` (CRLF or bare LF lines, parts delimited at
 * once, printable ASCII headers without continuation lines) and plain SOAP 1.1/1.2, with XML the
 * byte scanner (`soap/xml-scan.ts`) handles. It computes the `MessageCheck` that `checkHere(…, { identifyOnly:
 * true })` computes, or answers "not sure" (undefined) and the full decode runs.
 *
 * It answers only for a message the full decode takes without a violation, whose every carried
 * document parses: before trusting anything it verifies what the decode verifies (the content
 * types by the decode's own checks, the MIME layout, part headers and Content-IDs, each part's
 * transfer encoding by the decode's own decoder, the envelope's version, layout and one Body
 * child, every xop:Include and attachment, every declared action, well-formedness and limits of
 * the envelope and of each document), and hands the values it read to the decode's own
 * functions (`identifiedGuichets`, `fileNameOf`, `addressingActions`). Anything else — a violation to report, a form
 * it does not know — is left to the decode: a disagreement could misroute or misauthorize a
 * call, since the guichet facts choose per-guichet upstreams and authorize.
 */
import { declaredActions, soapVersionOfNamespace } from '../soap/envelope.js'
import { checkedMessageType, checkedRootType } from '../soap/message.js'
import { DEFAULT_MAX_PARTS, TCHAR, decodeTransferEncoding, isValidBoundary, stripAngleBrackets } from '../soap/mime.js'
import { XOP_NS, type SoapVersion, type XmlDocument, type XmlElement, type XmlLimits } from '../soap/types.js'
import { attributeValue } from '../soap/xml-tree.js'
import { ScanNames, scanXml, textOf, type ScanShape, type ScannedDocument, type ScannedElement } from '../soap/xml-scan.js'
import { fileNameOf, type MessageCheck } from './message-check.js'
import { DEMANDE_FACT_NAMES, PAYLOAD_FACT_NAMES } from './guichet-facts.js'
import { addressingActions, FILE_NAME_ELEMENT, identifiedGuichets, namesOperation, strictBase64 } from './message-validator.js'
import type { InterfaceSpec, OperationSpec } from './types.js'

/**
 * How often the scanner answered, how often it left the message to the full decode, and how often
 * it failed (threw: a bug, not an input it does not know; the full decode judged the message).
 */
export interface ScanCounts {
  answered: number
  deferred: number
  failed: number
}

export interface IdentifyScanner {
  /** the identify-only check of the message, or undefined when the full decode must make it */
  scan (bytes: Buffer, contentType: string | undefined, soapAction: string | undefined): MessageCheck | undefined
  /** for tests and benches; the gateway counts the same outcomes in `sne_gateway_identify_scans_total` (`counted`) */
  readonly counts: Readonly<ScanCounts>
}

const CR = 0x0d; const LF = 0x0a; const DASH = 0x2d; const COLON = 0x3a
/** a part's header block longer than this is left to the decode (its bound is 16 KiB) */
const MAX_SCANNED_HEADERS = 8 * 1024

/** The envelope: Envelope, Header and Body, the payload and its children, and every XOP element. */
const ENVELOPE_SHAPE: ScanShape = { depths: [undefined, undefined, undefined, undefined], keepUri: XOP_NS }
/** A document: what `guichetFacts` reads of it (interfaceNuu/demande/demandeLogement/numGuichet|numUnique). */
const DOCUMENT_SHAPE: ScanShape = { depths: [undefined, ['demande'], ['demandeLogement'], [...DEMANDE_FACT_NAMES]] }
/** The payload children whose text the facts and the file name read: the scanner keeps no other text. */
const VALUE_NAMES = new Set([...PAYLOAD_FACT_NAMES, FILE_NAME_ELEMENT])

/** One MIME part as the scanner reads it. */
interface ScannedPart {
  contentId: string
  contentType: string
  body: Buffer
}

/**
 * Builds the scanner of `spec`'s operations, SOAP versions and XML limits; `counted` hears each
 * scan's outcome as it is counted in `counts` (the gateway's metric).
 */
export function identifyScanner (spec: Pick<InterfaceSpec, 'operations' | 'soapVersions' | 'xmlLimits'>, counted: (outcome: keyof ScanCounts) => void = () => {}): IdentifyScanner {
  const byRequest = new Map<string, OperationSpec>([...spec.operations.values()].map((op) => [`{${op.request.uri}}${op.request.local}`, op]))
  const counts: ScanCounts = { answered: 0, deferred: 0, failed: 0 }
  const context: ScanContext = { byRequest, soapVersions: spec.soapVersions, limits: spec.xmlLimits, names: new ScanNames(), boundary: '', dash: Buffer.alloc(0) }
  return {
    counts,
    scan (bytes, contentType, soapAction) {
      let check: MessageCheck | undefined
      try {
        check = scanMessage(context, bytes, contentType, soapAction)
      } catch {
        // No input is known to make it throw; were one found, the full decode judges the message,
        // and the count (a metric in the gateway) tells that the scanner has a bug to fix.
        counts.failed++
        counted('failed')
        return undefined
      }
      const outcome = check === undefined ? 'deferred' : 'answered'
      counts[outcome]++
      counted(outcome)
      return check
    }
  }
}

interface ScanContext {
  byRequest: ReadonlyMap<string, OperationSpec>
  soapVersions: readonly SoapVersion[]
  limits: Readonly<XmlLimits>
  /** the names the scans met */
  names: ScanNames
  /** the last boundary met, and its delimiter's bytes */
  boundary: string
  dash: Buffer
}

function scanMessage (ctx: ScanContext, bytes: Buffer, contentType: string | undefined, soapAction: string | undefined): MessageCheck | undefined {
  if (contentType === undefined) return undefined
  let checked: ReturnType<typeof checkedMessageType>
  try {
    checked = checkedMessageType(contentType)
  } catch {
    return undefined
  }
  if (!checked.mtom) {
    const actions = declaredActions({ message: checked.ct, soapAction })
    return identify(ctx, bytes, checked.transportVersion, actions, new Map())
  }
  const boundary = checked.ct.params.boundary
  if (boundary === undefined || !isValidBoundary(boundary)) return undefined
  const parts = splitParts(bytes, dashOf(ctx, boundary), ctx.names)
  if (parts === undefined) return undefined
  const start = checked.ct.params.start
  const root = start === undefined ? parts[0] : parts.find((p) => p.contentId === stripAngleBrackets(start))
  if (root === undefined) return undefined
  let rootType: ReturnType<typeof checkedRootType>
  try {
    rootType = checkedRootType(root.contentType)
  } catch {
    return undefined
  }
  const attachments = new Map<string, Buffer>()
  for (const part of parts) if (part !== root) attachments.set(part.contentId, part.body)
  const actions = declaredActions({ message: checked.ct, startInfo: checked.startInfo, root: rootType.rootCt, rootType: rootType.rootType, soapAction })
  return identify(ctx, root.body, rootType.transportVersion, actions, attachments)
}

/** `--boundary` as bytes; the last one is kept (a client sends the same boundary every time). */
function dashOf (ctx: ScanContext, boundary: string): Buffer {
  if (boundary !== ctx.boundary) {
    ctx.dash = Buffer.from(`--${boundary}`, 'latin1')
    ctx.boundary = boundary
  }
  return ctx.dash
}

/**
 * Where the line of a delimiter whose `--boundary` ends at `p` ends: after optional transport
 * padding (spaces, tabs) and CRLF or a bare LF, as the decode reads it; -1 otherwise.
 */
function delimiterLineEnd (body: Buffer, p: number): number {
  while (body[p] === 0x20 || body[p] === 0x09) p++
  if (body[p] === CR && body[p + 1] === LF) return p + 2
  return body[p] === LF ? p + 1 : -1
}

/**
 * The parts of an MTOM body delimited at once: the first delimiter at the first byte, each
 * delimiter at the start of a line, the close delimiter followed by blank bytes only, the
 * boundary nowhere else; each part with a non-empty Content-ID of its own and a body its transfer
 * encoding decodes. Undefined for any other body.
 */
function splitParts (body: Buffer, dash: Buffer, names: ScanNames): ScannedPart[] | undefined {
  const dl = dash.length
  if (body.compare(dash, 0, dl, 0, dl) !== 0) return undefined
  let headerStart = delimiterLineEnd(body, dl)
  if (headerStart < 0) return undefined
  const parts: ScannedPart[] = []
  let d = 0
  for (;;) {
    if (parts.length + 2 > DEFAULT_MAX_PARTS) return undefined
    const headers = readHeaders(body, headerStart, names)
    if (headers === undefined) return undefined
    const bodyStart = headers.bodyStart
    // the next delimiter is the next occurrence of the boundary, at the start of a line after
    // the headers; the line end before it belongs to it, as the decode has it
    const next = body.indexOf(dash, d + 1)
    if (next <= bodyStart || body[next - 1] !== LF) return undefined
    let bodyEnd = next - 1
    if (bodyEnd > bodyStart && body[bodyEnd - 1] === CR) bodyEnd--
    const contentId = stripAngleBrackets(headers.contentId ?? '')
    if (contentId === '' || parts.some((p) => p.contentId === contentId)) return undefined
    // A part that declares no encoding is taken as 8bit, as the decode takes it.
    const encoding = headers.encoding === undefined ? '8bit' : headers.encoding.toLowerCase()
    let decoded: Buffer
    try {
      decoded = decodeTransferEncoding(body.subarray(bodyStart, bodyEnd), encoding, { part: contentId })
    } catch {
      return undefined
    }
    parts.push({ contentId, contentType: headers.contentType ?? '', body: decoded })
    if (body[next + dl] === DASH && body[next + dl + 1] === DASH) {
      for (let i = next + dl + 2; i < body.length; i++) {
        const c = body[i]
        if (c !== 0x20 && c !== 0x09 && c !== CR && c !== LF) return undefined
      }
      return body.indexOf(dash, next + 1) < 0 ? parts : undefined
    }
    headerStart = delimiterLineEnd(body, next + dl)
    if (headerStart < 0) return undefined
    d = next
  }
}

const CONTENT_TYPE = Buffer.from('content-type')
const CONTENT_ID = Buffer.from('content-id')
const CONTENT_TRANSFER_ENCODING = Buffer.from('content-transfer-encoding')

/** `body[from, to)` spells `name` (lower case) in any case: a tchar ORed with 0x20 is `name`'s byte only when it is that letter or '-'. */
function isHeader (body: Buffer, from: number, to: number, name: Buffer): boolean {
  if (to - from !== name.length) return false
  for (let i = 0; i < name.length; i++) if ((body[from + i]! | 0x20) !== name[i]) return false
  return true
}

function isBlankByte (c: number | undefined): boolean {
  return c === 0x20 || c === 0x09
}

/**
 * A part's header block at `pos`: lines of printable ASCII and tabs ended by CRLF or a bare LF,
 * each `name:value` with a tchar name, no continuation line, Content-Type, Content-ID and
 * Content-Transfer-Encoding at most once each (their values trimmed, as the decode keeps them).
 * Undefined otherwise.
 */
function readHeaders (body: Buffer, pos: number, names: ScanNames): { contentType?: string, contentId?: string, encoding?: string, bodyStart: number } | undefined {
  const out: { contentType?: string, contentId?: string, encoding?: string, bodyStart: number } = { bodyStart: 0 }
  let p = pos
  for (;;) {
    // the line's end `e` (its CR, if any, else its LF)
    let e = p
    for (;;) {
      const c = body[e]
      if (c === undefined) return undefined
      if (c === LF) break
      if (c === CR) {
        if (body[e + 1] !== LF) return undefined
        break
      }
      if ((c < 0x20 && c !== 0x09) || c > 0x7e) return undefined
      e++
    }
    const eol = body[e] === CR ? e + 1 : e
    if (eol - pos > MAX_SCANNED_HEADERS) return undefined
    if (e === p) {
      out.bodyStart = eol + 1
      return out
    }
    let colon = p
    while (colon < e && TCHAR[body[colon]!] === 1) colon++
    if (colon === p || body[colon] !== COLON) return undefined
    // the value without its spaces and tabs at either end (what trim() drops of these bytes)
    const value = (): string => {
      let from = colon + 1
      let to = e
      while (from < to && isBlankByte(body[from])) from++
      while (to > from && isBlankByte(body[to - 1])) to--
      return names.of(body, from, to)
    }
    if (isHeader(body, p, colon, CONTENT_TYPE)) {
      if (out.contentType !== undefined) return undefined
      out.contentType = value()
    } else if (isHeader(body, p, colon, CONTENT_ID)) {
      if (out.contentId !== undefined) return undefined
      out.contentId = value()
    } else if (isHeader(body, p, colon, CONTENT_TRANSFER_ENCODING)) {
      if (out.encoding !== undefined) return undefined
      out.encoding = value()
    }
    p = eol + 1
  }
}

/**
 * The check of an envelope whose transport announced `transportVersion` and `actions`, its
 * attachments by Content-ID; undefined when not sure (see the module comment).
 */
function identify (ctx: ScanContext, bytes: Buffer, transportVersion: SoapVersion, actions: readonly string[], attachments: ReadonlyMap<string, Buffer>): MessageCheck | undefined {
  const doc = scanXml(bytes, ctx.limits, ENVELOPE_SHAPE, ctx.names)
  if (doc === undefined) return undefined
  const root = doc.root
  const version = root.local === 'Envelope' ? soapVersionOfNamespace(root.uri) : undefined
  if (version === undefined || version !== transportVersion || !ctx.soapVersions.includes(version) || !root.blank) return undefined
  const layout = envelopeLayout(root, version)
  if (layout === undefined) return undefined
  const { header, body } = layout
  if (!body.blank || body.childCount !== 1) return undefined
  const payload = body.children[0] as ScannedElement
  const carriedByOwner = includes(doc, attachments)
  if (carriedByOwner === undefined) return undefined
  const op = ctx.byRequest.get(`{${payload.uri}}${payload.local}`)
  if (op === undefined) return undefined
  // every declared action, a WS-Addressing Action block's included, must name the operation
  if (header !== undefined) {
    for (const block of header.children as ScannedElement[]) {
      if (block.local !== 'Action') continue
      const text = textOf(bytes, block)
      if (text === undefined) return undefined
      block.text = text
    }
  }
  for (const action of [...actions, ...addressingActions(header)]) if (!namesOperation(op, action)) return undefined

  for (const child of payload.children as ScannedElement[]) {
    if (!VALUE_NAMES.has(child.local)) continue
    const text = textOf(bytes, child)
    if (text === undefined) return undefined
    child.text = text
  }
  let sure = true
  const carried = (child: XmlElement): Buffer | undefined => {
    const attached = carriedByOwner.get(child)
    if (attached !== undefined) return attached
    const text = textOf(bytes, child as ScannedElement, true)
    if (text === undefined) {
      sure = false
      return undefined
    }
    return strictBase64(text)
  }
  const read = (document: Buffer): XmlDocument | undefined => {
    const scanned = sure ? scanDocument(ctx, document) : undefined
    if (scanned === undefined) sure = false
    return scanned
  }
  const guichets = identifiedGuichets(op, payload, carried, read)
  if (!sure) return undefined
  return { operation: op.name, soapVersion: version, violations: [], fileName: fileNameOf(payload), guichets }
}

/**
 * The Header and Body of an Envelope holding an optional Header then the Body, nothing else, the
 * Header blank but for its blocks, each namespace-qualified in SOAP 1.2 (Part 1 §5.2.1); undefined
 * otherwise.
 */
function envelopeLayout (root: ScannedElement, version: SoapVersion): { header: ScannedElement | undefined, body: ScannedElement } | undefined {
  let header: ScannedElement | undefined
  let body: ScannedElement | undefined
  for (const child of root.children as ScannedElement[]) {
    if (child.uri !== root.uri) return undefined
    if (child.local === 'Header' && header === undefined && body === undefined) header = child
    else if (child.local === 'Body' && body === undefined) body = child
    else return undefined
  }
  if (body === undefined) return undefined
  if (header !== undefined) {
    if (!header.blank) return undefined
    if (version === '1.2' && header.children.some((block) => block.uri === '')) return undefined
  }
  return { header, body }
}

/**
 * The attachment each xop:Include's parent carries, when every XOP element is an empty
 * xop:Include, the only content of its parent, whose `cid:` href names an attachment, and every
 * attachment is named; undefined otherwise.
 */
function includes (doc: ScannedDocument, attachments: ReadonlyMap<string, Buffer>): Map<XmlElement, Buffer> | undefined {
  const out = new Map<XmlElement, Buffer>()
  const referenced = new Set<string>()
  for (const el of doc.marked) {
    const owner = el.parent
    if (el.local !== 'Include' || el.childCount > 0 || el.runs > 0 || owner === undefined || owner.childCount !== 1 || owner.runs > 0) return undefined
    const href = attributeValue(el, 'href')
    if (href === undefined || href.slice(0, 4).toLowerCase() !== 'cid:') return undefined
    let contentId: string
    try {
      contentId = decodeURIComponent(href.slice(4))
    } catch {
      return undefined
    }
    const part = attachments.get(contentId)
    if (part === undefined || contentId === '') return undefined
    referenced.add(contentId)
    out.set(owner, part)
  }
  return referenced.size === attachments.size ? out : undefined
}

/** A carried document's skeleton with the texts `guichetFacts` reads, or undefined when not sure. */
function scanDocument (ctx: ScanContext, bytes: Buffer): XmlDocument | undefined {
  const doc = scanXml(bytes, ctx.limits, DOCUMENT_SHAPE, ctx.names)
  if (doc === undefined) return undefined
  for (const demande of doc.root.children) {
    for (const demandeLogement of demande.children) {
      for (const value of demandeLogement.children as ScannedElement[]) {
        const text = textOf(bytes, value)
        if (text === undefined) return undefined
        value.text = text
      }
    }
  }
  return { root: doc.root, encoding: undefined, processingInstructions: [] }
}
