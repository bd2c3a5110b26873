/**
 * Turns libxml2's XSD validation errors into violations with stable `GW_SCHEMA_…` codes.
 *
 * This binding of libxml2 reports a message, a line and the node's XPath but not libxml2's
 * numeric error code, so the kind is read from the message: libxml2's schema messages
 * (xmlschemas.c) have kept the same wording for many years, and an unknown wording still maps
 * to GW_SCHEMA_INVALID. The message is libxml2's, except that values copied from the document
 * are replaced by their shape (letters → A/a, digits → 9) and the violation marked
 * `valuesMasked`: violations reach Faults, and a value may be a name or a birth date. Only the
 * integrator's own checks (`sne-gateway validate`, validate-only calls) ask for the values as
 * they are (`showValues`).
 */
import { locate, pathOf } from './xml-locator.js'
import type { LxErrorDetail } from './libxml2.js'
import type { Violation, XmlElement } from '../soap/types.js'

/** At most this many violations per validated document; one more violation says how many were left out. */
export const MAX_SCHEMA_VIOLATIONS = 100

/** The GW_SCHEMA_ code of each facet (libxml2's `[facet 'name']`). */
export const FACETS: Record<string, string> = {
  enumeration: 'GW_SCHEMA_ENUMERATION',
  pattern: 'GW_SCHEMA_PATTERN',
  length: 'GW_SCHEMA_LENGTH',
  minLength: 'GW_SCHEMA_LENGTH',
  maxLength: 'GW_SCHEMA_LENGTH',
  minInclusive: 'GW_SCHEMA_RANGE',
  maxInclusive: 'GW_SCHEMA_RANGE',
  minExclusive: 'GW_SCHEMA_RANGE',
  maxExclusive: 'GW_SCHEMA_RANGE',
  totalDigits: 'GW_SCHEMA_RANGE',
  fractionDigits: 'GW_SCHEMA_RANGE'
}

const KINDS: Array<[RegExp, string]> = [
  [/fixed value constraint/, 'GW_SCHEMA_FIXED_VALUE'],
  [/is not a valid value of the (?:local )?(?:atomic|list|union) type/, 'GW_SCHEMA_TYPE'],
  [/This element is not expected|but demanded by the strict wildcard/, 'GW_SCHEMA_UNEXPECTED_ELEMENT'],
  [/Missing child element\(s\)/, 'GW_SCHEMA_MISSING_ELEMENT'],
  [/The attribute '[^']*' is not allowed/, 'GW_SCHEMA_UNKNOWN_ATTRIBUTE'],
  [/is required but missing/, 'GW_SCHEMA_MISSING_ATTRIBUTE'],
  [/(?:Character|Element) content (?:other than whitespace )?is not allowed/, 'GW_SCHEMA_TEXT_NOT_ALLOWED'],
  [/No matching global declaration available for the validation root/, 'GW_SCHEMA_UNKNOWN_ROOT']
]

/** The GW_SCHEMA_ code of a libxml2 schema validation message. */
export function classify (message: string): string {
  const facet = /\[facet '(\w+)'\]/.exec(message)
  if (facet !== null) return FACETS[facet[1]!] ?? 'GW_SCHEMA_INVALID'
  for (const [re, code] of KINDS) if (re.test(message)) return code
  return 'GW_SCHEMA_INVALID'
}

/** A value's shape: letters become A or a, digits 9, the rest stays; long values are cut. */
export function shapeOf (value: string): string {
  const shaped = value.replace(/\p{Lu}/gu, 'A').replace(/\p{Ll}/gu, 'a').replace(/\p{Nd}/gu, '9')
  return shaped.length > 40 ? `${shaped.slice(0, 40)}…(${value.length} chars)` : shaped
}

/**
 * Replaces the document's values quoted in a libxml2 message by their shape. A value is quoted
 * right after the message's `Element 'x'[, attribute 'y']: [facet 'f'] ` prefix, or after
 * `value '` / `content '`, and its closing quote is followed by libxml2's verb (" is ", " has ",
 * " does "): values may contain quotes, hence the lazy match up to the verb. Element and
 * attribute names, facets, patterns and enumerations come from the schema and stay.
 */
export function redactValues (message: string): string {
  return redactQuoted(message).message
}

/** `message` with its quoted values masked (see `redactValues`), and whether it quoted any. */
export function redactQuoted (message: string): { message: string, masked: boolean } {
  let masked = false
  const shape = (_: string, open: string, v: string, close: string): string => {
    masked = true
    return `${open}${shapeOf(v)}${close}`
  }
  const out = message
    .replace(/^(Element '[^']*'(?:, attribute '[^']*')?: (?:\[facet '\w+'\] )?')(.*?)('(?= (?:is|has|does) ))/s, shape)
    .replace(/((?:value|content) ')(.*?)('(?= (?:is|has|does) ))/gs, shape)
  return { message: out, masked }
}

/**
 * A schema violation whose `message` may quote the document's values: as is when `showValues`,
 * else with them masked and `valuesMasked` set, so that a Fault can say the shape is not what was sent.
 */
export function schemaViolation (v: Violation, showValues: boolean): Violation {
  if (showValues) return v
  const redacted = redactQuoted(v.message)
  v.message = redacted.message
  if (redacted.masked) v.valuesMasked = true
  return v
}

/**
 * Maps libxml2 error details of one validation to violations, locating each node in the light
 * tree `root` (the same bytes libxml2 validated) for its line, column and path; quoted values
 * masked unless `showValues`.
 */
export function mapSchemaErrors (details: LxErrorDetail[], root: XmlElement | undefined, part: string, showValues = false): Violation[] {
  const errors = details.filter((d) => d.level >= 2)
  const out: Violation[] = []
  for (const d of errors.slice(0, MAX_SCHEMA_VIOLATIONS)) {
    const message = d.message.trim()
    const v = schemaViolation({ code: classify(message), message, part }, showValues)
    const el = root !== undefined && d.xpath !== undefined ? locate(root, d.xpath) : undefined
    const attribute = /^Element '[^']*', attribute '([^']+)'/.exec(message)?.[1]
    if (el !== undefined) {
      v.path = pathOf(el) + (attribute === undefined ? '' : `/@${attribute}`)
      v.line = el.line
      v.column = el.column
    } else {
      if (d.xpath !== undefined) v.path = d.xpath
      if (d.line > 0) v.line = d.line
    }
    out.push(v)
  }
  if (errors.length > MAX_SCHEMA_VIOLATIONS) {
    out.push({ code: 'GW_SCHEMA_INVALID', message: `${errors.length - MAX_SCHEMA_VIOLATIONS} more schema violations not listed`, part })
  }
  return out
}
