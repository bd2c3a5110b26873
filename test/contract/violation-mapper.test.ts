// libxml2's XSD errors → GW_SCHEMA_ violations: kind, redaction of values, location.
import t from 'tap'
import { MAX_SCHEMA_VIOLATIONS, classify, mapSchemaErrors, redactQuoted, redactValues, shapeOf } from '../../src/contract/violation-mapper.js'
import { parseXml } from '../../src/soap/xml-reader.js'

// Messages as libxml2 2.x writes them (xmlschemas.c).
const MESSAGES: Array<[string, string]> = [
  ["Element '{urn:x}a': [facet 'enumeration'] The value 'C' is not an element of the set {'A', 'B'}.", 'GW_SCHEMA_ENUMERATION'],
  ["Element '{urn:x}s': [facet 'pattern'] The value 'ABCD' is not accepted by the pattern '[a-z]+'.", 'GW_SCHEMA_PATTERN'],
  ["Element '{urn:x}s': [facet 'maxLength'] The value has a length of '4'; this exceeds the allowed maximum length of '3'.", 'GW_SCHEMA_LENGTH'],
  ["Element '{urn:x}s': [facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum length of '1'.", 'GW_SCHEMA_LENGTH'],
  ["Element '{urn:x}s': [facet 'length'] The value 'ab' has a length of '2'; this differs from the allowed length of '3'.", 'GW_SCHEMA_LENGTH'],
  ["Element '{urn:x}n': [facet 'maxInclusive'] The value '11' is greater than the maximum value allowed ('10').", 'GW_SCHEMA_RANGE'],
  ["Element '{urn:x}n': [facet 'totalDigits'] The value '123456' has more digits than are allowed ('5').", 'GW_SCHEMA_RANGE'],
  ["Element '{urn:x}n': [facet 'whiteSpace'] something else", 'GW_SCHEMA_INVALID'],
  ["Element '{urn:x}b': 'x' is not a valid value of the atomic type 'xs:int'.", 'GW_SCHEMA_TYPE'],
  ["Element '{urn:x}b': 'x' is not a valid value of the local atomic type.", 'GW_SCHEMA_TYPE'],
  ["Element '{urn:x}root', attribute 'v': The value '02.00' does not match the fixed value constraint '02.01'.", 'GW_SCHEMA_FIXED_VALUE'],
  ["Element '{urn:x}x': This element is not expected. Expected is ( {urn:x}a ).", 'GW_SCHEMA_UNEXPECTED_ELEMENT'],
  ["Element '{urn:x}x': No matching global element declaration available, but demanded by the strict wildcard.", 'GW_SCHEMA_UNEXPECTED_ELEMENT'],
  ["Element '{urn:x}root': Missing child element(s). Expected is ( {urn:x}n ).", 'GW_SCHEMA_MISSING_ELEMENT'],
  ["Element '{urn:x}a', attribute 'zz': The attribute 'zz' is not allowed.", 'GW_SCHEMA_UNKNOWN_ATTRIBUTE'],
  ["Element '{urn:x}a': The attribute 'code' is required but missing.", 'GW_SCHEMA_MISSING_ATTRIBUTE'],
  ["Element '{urn:x}root': Character content other than whitespace is not allowed because the content type is 'element-only'.", 'GW_SCHEMA_TEXT_NOT_ALLOWED'],
  ["Element '{urn:x}a': Element content is not allowed, because the content type is empty.", 'GW_SCHEMA_TEXT_NOT_ALLOWED'],
  ["Element '{urn:x}a': Character content is not allowed, because the content type is empty.", 'GW_SCHEMA_TEXT_NOT_ALLOWED'],
  ["Element '{urn:x}other': No matching global declaration available for the validation root.", 'GW_SCHEMA_UNKNOWN_ROOT'],
  ['Something libxml2 never said before.', 'GW_SCHEMA_INVALID']
]

t.test('each kind of libxml2 message has its code', async (t) => {
  for (const [message, code] of MESSAGES) t.equal(classify(message), code, message)
})

t.test('values from the document are shown by their shape only', async (t) => {
  t.equal(shapeOf('Dupont-Zoé 12'), 'Aaaaaa-Aaa 99')
  t.equal(shapeOf('x'.repeat(50)), 'a'.repeat(40) + '…(50 chars)')
  t.equal(redactValues("Element '{urn:x}nom': [facet 'pattern'] The value 'D'ARTAGNAN Zoé' is not accepted by the pattern '[A-Z]+'."),
    "Element '{urn:x}nom': [facet 'pattern'] The value 'A'AAAAAAAA Aaa' is not accepted by the pattern '[A-Z]+'.", 'a value with a quote')
  t.equal(redactValues("Element '{urn:x}b': '1985-13-01' is not a valid value of the atomic type 'xs:date'."),
    "Element '{urn:x}b': '9999-99-99' is not a valid value of the atomic type 'xs:date'.")
  t.equal(redactValues("Element '{urn:x}a', attribute 'code': [facet 'enumeration'] The value 'Zz' is not an element of the set {'1', '2'}."),
    "Element '{urn:x}a', attribute 'code': [facet 'enumeration'] The value 'Aa' is not an element of the set {'1', '2'}.", 'the set comes from the schema and stays')
  t.equal(redactValues("Element '{urn:x}a', attribute 'zz': The attribute 'zz' is not allowed."),
    "Element '{urn:x}a', attribute 'zz': The attribute 'zz' is not allowed.", 'attribute names stay')
  t.equal(redactValues("Element '{urn:x}s': [facet 'maxLength'] The value has a length of '4'; this exceeds the allowed maximum length of '3'."),
    "Element '{urn:x}s': [facet 'maxLength'] The value has a length of '4'; this exceeds the allowed maximum length of '3'.")
})

const xml = Buffer.from(`<r:root xmlns:r="urn:x">
  <r:a code="1"/>
  <r:a code="2"/>
  <b xmlns="urn:x"/>
</r:root>`)
const root = parseXml(xml).root

t.test('violations are located in the light tree: path, line, column', async (t) => {
  const v = mapSchemaErrors([
    { message: "Element '{urn:x}a', attribute 'code': [facet 'enumeration'] The value '2' is not an element of the set {'1'}.\n", level: 2, line: 3, col: 0, xpath: '/r:root/r:a[2]' },
    { message: "Element '{urn:x}b': This element is not expected.\n", level: 2, line: 4, col: 0, xpath: '/r:root/*[3]' },
    { message: 'a warning\n', level: 1, line: 1, col: 0 },
    { message: "Element 'q': not located.\n", level: 2, line: 7, col: 0, xpath: '/zz:nowhere' },
    { message: "Element 'q': no xpath.\n", level: 2, line: 0, col: 0 }
  ], root, 'fichierDemande')
  t.same(v, [
    { code: 'GW_SCHEMA_ENUMERATION', message: "Element '{urn:x}a', attribute 'code': [facet 'enumeration'] The value '9' is not an element of the set {'1'}.", part: 'fichierDemande', path: '/root/a[2]/@code', line: 3, column: 3, valuesMasked: true },
    { code: 'GW_SCHEMA_UNEXPECTED_ELEMENT', message: "Element '{urn:x}b': This element is not expected.", part: 'fichierDemande', path: '/root/b', line: 4, column: 3 },
    { code: 'GW_SCHEMA_INVALID', message: "Element 'q': not located.", part: 'fichierDemande', path: '/zz:nowhere', line: 7 },
    { code: 'GW_SCHEMA_INVALID', message: "Element 'q': no xpath.", part: 'fichierDemande' }
  ])
})

t.test('showValues: the libxml2 path quotes the value as sent, unmarked', async (t) => {
  const detail = { message: "Element '{urn:x}a', attribute 'code': [facet 'enumeration'] The value '2' is not an element of the set {'1'}.\n", level: 2, line: 3, col: 0, xpath: '/r:root/r:a[2]' }
  t.same(mapSchemaErrors([detail], root, 'fichierDemande', true), [
    { code: 'GW_SCHEMA_ENUMERATION', message: "Element '{urn:x}a', attribute 'code': [facet 'enumeration'] The value '2' is not an element of the set {'1'}.", part: 'fichierDemande', path: '/root/a[2]/@code', line: 3, column: 3 }
  ])
})

t.test('redactQuoted says whether a value was masked, even one whose shape is itself', async (t) => {
  t.same(redactQuoted("Element '{urn:x}b': 'AAA' is not a valid value of the atomic type 'xs:date'."), { message: "Element '{urn:x}b': 'AAA' is not a valid value of the atomic type 'xs:date'.", masked: true })
  t.same(redactQuoted("Element '{urn:x}b': This element is not expected."), { message: "Element '{urn:x}b': This element is not expected.", masked: false })
})

t.test('at most MAX_SCHEMA_VIOLATIONS, then a count of the others', async (t) => {
  const details = Array.from({ length: MAX_SCHEMA_VIOLATIONS + 7 }, () => ({ message: 'x', level: 2, line: 1, col: 0 }))
  const v = mapSchemaErrors(details, root, 'root')
  t.equal(v.length, MAX_SCHEMA_VIOLATIONS + 1)
  t.same(v.at(-1), { code: 'GW_SCHEMA_INVALID', message: '7 more schema violations not listed', part: 'root' })
})
