/**
 * Validates one interfaceNuu document: the hardened reader of `soap/` first (nothing reaches
 * libxml2 that it refused), then the XSD of the document's versionInterface, then the rules.
 */
import { isGatewayError } from '../errors.js'
import { errorToViolation } from '../soap/errors.js'
import { parseXml } from '../soap/xml-reader.js'
import { runRules, versionOfDocument } from './rules/index.js'
import { mapSchemaErrors } from './violation-mapper.js'
import { VERSION_ATTRIBUTE } from './xsd-compiler.js'
import type { Libxml2, LxDocument, LxElement, LxValidator } from './libxml2.js'
import type { CompiledVersion } from './xsd-compiler.js'
import type { CompiledDocumentSchema } from './compiled-validator.js'
import type { Violation, XmlDocument, XmlElement, XmlLimits } from '../soap/types.js'

/** What validating documents needs, compiled once by `loadSpec`. */
export interface DocumentValidatorContext {
  lx: Libxml2
  /** libxml2 parse options of messages and documents (`messageParseOptions`) */
  parseOption: number
  versions: ReadonlyMap<string, CompiledVersion>
  versionList: readonly string[]
  /** `{uri}local` of every version schema's root element */
  roots: ReadonlySet<string>
  xmlLimits: Readonly<XmlLimits>
  clock: () => Date
  /** schema messages quote the documents' values as they are, unless a call says otherwise (default: masked) */
  showValues: boolean
  /**
   * the versions whose XSD compiled to code (`compiled-validator.ts`), validated on the light
   * tree; the others, and documents the compiled code hands back, go to libxml2
   */
  compiled: ReadonlyMap<string, CompiledDocumentSchema>
}

export interface DocumentResult {
  versionInterface: string | undefined
  violations: Violation[]
  doc: XmlDocument | undefined
}

/** A thrown error of the project as a violation of `part`; anything else is rethrown. */
export function violationOf (err: unknown, part: string): Violation {
  if (!isGatewayError(err)) throw err
  const v = errorToViolation(err)
  if (v.part === undefined || v.part === 'root') v.part = part
  return v
}

/**
 * Validates `bytes` (or the element `select` picks in them) against the compiled schema
 * `validator` with libxml2, mapping errors to violations located in `root`, the light tree of
 * the same bytes; quoted values masked unless `showValues`.
 */
export function validateWithXsd (ctx: Pick<DocumentValidatorContext, 'lx' | 'parseOption'>, validator: LxValidator, bytes: Uint8Array, root: XmlElement, part: string,
  select?: (doc: LxDocument) => LxElement | undefined, showValues = false): Violation[] {
  const lx = ctx.lx
  let doc: LxDocument | undefined
  try {
    doc = lx.XmlDocument.fromBuffer(bytes, { option: ctx.parseOption })
    const target = select === undefined ? doc : select(doc)
    // Never pass silently: a node libxml2's tree lacks is a bug to report, not a valid message.
    if (target === undefined) return [{ code: 'GW_SCHEMA_INVALID', message: 'the element to validate was not found in libxml2\'s tree', part }]
    if (target instanceof lx.XmlDocument) validator.validate(target)
    else validator.validate(target)
    return []
  } catch (err) {
    if (err instanceof lx.XmlValidateError) return mapSchemaErrors(err.details, root, part, showValues)
    // libxml2 refused what the hardened reader accepted: report it rather than pass it.
    const detail = err instanceof lx.XmlLibError ? err.details[0] : undefined
    return [{ code: 'GW_SCHEMA_INVALID', message: (detail?.message ?? String(err)).trim(), part, ...(detail === undefined ? {} : { line: detail.line }) }]
  } finally {
    doc?.dispose()
  }
}

/**
 * Validates one interfaceNuu document (see the module comment); `showValues`: schema messages
 * quote its values as they are, not masked.
 */
export function validateDocumentBytes (ctx: DocumentValidatorContext, bytes: Buffer, part: string, fileName?: string, showValues = false): DocumentResult {
  let doc: XmlDocument
  try {
    doc = parseXml(bytes, ctx.xmlLimits)
  } catch (err) {
    return { versionInterface: undefined, violations: [violationOf(err, part)], doc: undefined }
  }
  const version = versionOfDocument(doc, ctx.roots, ctx.versionList, VERSION_ATTRIBUTE, part)
  const violations = [...version.violations]
  // A document that is not an interfaceNuu document is not checked further: its rules would only repeat that.
  if (version.violations.some((v) => v.code === 'GW_SPEC_DOCUMENT_ROOT')) return { versionInterface: undefined, violations, doc }
  const compiled = version.version === undefined ? undefined : ctx.versions.get(version.version)
  if (compiled !== undefined) {
    const found = ctx.compiled.get(compiled.version)?.validate(doc.root, part, undefined, showValues)
    violations.push(...(found ?? validateWithXsd(ctx, compiled.validator, bytes, doc.root, part, undefined, showValues)))
  }
  violations.push(...runRules({ doc, now: ctx.clock(), part, ...(fileName === undefined ? {} : { fileName }) }))
  return { versionInterface: version.version, violations, doc }
}
