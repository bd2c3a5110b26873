/**
 * Simple types of the schema model compiled to checks: one closure per type, built once at load,
 * run on an element's text or an attribute's value. The order of the checks is libxml2's
 * (xmlschemastypes.c, xmlschemas.c), so that the first violation of a value is the one libxml2
 * reports first: the built-in's lexical space (GW_SCHEMA_TYPE, and no facet is checked then),
 * then the length facets, the range and digit facets, the enumeration, the patterns.
 *
 * A type this compiler cannot check exactly as libxml2 does throws `UnsupportedConstruct` at
 * compile time; the interface version then validates with libxml2.
 */
import { anchoredPattern, XsdRegexError } from './xsd-regex.js'
import type { SimpleType, SourceRef } from './schema-model.js'
import { FACETS } from './violation-mapper.js'

/** A construct the compiled validator does not check (reported at load with its file and line). */
export class UnsupportedConstruct extends Error {
  constructor (readonly construct: string, readonly source: SourceRef, message: string) {
    super(message)
  }
}

/** One failed check of a value: its GW_SCHEMA_ code and a libxml2-worded message (values included, redacted later). */
export interface ValueFailure {
  code: string
  message: string
}

/** Checks a raw value; undefined when it is valid. */
export type ValueCheck = (raw: string) => ValueFailure | undefined

const INTEGER_BOUNDS: Record<string, [bigint | undefined, bigint | undefined]> = {
  integer: [undefined, undefined],
  nonNegativeInteger: [0n, undefined],
  positiveInteger: [1n, undefined],
  nonPositiveInteger: [undefined, 0n],
  negativeInteger: [undefined, -1n],
  long: [-9223372036854775808n, 9223372036854775807n],
  int: [-2147483648n, 2147483647n],
  short: [-32768n, 32767n],
  byte: [-128n, 127n],
  unsignedLong: [0n, 18446744073709551615n],
  unsignedInt: [0n, 4294967295n],
  unsignedShort: [0n, 65535n],
  unsignedByte: [0n, 255n]
}

const RAW_LEXICAL = new Set(['date', 'dateTime', 'gYear'])
const STRINGS = new Set(['string', 'normalizedString', 'token', 'anySimpleType'])
const INTEGER = /^[+-]?[0-9]+$/
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/
const BOOLEAN = new Set(['true', 'false', '1', '0'])
const YEAR = '(-?)([0-9]{4,})'
const TZ = '(Z|[+-][0-9]{2}:[0-9]{2})?'
const DATE = new RegExp(`^${YEAR}-([0-9]{2})-([0-9]{2})${TZ}$`)
const DATE_TIME = new RegExp(`^${YEAR}-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\\.[0-9]+)?)${TZ}$`)
const G_YEAR = new RegExp(`^${YEAR}${TZ}$`)
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function leap (year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** A year of at least four digits, no leading zero beyond four, never 0000, and within libxml2's 32-bit long. */
function validYear (digits: string): boolean {
  if (digits.length > 4 && digits[0] === '0') return false
  return /[1-9]/.test(digits) && (digits.length < 10 || Number(digits) <= 2147483647)
}

function validTimezone (tz: string | undefined): boolean {
  if (tz === undefined || tz === 'Z') return true
  const h = Number(tz.slice(1, 3))
  const m = Number(tz.slice(4, 6))
  return h <= 14 && m <= 59 && (h < 14 || m === 0)
}

function validDate (sign: string, year: string, month: string, day: string): boolean {
  if (!validYear(year)) return false
  const mo = Number(month)
  const d = Number(day)
  if (mo < 1 || mo > 12 || d < 1) return false
  // A negative year's leapness is taken on its absolute value.
  const y = Number(year) * (sign === '-' ? -1 : 1)
  const max = mo === 2 && leap(Math.abs(y)) ? 29 : DAYS[mo - 1]!
  return d <= max
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * The octets of a base64Binary value as libxml2 reads it, or -1 when it refuses it: characters
 * outside the alphabet and `=` are ignored (RFC 2045's "ignored by decoding software"), no data
 * after the first `=`, whole groups of four, and the unused bits of the last character zero.
 */
function base64Octets (value: string): number {
  let data = 0
  let pad = 0
  let last = 0
  for (let k = 0; k < value.length; k++) {
    const ch = value[k]!
    if (ch === '=') {
      pad++
      continue
    }
    const d = B64.indexOf(ch)
    if (d < 0) continue
    if (pad > 0) return -1
    data++
    last = d
  }
  const whole = 3 * Math.floor(data / 4)
  if (pad === 0) return data % 4 === 0 ? whole : -1
  if (pad === 1) return data % 4 === 3 && (last & 0x03) === 0 ? whole + 2 : -1
  if (pad === 2) return data % 4 === 2 && (last & 0x0f) === 0 ? whole + 1 : -1
  return -1
}

type Lexical = (value: string) => boolean

/** The lexical check of each supported built-in, on the whitespace-normalized value. */
function builtinCheck (builtin: string, source: SourceRef): Lexical {
  if (STRINGS.has(builtin)) return () => true
  const bounds = INTEGER_BOUNDS[builtin]
  if (bounds !== undefined) {
    const [lo, hi] = bounds
    return (v) => {
      if (!INTEGER.test(v)) return false
      const n = BigInt(v)
      return (lo === undefined || n >= lo) && (hi === undefined || n <= hi)
    }
  }
  switch (builtin) {
    case 'decimal': return (v) => DECIMAL.test(v)
    case 'boolean': return (v) => BOOLEAN.has(v)
    case 'date': return (v) => {
      const m = DATE.exec(v)
      return m !== null && validDate(m[1]!, m[2]!, m[3]!, m[4]!) && validTimezone(m[5])
    }
    case 'dateTime': return (v) => {
      const m = DATE_TIME.exec(v)
      if (m === null || !validDate(m[1]!, m[2]!, m[3]!, m[4]!) || !validTimezone(m[8])) return false
      const h = Number(m[5])
      const mi = Number(m[6])
      const s = Number(m[7])
      return mi <= 59 && s < 60 && (h <= 23 || (h === 24 && mi === 0 && s === 0))
    }
    case 'gYear': return (v) => {
      const m = G_YEAR.exec(v)
      return m !== null && validYear(m[2]!) && validTimezone(m[3])
    }
    case 'base64Binary': return (v) => base64Octets(v) >= 0
    default:
      throw new UnsupportedConstruct(`xs:${builtin}`, source, `the built-in type xs:${builtin} is not compiled`)
  }
}

/**
 * Is the value its own normalization: no tab, line feed or carriage return, and when collapsing,
 * no space at either end nor two in a row (most values: checked without building a string)?
 */
function isNormal (raw: string, collapse: boolean): boolean {
  let previous = 0x20
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === 0x09 || c === 0x0a || c === 0x0d || (collapse && c === 0x20 && previous === 0x20)) return false
    previous = c
  }
  return !collapse || previous !== 0x20 || raw.length === 0
}

/** Whitespace normalization of a value (XSD Part 2, 4.3.6). */
export function normalizeSpace (raw: string, mode: SimpleType['whiteSpace']): string {
  if (mode === 'preserve' || isNormal(raw, mode === 'collapse')) return raw
  const replaced = raw.replace(/[\t\n\r]/g, ' ')
  return mode === 'replace' ? replaced : replaced.replace(/ {2,}/g, ' ').trim()
}

function typeLabel (t: SimpleType): string {
  if (t.name === undefined) return 'local atomic type'
  return t.name.uri === 'http://www.w3.org/2001/XMLSchema' ? `atomic type 'xs:${t.name.local}'` : `atomic type '{${t.name.uri}}${t.name.local}'`
}

function compare (builtin: string, source: SourceRef): (a: string, b: string) => number {
  if (INTEGER_BOUNDS[builtin] !== undefined) {
    return (a, b) => {
      const x = BigInt(a)
      const y = BigInt(b)
      return x < y ? -1 : x > y ? 1 : 0
    }
  }
  if (builtin === 'decimal') return (a, b) => Number(a) - Number(b)
  throw new UnsupportedConstruct('range facet', source, `range facets on xs:${builtin} are not compiled`)
}

/** Equality in the value space, for enumerations and fixed values. */
export function valueEquality (builtin: string, source: SourceRef): (a: string, b: string) => boolean {
  if (STRINGS.has(builtin)) return (a, b) => a === b
  if (INTEGER_BOUNDS[builtin] !== undefined) {
    return (a, b) => INTEGER.test(a) && INTEGER.test(b) && BigInt(a) === BigInt(b)
  }
  if (builtin === 'boolean') return (a, b) => (a === 'true' || a === '1') === (b === 'true' || b === '1')
  throw new UnsupportedConstruct('enumeration', source, `value comparison of xs:${builtin} (enumeration, fixed value) is not compiled`)
}

function length (builtin: string): (v: string) => number {
  if (builtin === 'base64Binary') return base64Octets
  return (v) => {
    let n = 0
    for (const _ of v) n++
    return n
  }
}

function digits (v: string): { total: number, fraction: number } {
  const unsigned = v.replace(/^[+-]/, '')
  const [int = '', frac = ''] = unsigned.split('.')
  const i = int.replace(/^0+/, '')
  const f = frac.replace(/0+$/, '')
  return { total: Math.max(1, i.length + f.length), fraction: f.length }
}

/**
 * Compiles a simple type to one check. Throws `UnsupportedConstruct` for what is not compiled:
 * a built-in outside the supported list, a pattern ECMAScript cannot express, ranges or
 * enumerations on a type whose values it cannot compare.
 */
export function compileSimpleType (t: SimpleType): ValueCheck {
  const src = t.source
  const lexical = builtinCheck(t.builtin, src)
  const label = typeLabel(t)
  const integerBounds = INTEGER_BOUNDS[t.builtin]
  const checks: Array<(v: string) => ValueFailure | undefined> = []
  const facet = (name: string, text: string): ValueFailure => ({ code: FACETS[name] ?? 'GW_SCHEMA_INVALID', message: `[facet '${name}'] ${text}` })

  const len = length(t.builtin)
  if (t.length !== undefined) {
    const n = t.length
    checks.push((v) => len(v) !== n ? facet('length', `The value '${v}' has a length of '${len(v)}'; this differs from the allowed length of '${n}'.`) : undefined)
  }
  if (t.minLength !== undefined) {
    const n = t.minLength
    checks.push((v) => len(v) < n ? facet('minLength', `The value '${v}' has a length of '${len(v)}'; this underruns the allowed minimum length of '${n}'.`) : undefined)
  }
  if (t.maxLength !== undefined) {
    const n = t.maxLength
    checks.push((v) => len(v) > n ? facet('maxLength', `The value '${v}' has a length of '${len(v)}'; this exceeds the allowed maximum length of '${n}'.`) : undefined)
  }
  // The built-in integers' own bounds are part of their lexical check above, not facets.
  const own = (value: string | undefined, builtinBound: bigint | undefined): string | undefined =>
    value === undefined || (builtinBound !== undefined && INTEGER.test(value) && BigInt(value) === builtinBound) ? undefined : value
  const minI = own(t.minInclusive, integerBounds?.[0])
  const maxI = own(t.maxInclusive, integerBounds?.[1])
  if (minI !== undefined || maxI !== undefined || t.minExclusive !== undefined || t.maxExclusive !== undefined) {
    const cmp = compare(t.builtin, src)
    if (minI !== undefined) checks.push((v) => cmp(v, minI) < 0 ? facet('minInclusive', `The value '${v}' is less than the minimum value allowed ('${minI}').`) : undefined)
    if (maxI !== undefined) checks.push((v) => cmp(v, maxI) > 0 ? facet('maxInclusive', `The value '${v}' is greater than the maximum value allowed ('${maxI}').`) : undefined)
    const minE = t.minExclusive
    const maxE = t.maxExclusive
    if (minE !== undefined) checks.push((v) => cmp(v, minE) <= 0 ? facet('minExclusive', `The value '${v}' must be greater than '${minE}'.`) : undefined)
    if (maxE !== undefined) checks.push((v) => cmp(v, maxE) >= 0 ? facet('maxExclusive', `The value '${v}' must be less than '${maxE}'.`) : undefined)
  }
  if (t.totalDigits !== undefined || t.fractionDigits !== undefined) {
    if (t.builtin !== 'decimal' && integerBounds === undefined) throw new UnsupportedConstruct('digits facet', src, `digit facets on xs:${t.builtin} are not compiled`)
    const total = t.totalDigits
    const fraction = t.fractionDigits
    if (total !== undefined) checks.push((v) => digits(v).total > total ? facet('totalDigits', `The value '${v}' has more digits than are allowed ('${total}').`) : undefined)
    if (fraction !== undefined) checks.push((v) => digits(v).fraction > fraction ? facet('fractionDigits', `The value '${v}' has more fractional digits than are allowed ('${fraction}').`) : undefined)
  }
  if (t.enumeration !== undefined) {
    const eq = valueEquality(t.builtin, src)
    const values = t.enumeration.map((e) => e.value)
    const set = new Set(values)
    const plain = STRINGS.has(t.builtin)
    const list = values.map((v) => `'${v}'`).join(', ')
    checks.push((v) => (plain ? set.has(v) : values.some((e) => eq(v, e))) ? undefined : facet('enumeration', `The value '${v}' is not an element of the set {${list}}.`))
  }
  for (const step of t.patterns) {
    let re: RegExp
    try {
      re = new RegExp(anchoredPattern(step), 'u')
    } catch (err) {
      if (err instanceof XsdRegexError) throw new UnsupportedConstruct('xs:pattern', src, `the pattern ${JSON.stringify(step.join('|'))} is not expressible: ${err.message}`)
      throw err
    }
    const shown = step.join('|')
    checks.push((v) => re.test(v) ? undefined : facet('pattern', `The value '${v}' is not accepted by the pattern '${shown}'.`))
  }

  const ws = t.whiteSpace
  // libxml2 reads the date and time types on the value as written: surrounding whitespace fails.
  const rawLexical = RAW_LEXICAL.has(t.builtin)
  return (raw) => {
    const v = normalizeSpace(raw, ws)
    if (!lexical(rawLexical ? raw : v)) return { code: 'GW_SCHEMA_TYPE', message: `'${v}' is not a valid value of the ${label}.` }
    for (const check of checks) {
      const failed = check(v)
      if (failed !== undefined) return failed
    }
    return undefined
  }
}

