// sne-gateway convert: XML → JSON → XML, validation on both sides, --to, --out, versions, exit codes.
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import convert, { formOf, parseConvertArgs } from '../../src/cli/convert.js'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract, pointerOfPath } from '../../src/contract/json-contract.js'
import { edited, exampleDocument } from '../fixtures/corpus-kit.js'

async function run (args: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await convert(args, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } } })
  return { code, out, err }
}

const spec = await loadSpec({ dir: defaultSpecDir() })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)

const DEMANDEUR = '/demande/0/demandeLogement/personnePhysique/demandeur'
type Doc = { versionInterface?: string, demande: Array<{ demandeLogement: { personnePhysique: { demandeur: Record<string, unknown> } } }> } & Record<string, unknown>

const dir = t.testdir({})
const files = {
  cre: join(dir, 'cre.xml'),
  mod: join(dir, 'mod.xml'),
  badXml: join(dir, 'bad-civilite.xml'),
  json: join(dir, 'cre.json'),
  badJson: join(dir, 'bad-nom.json'),
  noVersion: join(dir, 'no-version.json'),
  malformed: join(dir, 'malformed.json'),
  neither: join(dir, 'neither.txt')
}
await writeFile(files.cre, exampleDocument('cre'))
await writeFile(files.mod, exampleDocument('mod'))
await writeFile(files.badXml, edited('cre', ['<ns1:civilite code="2"/>', '<ns1:civilite code="9"/>']))
await writeFile(files.malformed, '{"nom": "DUPONT-SECRET", ')
await writeFile(files.neither, 'DUPONT-SECRET\n')

/** The JSON of cre.xml, as the command prints it. */
async function creJson (): Promise<string> {
  const r = await run([files.cre])
  if (r.code !== 0) throw new Error(`cre.xml did not convert: ${r.err}`)
  return r.out
}
const creText = await creJson()
const cre = JSON.parse(creText) as Doc
await writeFile(files.json, creText)
{
  const bad = structuredClone(cre)
  bad.demande[0]!.demandeLogement.personnePhysique.demandeur.nom = 424242
  await writeFile(files.badJson, JSON.stringify(bad))
  const { versionInterface: _, ...noVersion } = cre
  await writeFile(files.noVersion, JSON.stringify(noVersion, null, 2))
}

t.test('XML → JSON: codes as strings, repeatable elements as arrays, pretty, on stdout', async (t) => {
  const r = await run([files.cre])
  t.equal(r.code, 0)
  t.equal(r.err, '')
  const json = JSON.parse(r.out) as Doc
  t.equal(json.versionInterface, '02.01')
  t.ok(Array.isArray(json.demande), 'demande is an array')
  t.equal(json.demande.length, 1)
  t.equal(json.demande[0]!.demandeLogement.personnePhysique.demandeur.civilite, '2', 'civilite is its code, a string')
  t.equal(r.out, JSON.stringify(json, null, 2) + '\n', '2-space pretty JSON and a final newline')
})

t.test('JSON → XML: the XML passes the spec validation and converts back to the same JSON', async (t) => {
  const r = await run([files.json])
  t.equal(r.code, 0, r.err)
  t.match(r.out, /^<\?xml version="1\.0" encoding="UTF-8" standalone="yes"\?>\n<ns1:interfaceNuu /)
  const checked = spec.validateDocument(Buffer.from(r.out, 'utf8'))
  t.same(checked.violations, [])
  t.equal(checked.versionInterface, '02.01')
  const back = join(dir, 'back.xml')
  await writeFile(back, r.out)
  const again = await run([back])
  t.equal(again.code, 0, again.err)
  t.equal(again.out, creText, 'the round trip gives the same JSON')
})

t.test('--to forces the output form; a file already in that form is a usage error', async (t) => {
  const toJson = await run(['--to', 'json', files.cre])
  t.equal(toJson.code, 0)
  t.equal(toJson.out, creText)
  const toXml = await run(['--to=xml', files.json])
  t.equal(toXml.code, 0)
  t.match(toXml.out, /^<\?xml /)
  for (const [args, message] of [
    [['--to', 'xml', files.cre], `${files.cre} is already XML (--to xml)`],
    [['--to', 'json', files.json], `${files.json} is already JSON (--to json)`]
  ] as Array<[string[], string]>) {
    const r = await run(args)
    t.equal(r.code, 2, args.join(' '))
    t.equal(r.out, '')
    t.match(r.err, `sne-gateway convert: ${message}\n`)
  }
})

t.test('--out DIR: every file converted into DIR as <name>.json / <name>.xml', async (t) => {
  const out = join(dir, 'out', 'nested')
  // cre.xml → cre.json and cre.json → cre.xml: distinct targets
  const r = await run(['--out', out, files.cre, files.mod, files.json])
  t.equal(r.code, 0, r.err)
  t.equal(r.out, '', 'nothing on stdout')
  t.equal(await readFile(join(out, 'cre.json'), 'utf8'), creText)
  t.equal(JSON.parse(await readFile(join(out, 'mod.json'), 'utf8')).entete.typeFichier, 'MOD')
  t.same(spec.validateDocument(await readFile(join(out, 'cre.xml'))).violations, [])
  t.match(r.err, `${files.cre}: converted to ${join(out, 'cre.json')}\n`)

  const clash = await run(['--out', out, files.cre, join(dir, 'out', '..', 'cre.xml')])
  t.equal(clash.code, 2)
  t.match(clash.err, /would both be converted into/)
  await writeFile(join(dir, 'swapped.xml'), creText)
  const self = await run(['--out', dir, join(dir, 'swapped.xml')])
  t.equal(self.code, 2)
  t.match(self.err, /would overwrite it/)
})

t.test('an invalid XML file: exit 1, its violations with code, XSD path and JSON Pointer, nothing converted', async (t) => {
  const r = await run([files.badXml])
  t.equal(r.code, 1)
  t.equal(r.out, '')
  const lines = r.err.trimEnd().split('\n')
  t.equal(lines[0], `${files.badXml}: NOT CONVERTED, 1 problem(s)`)
  t.match(lines[1], `${files.badXml}:13:1: GW_SCHEMA_ENUMERATION /interfaceNuu/demande/demandeLogement/personnePhysique/demandeur/civilite/@code (JSON ${DEMANDEUR}/civilite): `)
  t.notMatch(r.err, /FICTIF-ALPHA/)
})

t.test('an invalid JSON file: exit 1 with the pointer, never the value', async (t) => {
  const r = await run([files.badJson])
  t.equal(r.code, 1)
  t.equal(r.out, '')
  t.match(r.err, `${files.badJson}: GW_SCHEMA_TYPE /interfaceNuu/demande[1]/demandeLogement/personnePhysique/demandeur/nom (JSON ${DEMANDEUR}/nom): must be string\n`)
  t.notMatch(r.err, /424242/)
})

t.test('malformed JSON and unknown content: exit 1, without quoting the file', async (t) => {
  const malformed = await run([files.malformed])
  t.equal(malformed.code, 1)
  t.match(malformed.err, `${files.malformed}: GW_SPEC_JSON_MALFORMED (JSON ""): not well-formed JSON`)
  t.notMatch(malformed.err, /DUPONT/)
  const neither = await run([files.neither])
  t.equal(neither.code, 1)
  t.match(neither.err, /neither an XML document/)
  t.notMatch(neither.err, /DUPONT/)
})

t.test('rules beyond the JSON Schema: the XML output is validated too', async (t) => {
  const mod = JSON.parse((await run([files.mod])).out) as { demande: Array<{ demandeLogement: Record<string, unknown> }> }
  delete mod.demande[0]!.demandeLogement.numUnique
  const file = join(dir, 'mod-without-num.json')
  await writeFile(file, JSON.stringify(mod))
  t.same(contract.validateDocument(mod, 'request'), [], 'the JSON Schema alone accepts it')
  const r = await run([file])
  t.equal(r.code, 1)
  t.equal(r.out, '')
  t.match(r.err, 'GW_SPEC_NUM_UNIQUE_REQUIRED /interfaceNuu/demande/demandeLogement/numUnique (JSON /demande/0/demandeLogement/numUnique)')
})

t.test('--interface-version: the version of JSON without one, checked against the one it names', async (t) => {
  const missing = await run([files.noVersion])
  t.equal(missing.code, 1)
  t.match(missing.err, 'GW_SPEC_VERSION_MISSING /interfaceNuu/@versionInterface (JSON /versionInterface): the document has no versionInterface (give --interface-version)')
  const given = await run(['--interface-version', '02.01', files.noVersion])
  t.equal(given.code, 0, given.err)
  t.match(given.out, '<ns1:interfaceNuu versionInterface="02.01" xmlns:ns1="http://nuu.application.i2/">')
  t.same(spec.validateDocument(Buffer.from(given.out)).violations, [])
  t.equal((await run(['--interface-version', '02.01', files.json])).code, 0, 'agreeing with the document')
  for (const file of [files.json, files.cre]) {
    const other = await run(['--interface-version', '02.00', file])
    t.equal(other.code, 1, file)
    t.match(other.err, 'the document is versionInterface 02.01, not 02.00 as --interface-version says')
  }
  const unknown = await run(['--interface-version', '09.99', files.json])
  t.equal(unknown.code, 2)
  t.match(unknown.err, 'sne-gateway convert: unknown interface version "09.99" (known: 02.00, 02.01)\n')
})

t.test('several files: exit 1 when one is invalid, the others still converted', async (t) => {
  const out = join(dir, 'mixed')
  const r = await run(['--out', out, files.cre, files.badJson])
  t.equal(r.code, 1)
  t.equal(await readFile(join(out, 'cre.json'), 'utf8'), creText)
  await t.rejects(readFile(join(out, 'bad-nom.xml')), { code: 'ENOENT' })
})

t.test('usage errors: exit 2', async (t) => {
  for (const [args, message] of [
    [[], 'no FILE given'],
    [['--frobnicate', files.cre], 'unknown option --frobnicate'],
    [['--to', 'yaml', files.cre], 'option --to takes json or xml, not "yaml"'],
    [[files.cre, '--to'], 'option --to needs a value'],
    [['--out=', files.cre], 'option --out needs a value'],
    [[files.cre, files.json], 'several FILEs need --out DIR']
  ] as Array<[string[], string]>) {
    const r = await run(args)
    t.equal(r.code, 2, args.join(' '))
    t.match(r.err, `sne-gateway convert: ${message}`)
    t.match(r.err, /usage: sne-gateway convert FILE/)
    t.equal(r.out, '')
  }
  const missing = await run([join(dir, 'missing.xml')])
  t.equal(missing.code, 2)
  t.equal(missing.err, `sne-gateway convert: cannot read ${join(dir, 'missing.xml')}: ENOENT\n`)
  const broken = await run(['--spec', join(dir, 'nowhere'), files.cre])
  t.equal(broken.code, 2)
  t.match(broken.err, /the spec cannot be loaded: GW_SPEC_DIR_UNREADABLE/)
})

t.test('--help: exit 0', async (t) => {
  const r = await run(['-h'])
  t.equal(r.code, 0)
  t.match(r.out, /usage: sne-gateway convert FILE/)
  t.match(r.out, /Without --out, exactly one FILE/)
})

t.test('helpers: arguments, the form of a file, pointers of XSD paths', async (t) => {
  t.same(parseConvertArgs(['--to', 'xml', '--', '--weird.json']), { files: ['--weird.json'], to: 'xml', help: false })
  t.equal(formOf(Buffer.from('\uFEFF \n<a/>')), 'xml')
  t.equal(formOf(Buffer.from('\t{}')), 'json')
  t.equal(formOf(Buffer.from('[]')), undefined)
  t.equal(formOf(Buffer.alloc(0)), undefined)
  const v = contract.versions.get('02.01')!
  t.equal(pointerOfPath(v, '/interfaceNuu/demande[2]/demandeLogement/personnePhysique/demandeur/civilite/@code'), '/demande/1/demandeLogement/personnePhysique/demandeur/civilite')
  t.equal(pointerOfPath(v, '/interfaceNuu/@versionInterface'), '/versionInterface')
  t.equal(pointerOfPath(v, '/interfaceNuu/entete/typeFichier'), '/entete/typeFichier')
  t.equal(pointerOfPath(v, '/interfaceNuu'), '')
  t.equal(pointerOfPath(v, '/interfaceNuu/nowhere'), undefined)
  t.equal(pointerOfPath(v, '/interfaceNuu/entete[2]'), undefined, 'a second entete is not in the JSON')
  t.equal(pointerOfPath(v, '/Envelope/Body'), undefined)
  t.equal(pointerOfPath(v, undefined), undefined)
})
