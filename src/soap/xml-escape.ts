/**
 * Escaping for the XML the codec writes (Faults, reports, rewritten attributes).
 */

// C0 controls other than TAB/LF/CR, lone surrogates, U+FFFE and U+FFFF cannot be written in
// XML 1.0 at all (not even as character references): they become U+FFFD.
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
/** Tests (without replacing) for a character XML 1.0 cannot carry: for writers that refuse rather than replace. */
export const NOT_XML_CHAR = new RegExp(NOT_XML.source)
const TEXT_SPECIAL = /[&<>\r]/g
const ATTR_SPECIAL = /[&<>"'\r\n\t]/g
const REFS: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;', '\n': '&#xA;', '\t': '&#x9;'
}

/** Escapes character data (a CR is kept as a reference, else parsers would turn it into LF). */
export function escapeXmlText (value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(TEXT_SPECIAL, (c) => REFS[c]!)
}

/** Escapes an attribute value for either quote, keeping whitespace through references. */
export function escapeXmlAttribute (value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(ATTR_SPECIAL, (c) => REFS[c]!)
}
