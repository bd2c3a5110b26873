import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildMtomMessage } from '../../../src/soap/mtom-writer.js'
import { decodeSoapMessage } from '../../../src/soap/message.js'
import { defaultSpecDir, loadSpec } from '../../../src/contract/index.js'
import { buildBenchMessages, certificateBundle, inlineDemandeMessage, numUniqueOfAnswer, readMessageSources, withNumUnique, WS_NS } from '../../../bench/harness/messages.js'
import { testPki } from '../../helpers/pki.js'

const examples = join(import.meta.dirname, '..', '..', '..', 'examples')
const NU = '0110125000001G1226'

t.test('the load messages are valid SNE calls of the expected sizes', async (t) => {
  const spec = await loadSpec({ dir: defaultSpecDir() })
  t.teardown(() => { spec.dispose() })
  const pem = await readFile((await testPki()).client.cert)
  const messages = buildBenchMessages({ sources: await readMessageSources(examples), certificatePem: pem, numUnique: NU })
  t.same(messages.map((m) => m.name), ['cre', 'demande', 'attachment-1m'])
  const [cre, demande, large] = messages as [typeof messages[0], typeof messages[0], typeof messages[0]]
  t.ok(cre.body.length > 3500 && cre.body.length < 5500, `CRE about 4 KB (${cre.body.length})`)
  t.ok(large.body.length > 1024 * 1024 * 4 / 3, `1 MiB attachment, base64 on the wire (${large.body.length})`)
  t.match(cre.contentType, /^multipart\/related; type="application\/xop\+xml"; start="soaproot"; start-info="application\/soap\+xml"; boundary="MIME_BOUNDARY"; action="http:\/\/ws\.metier\.nuu\.application\.i2\/getNumUnique"$/)
  for (const m of messages) {
    const r = spec.validateMessage(m.body, m.contentType)
    t.same(r.violations, [], `${m.name} is valid`)
    t.equal(r.operation, m.operation)
  }
  const decoded = decodeSoapMessage(demande.body, demande.contentType)
  t.equal(decoded.payload?.children.find((c) => c.local === 'numUnique')?.text, NU, 'asks for the given numéro unique')
  t.same(decoded.attachments.get('certificate')?.body, pem, 'carries the certificate')
  t.ok(cre.write && !demande.write && !large.write, 'only the CRE writes')

  const inline = inlineDemandeMessage(await readMessageSources(examples), NU, pem)
  t.same(spec.validateMessage(inline.body, inline.contentType).violations, [], 'inline base64 variant is valid too')
  t.notMatch(inline.body.toString(), /xop:Include/)
})

t.test('certificateBundle and withNumUnique', async (t) => {
  const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')
  const bundle = certificateBundle(pem, 1000)
  t.ok(bundle.length >= 1000 && bundle.length < 1000 + pem.length + 1, 'at least the size, whole certificates')
  t.equal(bundle.toString().split('-----BEGIN CERTIFICATE-----').length - 1, Math.ceil(1000 / (pem.length + 1)))
  t.throws(() => certificateBundle(Buffer.alloc(0), 10), /empty/)
  t.match(withNumUnique('<a><numUnique>x</numUnique></a>', NU), `<numUnique>${NU}</numUnique>`)
  t.throws(() => withNumUnique('<a/>', NU), /no numUnique/)
  t.throws(() => withNumUnique('<numUnique/>', 'bad'), /not a numéro unique/)
})

t.test('numUniqueOfAnswer reads the answer document, attached or inline', async (t) => {
  const doc = `<ns2:interfaceNuu xmlns:ns2="http://nuu.application.i2/"><ns2:demande><ns2:demandeLogement><ns2:numUnique>${NU}</ns2:numUnique></ns2:demandeLogement></ns2:demande></ns2:interfaceNuu>`
  const envelope = (inner: string): string => `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="${WS_NS}"><soap:Body><ws:numUniqueReponse><fichierReponse>${inner}</fichierReponse></ws:numUniqueReponse></soap:Body></soap:Envelope>`
  const mtom = buildMtomMessage({
    envelope: envelope('<xop:Include href="cid:r" xmlns:xop="http://www.w3.org/2004/08/xop/include"/>'),
    action: '',
    parts: [{ contentId: 'r', contentType: 'text/xml', transferEncoding: '8bit', body: Buffer.from(doc) }]
  })
  t.equal(numUniqueOfAnswer(mtom.body, mtom.contentType), NU)
  t.equal(numUniqueOfAnswer(Buffer.from(envelope(Buffer.from(doc).toString('base64'))), 'application/soap+xml'), NU)
  t.equal(numUniqueOfAnswer(Buffer.from(envelope('')), 'application/soap+xml'), undefined)
})
