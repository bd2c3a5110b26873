// loadSpec: reads the WSDL and every schema it needs, offline, once; fails with file and line.
import t, { type Test } from 'tap'
import { cp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { codes } from '../../src/contract/errors.js'
import { isGatewayError } from '../../src/errors.js'

const mini = fileURLToPath(new URL('./fixtures/mini-spec/', import.meta.url))

/** A copy of the mini spec in a fresh directory, with `edit` applied. */
async function miniCopy (t: Test, edit?: (dir: string) => Promise<void>): Promise<string> {
  const dir = t.testdir({})
  await cp(mini, dir, { recursive: true })
  if (edit !== undefined) await edit(dir)
  return dir
}

async function replaceIn (file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  if (!text.includes(from)) throw new Error(`fixture edit: ${from} not in ${file}`)
  await writeFile(file, text.replace(from, to))
}

async function loadError (t: Test, dir: string): Promise<{ code: string, message: string }> {
  try {
    const spec = await loadSpec({ dir })
    spec.dispose()
  } catch (err) {
    t.ok(isGatewayError(err), 'a GatewayError')
    return err as { code: string, message: string }
  }
  throw new Error('loadSpec did not fail')
}

t.test('the repository wsdl/ folder: six operations, two interface versions', async (t) => {
  const spec = await loadSpec({ dir: defaultSpecDir() })
  t.teardown(() => spec.dispose())
  t.equal(spec.wsdlFile, 'DemandeLogementImplService.wsdl')
  t.equal(spec.targetNamespace, 'http://ws.metier.nuu.application.i2/')
  t.same([...spec.operations.keys()].sort(), [
    'declarationNouveauDalo', 'getDemandeLogement', 'getDemandesRadieesDepuisLe', 'getDoublons', 'getNouveauxDaloDepuisLe', 'getNumUnique'
  ])
  const gnu = spec.operations.get('getNumUnique')!
  t.same(gnu, {
    name: 'getNumUnique',
    action: 'http://ws.metier.nuu.application.i2/getNumUnique',
    request: { uri: 'http://ws.metier.nuu.application.i2/', local: 'numUniqueParametres' },
    response: { uri: 'http://ws.metier.nuu.application.i2/', local: 'numUniqueReponse' },
    binaryElements: ['fichierDemande', 'certificat'],
    documentElements: ['fichierDemande']
  })
  t.same(spec.operations.get('getDemandeLogement')!.documentElements, [])
  t.same(spec.operations.get('getDoublons')!.binaryElements, ['fichierDemande'])
  t.same(spec.interfaceVersions, ['02.00', '02.01'])
  t.ok(spec.files.has('DemandeLogementImplService_schema1.xsd'), 'the imported webservice types are among the files')
  t.ok([...spec.files.keys()].some((f) => /nomenclatures/.test(f)), 'the included code lists are among the files')
  t.same(spec.files.get(spec.wsdlFile), await readFile(join(defaultSpecDir(), spec.wsdlFile)), 'files are the bytes read from disk')
})

t.test('a WSDL of our own: inline schemas, imports from a subfolder, BOM, SOAP 1.2 binding preferred', async (t) => {
  const spec = await loadSpec({ dir: mini })
  t.teardown(() => spec.dispose())
  t.same(spec.operations.get('send'), {
    name: 'send',
    action: 'urn:mini:send',
    request: { uri: 'urn:mini:ws', local: 'sendParams' },
    response: { uri: 'urn:mini:ws', local: 'sendAnswer' },
    // complexContent extension + group ref + element ref + simpleContent over a restriction of base64Binary
    binaryElements: ['doc', 'blob'],
    documentElements: ['doc']
  })
  t.same(spec.operations.get('ping'), {
    name: 'ping',
    action: 'urn:mini:ping',
    request: { uri: 'urn:mini:other', local: 'pingParams' },
    response: undefined,
    binaryElements: [],
    documentElements: []
  })
  // 01.00 from the fixed versionInterface (in a file with a BOM), 01.01 from the file name
  t.same(spec.interfaceVersions, ['01.00', '01.01'])
  t.same([...spec.files.keys()].sort(), ['InterfaceNuu_v0100.xsd', 'InterfaceNuu_v0101.xsd', 'Mini.wsdl', 'types/codes.xsd'])
})

t.test('the spec can be loaded many times in one process (one libxml2 input provider)', async (t) => {
  // libxml2's input callback table has about ten slots: one registration per load would fail here.
  for (let i = 0; i < 15; i++) {
    const spec = await loadSpec({ dir: mini })
    spec.dispose()
  }
  t.pass('15 loads')
})

t.test('dispose() is idempotent and the spec refuses work afterwards', async (t) => {
  const spec = await loadSpec({ dir: mini })
  spec.dispose()
  spec.dispose()
  t.throws(() => spec.validateDocument(Buffer.from('<d:doc xmlns:d="urn:mini:doc"/>')), /disposed/)
})

t.test('errors name the file and the line', async (t) => {
  t.test('missing spec directory', async (t) => {
    const err = await loadError(t, join(mini, 'nope'))
    t.equal(err.code, codes.GW_SPEC_DIR_UNREADABLE.code)
  })
  t.test('no WSDL', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await rm(join(d, 'Mini.wsdl'))))
    t.equal(err.code, 'GW_SPEC_NO_WSDL')
  })
  t.test('two WSDL', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await cp(join(d, 'Mini.wsdl'), join(d, 'Other.wsdl'))))
    t.equal(err.code, 'GW_SPEC_MANY_WSDL')
    t.match(err.message, /Mini\.wsdl, Other\.wsdl/)
  })
  t.test('an imported file is missing', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await rm(join(d, 'types', 'codes.xsd'))))
    t.equal(err.code, 'GW_SPEC_FILE_MISSING')
    t.match(err.message, /^Mini\.wsdl:15: Mini\.wsdl refers to types\/codes\.xsd, which cannot be read \(ENOENT\)/)
  })
  t.test('a file is not well-formed', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await replaceIn(join(d, 'types', 'codes.xsd'), '</xs:simpleType>', '</xs:simpleTyp>')))
    t.equal(err.code, 'GW_SPEC_FILE_MALFORMED')
    t.match(err.message, /^types\/codes\.xsd:7:\d+: not well-formed XML: /)
  })
  t.test('an import leaves the spec directory', async (t) => {
    for (const location of ['../outside.xsd', 'http://example.invalid/x.xsd', '/etc/x.xsd', 'file:///etc/x.xsd']) {
      const err = await loadError(t, await miniCopy(t, async (d) => await replaceIn(join(d, 'Mini.wsdl'), 'schemaLocation="types/codes.xsd"', `schemaLocation="${location}"`)))
      t.equal(err.code, 'GW_SPEC_IMPORT_OUTSIDE', location)
      t.equal(err.message, `Mini.wsdl:15: ${location} is not a relative path inside the spec directory`)
    }
  })
  t.test('a schema that does not compile', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await replaceIn(join(d, 'types', 'codes.xsd'), 'base="xs:string"', 'base="xs:nosuchtype"')))
    t.equal(err.code, 'GW_SPEC_SCHEMA_INVALID')
    t.match(err.message, /^types\/codes\.xsd:3: the schema does not compile: .*nosuchtype/)
  })
  t.test('an inline schema of the WSDL that does not compile: the WSDL line', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await replaceIn(join(d, 'Mini.wsdl'), 'type="xs:dateTime"', 'type="xs:noSuchType"')))
    t.equal(err.code, 'GW_SPEC_SCHEMA_INVALID')
    t.match(err.message, /^Mini\.wsdl:46: the schema does not compile: .*noSuchType/)
  })
  t.test('an operation without its message', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await replaceIn(join(d, 'Mini.wsdl'), '<wsdl:input message="tns:ping"/>', '<wsdl:input message="tns:pong"/>')))
    t.equal(err.code, 'GW_SPEC_WSDL_INVALID')
    t.match(err.message, /^Mini\.wsdl:57: operation ping input: message \{urn:mini:ws\}pong is not defined/)
  })
  t.test('a request element no schema declares', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await replaceIn(join(d, 'Mini.wsdl'), 'element="o:pingParams"', 'element="o:nothing"')))
    t.equal(err.code, 'GW_SPEC_WSDL_INVALID')
    t.match(err.message, /operation ping: element \{urn:mini:other\}nothing is not declared/)
  })
  t.test('no SOAP binding', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => {
      const file = join(d, 'Mini.wsdl')
      const text = await readFile(file, 'utf8')
      await writeFile(file, text.replace(/<wsdl:binding[\s\S]*<\/wsdl:binding>/, ''))
    }))
    t.equal(err.code, 'GW_SPEC_WSDL_INVALID')
    t.match(err.message, /no SOAP 1\.2 or 1\.1 binding/)
  })
  t.test('a version file whose version cannot be told', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await cp(join(d, 'InterfaceNuu_v0101.xsd'), join(d, 'InterfaceNuu_vNEXT.xsd'))))
    t.equal(err.code, 'GW_SPEC_VERSION_UNKNOWN')
    t.match(err.message, /^InterfaceNuu_vNEXT\.xsd: cannot tell its interface version/)
  })
  t.test('two files of one version', async (t) => {
    const err = await loadError(t, await miniCopy(t, async (d) => await replaceIn(join(d, 'InterfaceNuu_v0101.xsd'), 'use="required"/>', 'use="required" fixed="01.00"/>')))
    t.equal(err.code, 'GW_SPEC_VERSION_DUPLICATE')
    t.equal(err.message, 'interface version 01.00 is defined by both InterfaceNuu_v0100.xsd and InterfaceNuu_v0101.xsd')
  })
})
