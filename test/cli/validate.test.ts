// sne-gateway validate: files of every kind, text and JSON reports, exit codes.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import validate, { parseValidateArgs } from '../../src/cli/validate.js'
import { edited, exampleDocument, getNumUnique } from '../fixtures/corpus-kit.js'

async function run (args: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await validate(args, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } } })
  return { code, out, err }
}

const dir = t.testdir({})
const files = {
  mtom: join(dir, 'cre.mtom'),
  envelope: join(dir, 'cre-envelope.xml'),
  document: join(dir, 'cre.xml'),
  badDocument: join(dir, 'bad.xml'),
  badMtom: join(dir, 'bad.mtom')
}
const mtom = getNumUnique(exampleDocument('cre'), 'mtom')
await writeFile(files.mtom, mtom.message)
await writeFile(files.envelope, getNumUnique(exampleDocument('cre'), 'inline').message)
await writeFile(files.document, exampleDocument('cre'))
await writeFile(files.badDocument, edited('mod', [/<ns1:numUnique>[^<]*<\/ns1:numUnique>/, ''], ['<ns1:civilite code="2"/>', '<ns1:civilite code="9"/>']))
await writeFile(files.badMtom, getNumUnique(edited('cre', ['<ns1:typeFichier>CRE<', '<ns1:typeFichier>XYZ<']), 'mtom').message)

t.test('valid files of the three kinds: exit 0', async (t) => {
  const r = await run([files.mtom, files.envelope, files.document])
  t.equal(r.code, 0)
  t.equal(r.out, `${files.mtom}: valid message getNumUnique\n${files.envelope}: valid message getNumUnique\n${files.document}: valid document 02.01\n`)
  t.equal(r.err, '')
})

t.test('an invalid file: each violation with file, line, column, code, path, message; exit 1', async (t) => {
  const r = await run([files.document, files.badDocument])
  t.equal(r.code, 1)
  const lines = r.out.trimEnd().split('\n')
  t.equal(lines[0], `${files.document}: valid document 02.01`)
  t.equal(lines[1], `${files.badDocument}: INVALID document 02.01, 2 violation(s)`)
  t.equal(lines[2], `${files.badDocument}:14:21: GW_SCHEMA_ENUMERATION /interfaceNuu/demande/demandeLogement/personnePhysique/demandeur/civilite/@code: Element '{http://nuu.application.i2/}civilite', attribute 'code': [facet 'enumeration'] The value '9' is not an element of the set {'1', '2', '3'}.`)
  t.match(lines[3], new RegExp(`^${files.badDocument.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8:9: GW_SPEC_NUM_UNIQUE_REQUIRED /interfaceNuu/demande/demandeLogement/numUnique: typeFichier MOD requires numUnique$`))
  t.equal(lines.length, 4, 'nothing else: the values are the file\'s own')
})

t.test('the integrator\'s own values, not masked: in a document, an attachment and the JSON report', async (t) => {
  const badDate = join(dir, 'bad-date.xml')
  const badDateMtom = join(dir, 'bad-date.mtom')
  const document = edited('cre', ['<ns1:dateNaissance>1985-01-20<', '<ns1:dateNaissance>1985-13-45<'])
  await writeFile(badDate, document)
  await writeFile(badDateMtom, getNumUnique(document, 'mtom').message)
  const r = await run([badDate, badDateMtom])
  t.equal(r.code, 1)
  const types = r.out.split('\n').filter((l) => l.includes('GW_SCHEMA_TYPE'))
  t.equal(types.length, 2, r.out)
  for (const line of types) t.match(line, /dateNaissance'?: '1985-13-45' is not a valid value of the atomic type 'xs:date'/)
  t.notMatch(r.out, /9999-99-99|masked/)
  const json = await run(['--json', badDate])
  t.match(json.out, /'1985-13-45' is not a valid value/)
  t.notMatch(json.out, /valuesMasked|9999-99-99/)
})

t.test('a violation inside an attachment names the part, and its line as the part\'s, not the file\'s', async (t) => {
  const r = await run([files.badMtom])
  t.equal(r.code, 1)
  const line = r.out.split('\n')[1]!
  t.ok(line.startsWith(`${files.badMtom} [part fichierDemande, line 4:1 of the part]: GW_SCHEMA_ENUMERATION /interfaceNuu/entete/typeFichier: `), line)
  t.notMatch(r.out, `${files.badMtom}:4:1`, 'no file:line position that is not the file\'s')
})

t.test('the embedded document of an envelope (inline base64) is labelled too', async (t) => {
  const bad = join(dir, 'bad-inline.xml')
  await writeFile(bad, getNumUnique(edited('cre', ['<ns1:typeFichier>CRE<', '<ns1:typeFichier>XYZ<']), 'inline').message)
  const r = await run([bad])
  t.equal(r.code, 1)
  t.match(r.out.split('\n')[1], `${bad} [part fichierDemande, line 4:1 of the part]: GW_SCHEMA_ENUMERATION`)
})

t.test('--json', async (t) => {
  const r = await run(['--json', files.mtom, files.badDocument])
  t.equal(r.code, 1)
  const report = JSON.parse(r.out) as { valid: boolean, files: Array<{ file: string, kind: string, valid: boolean, operation?: string, soapVersion?: string, violations: Array<{ code: string }> }> }
  t.equal(report.valid, false)
  t.match(report.files[0], { file: files.mtom, kind: 'message', valid: true, operation: 'getNumUnique', soapVersion: '1.2', violations: [] })
  t.same(report.files[1]!.violations.map((v) => v.code), ['GW_SCHEMA_ENUMERATION', 'GW_SPEC_NUM_UNIQUE_REQUIRED'])
})

t.test('--content-type overrides the guess', async (t) => {
  t.equal((await run(['--content-type', mtom.contentType, files.mtom])).code, 0)
  const wrong = await run([`--content-type=${mtom.contentType.replace('MIME_BOUNDARY', 'OTHER')}`, files.mtom])
  t.equal(wrong.code, 1)
  t.match(wrong.out, /GW_SOAP_MIME_BOUNDARY_NOT_FOUND/)
})

t.test('--soap-action is the SOAPAction of the messages', async (t) => {
  const r = await run(['--soap-action', 'http://ws.metier.nuu.application.i2/getDoublons', files.envelope])
  t.equal(r.code, 1)
  t.match(r.out, /GW_SPEC_ACTION_MISMATCH/)
})

t.test('--spec names another spec directory', async (t) => {
  const mini = fileURLToPath(new URL('../contract/fixtures/mini-spec/', import.meta.url))
  const r = await run(['--spec', mini, files.document])
  t.equal(r.code, 1)
  t.match(r.out, /GW_SPEC_DOCUMENT_ROOT/)
  const broken = await run(['--spec', join(dir, 'nowhere'), files.document])
  t.equal(broken.code, 2)
  t.match(broken.err, /the spec cannot be loaded: GW_SPEC_DIR_UNREADABLE/)
})

t.test('usage errors: exit 2', async (t) => {
  for (const [args, message] of [
    [[], 'no FILE given'],
    [['--frobnicate', files.document], 'unknown option --frobnicate'],
    [[files.document, '--content-type'], 'option --content-type needs a value'],
    [['--spec='], 'option --spec needs a value']
  ] as Array<[string[], string]>) {
    const r = await run(args)
    t.equal(r.code, 2, args.join(' '))
    t.match(r.err, `sne-gateway validate: ${message}\n`)
    t.match(r.err, /usage: sne-gateway validate FILE/)
    t.equal(r.out, '')
  }
  const missing = await run([join(dir, 'missing.xml')])
  t.equal(missing.code, 2)
  t.equal(missing.err, `sne-gateway validate: cannot read ${join(dir, 'missing.xml')}: ENOENT\n`)
})

t.test('--help: exit 0', async (t) => {
  const r = await run(['--help'])
  t.equal(r.code, 0)
  t.match(r.out, /usage: sne-gateway validate FILE/)
})

t.test('arguments: -- ends the options', async (t) => {
  t.same(parseValidateArgs(['--json', '--', '--weird-name.xml']), { files: ['--weird-name.xml'], json: true, help: false })
})

t.test('the examples validate as wsdl/README.md says: documents, requests and the inline envelope; the other envelopes are root parts', async (t) => {
  const examples = fileURLToPath(new URL('../../examples/', import.meta.url))
  const readme = readFileSync(new URL('../../wsdl/README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ')
  t.match(readme, 'it accepts every file of `examples/documents/` and `examples/requests/*.mtom`, and of the envelopes only `getNumUnique-inline.xml`', 'the README says what validate accepts')
  const inDir = (sub: string, ext: string): string[] => readdirSync(join(examples, sub)).filter((f) => f.endsWith(ext)).sort().map((f) => join(examples, sub, f))
  const accepted = await run([...inDir('documents', '.xml'), ...inDir('requests', '.mtom'), join(examples, 'envelopes', 'getNumUnique-inline.xml')])
  t.equal(accepted.code, 0, accepted.out)
  const rootParts = inDir('envelopes', '.xml').filter((f) => !f.endsWith('-inline.xml'))
  t.equal(rootParts.length, 6)
  for (const file of rootParts) {
    const r = await run(['--json', file])
    const report = JSON.parse(r.out) as { files: Array<{ violations: Array<{ code: string }> }> }
    t.same([...new Set(report.files[0]!.violations.map((v) => v.code))], ['GW_SOAP_XOP_MISSING_PART'], `${file}: refused for its missing attachments only`)
  }
})
