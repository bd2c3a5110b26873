// sne-gateway schema: the document schema of each version and flavour, operations, OpenAPI, warnings, exit codes.
import t from 'tap'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import schema, { parseSchemaArgs } from '../../src/cli/schema.js'

async function run (args: string[]): Promise<{ code: number, out: string, err: string, json: Record<string, unknown> }> {
  let out = ''
  let err = ''
  const code = await schema(args, { stdout: { write: (s: string) => { out += s } }, stderr: { write: (s: string) => { err += s } } })
  return { code, out, err, json: code === 0 && !args.includes('-h') ? JSON.parse(out) as Record<string, unknown> : {} }
}

type Schema = Record<string, unknown> & { $ref?: string, $defs?: Record<string, Schema>, properties?: Record<string, Schema> }

/** The root object schema of a standalone document schema (its `$ref` into its own `$defs`). */
function rootOf (s: Schema): Schema {
  if (s.$ref === undefined) return s
  const def = s.$defs?.[s.$ref.replace('#/$defs/', '')]
  if (def === undefined) throw new Error(`dangling ${s.$ref}`)
  return def
}

t.test('default: the JSON Schema 2020-12 of the newest version, request flavour, 2-space pretty', async (t) => {
  const r = await run([])
  t.equal(r.code, 0)
  t.equal(r.err, '', 'no warning for the repository spec')
  t.equal(r.out, JSON.stringify(r.json, null, 2) + '\n')
  t.equal(r.json.$schema, 'https://json-schema.org/draft/2020-12/schema')
  t.equal(r.json.title, 'interfaceNuu 02.01 (request)')
  t.equal(rootOf(r.json).properties?.versionInterface?.const, '02.01')
})

t.test('--interface-version and --answer', async (t) => {
  const old = await run(['--interface-version', '02.00'])
  t.equal(old.code, 0)
  t.equal(rootOf(old.json).properties?.versionInterface?.const, '02.00')
  const answer = await run(['--answer'])
  t.equal(answer.code, 0)
  t.equal(answer.json.title, 'interfaceNuu 02.01 (answer)')
  t.match(String((answer.json as Schema).$ref), /\.answer\./)
  const unknown = await run(['--interface-version=09.99'])
  t.equal(unknown.code, 2)
  t.equal(unknown.out, '')
  t.match(unknown.err, 'sne-gateway schema: unknown interface version "09.99" (known: 02.00, 02.01)\n')
})

t.test('--format openapi', async (t) => {
  const r = await run(['--format', 'openapi'])
  t.equal(r.code, 0)
  t.equal(r.json.openapi, '3.1.0')
  const schemas = (r.json.components as { schemas: Record<string, unknown> }).schemas
  t.ok('nuu0201.TInterfaceNuu' in schemas && 'getNumUnique.request' in schemas, 'documents and operations in components')
})

t.test('--operation: the request or answer wrapper', async (t) => {
  const request = await run(['--operation', 'getNumUnique'])
  t.equal(request.code, 0)
  t.equal(request.json.title, 'getNumUnique request')
  t.equal(request.json.$schema, 'https://json-schema.org/draft/2020-12/schema')
  for (const args of [['--operation', 'getNumUnique', '--side', 'answer'], ['--operation', 'getNumUnique', '--answer']]) {
    const answer = await run(args)
    t.equal(answer.code, 0, args.join(' '))
    t.equal(answer.json.title, 'getNumUnique answer')
  }
  const unknown = await run(['--operation', 'getNothing'])
  t.equal(unknown.code, 2)
  t.equal(unknown.out, '')
  t.match(unknown.err, /^sne-gateway schema: unknown operation "getNothing" \(known: getNumUnique, /)
})

t.test('constructs JSON cannot carry: one warning a line on stderr', async (t) => {
  const dir = t.testdir({})
  const mini = fileURLToPath(new URL('../contract/fixtures/mini-spec/', import.meta.url))
  await cp(mini, dir, { recursive: true })
  const xsd = join(dir, 'InterfaceNuu_v0101.xsd')
  const text = await readFile(xsd, 'utf8')
  const edited = text.replace('<xs:element name="day" type="xs:date"/>', '<xs:element name="day" type="d:Latin"/>')
    .replace('</xs:schema>', '  <xs:simpleType name="Latin"><xs:restriction base="xs:string"><xs:pattern value="\\p{IsBasicLatin}+"/></xs:restriction></xs:simpleType>\n</xs:schema>')
  t.not(edited, text)
  await writeFile(xsd, edited)
  const r = await run(['--spec', dir])
  t.equal(r.code, 0)
  t.equal(r.json.title, 'interfaceNuu 01.01 (request)')
  const lines = r.err.trimEnd().split('\n')
  t.equal(lines.length, 1)
  t.match(lines[0], /^sne-gateway schema: warning: InterfaceNuu_v0101\.xsd:\d+ xs:pattern: the pattern .*IsBasicLatin/)
})

t.test('usage errors and an unusable spec: exit 2', async (t) => {
  for (const [args, message] of [
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['extra'], 'unexpected argument extra'],
    [['--format', 'yaml'], 'option --format takes json-schema or openapi, not "yaml"'],
    [['--format'], 'option --format needs a value'],
    [['--side', 'answer'], '--side needs --operation'],
    [['--operation', 'getNumUnique', '--side', 'both'], 'option --side takes request or answer'],
    [['--operation', 'getNumUnique', '--interface-version', '02.01'], '--operation holds every interface version'],
    [['--operation', 'getNumUnique', '--side', 'request', '--answer'], '--answer contradicts --side request'],
    [['--format', 'openapi', '--answer'], '--format openapi holds every version and operation']
  ] as Array<[string[], string]>) {
    const r = await run(args)
    t.equal(r.code, 2, args.join(' '))
    t.match(r.err, `sne-gateway schema: ${message}`)
    t.match(r.err, /usage: sne-gateway schema/)
    t.equal(r.out, '')
  }
  const broken = await run(['--spec', join(t.testdir({}), 'nowhere')])
  t.equal(broken.code, 2)
  t.match(broken.err, /the spec cannot be loaded: GW_SPEC_DIR_UNREADABLE/)
})

t.test('--help: exit 0', async (t) => {
  const r = await run(['-h'])
  t.equal(r.code, 0)
  t.match(r.out, /usage: sne-gateway schema/)
  t.same(parseSchemaArgs(['--answer']), { format: 'json-schema', answer: true, help: false })
})
