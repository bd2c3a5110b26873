import t from 'tap'
import { versionOfDocument } from '../../../src/contract/rules/version-supported.js'
import { NUU_NS, doc } from '../helpers/documents.js'

const roots = new Set([`{${NUU_NS}}interfaceNuu`])
const versions = ['02.00', '02.01']

function read (xml: string): ReturnType<typeof versionOfDocument> {
  return versionOfDocument(doc(xml), roots, versions, 'versionInterface', 'fichierDemande')
}

t.test('a supported version', async (t) => {
  t.same(read(`<n:interfaceNuu versionInterface=" 02.00 " xmlns:n="${NUU_NS}"/>`), { version: '02.00', supported: true, violations: [] })
})

t.test('an unsupported version has its own code and lists the supported ones', async (t) => {
  const r = read(`<n:interfaceNuu versionInterface="03.00" xmlns:n="${NUU_NS}"/>`)
  t.equal(r.version, '03.00')
  t.equal(r.supported, false)
  t.same(r.violations.map((v) => [v.code, v.message, v.path]), [['GW_SPEC_VERSION_UNSUPPORTED', 'versionInterface 03.00 is not supported (supported: 02.00, 02.01)', '/interfaceNuu/@versionInterface']])
})

t.test('a missing or empty version', async (t) => {
  t.same(read(`<n:interfaceNuu xmlns:n="${NUU_NS}"/>`).violations.map((v) => v.code), ['GW_SPEC_VERSION_MISSING'])
  t.same(read(`<n:interfaceNuu versionInterface="" xmlns:n="${NUU_NS}"/>`).violations.map((v) => v.code), ['GW_SPEC_VERSION_MISSING'])
})

t.test('a document that is not an interfaceNuu document', async (t) => {
  const r = read('<interfaceNuu versionInterface="02.01"/>')
  t.same(r.violations.map((v) => [v.code, v.message]), [['GW_SPEC_DOCUMENT_ROOT', "the document's root element {}interfaceNuu is not the root of an interface document"]])
  t.equal(r.supported, false)
})
