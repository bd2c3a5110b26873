// The published contract is checked by tools that did not write it: the OpenAPI 3.1 document by
// @readme/openapi-parser (the OpenAPI 3.1 JSON Schema of the OAI plus its own semantic rules),
// every $ref by a walk of the document, and every JSON Schema by a fresh ajv in strict mode.
import t from 'tap'
import { validate } from '@readme/openapi-parser'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { defaultSpecDir, loadSpec } from '../../src/contract/index.js'
import { buildJsonContract, JSON_SCHEMA_DIALECT } from '../../src/contract/json-contract.js'
import { EXTRA_KEYWORDS, type JsonSchema } from '../../src/contract/json-schema.js'
import type { OpenAPIV3_1 } from 'openapi-types'

const spec = await loadSpec({ dir: defaultSpecDir() })
t.teardown(() => spec.dispose())
const contract = buildJsonContract(spec)

/** The OpenAPI validator, on a deep copy: it dereferences in place. */
async function openapiErrors (doc: JsonSchema): Promise<{ errors: string[], warnings: string[] }> {
  const result = await validate(structuredClone(doc) as unknown as OpenAPIV3_1.Document, { resolve: { external: false } })
  return {
    errors: result.valid ? [] : result.errors.map((e) => e.message),
    warnings: result.warnings.map((w) => w.message)
  }
}

/** A fresh ajv like the contract's: 2020-12, strict, the extension keywords registered. */
function strictAjv (keywords: readonly string[] = EXTRA_KEYWORDS): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false })
  for (const keyword of keywords) ajv.addKeyword({ keyword })
  return ajv
}

/** Every `$ref` in `value`, with the JSON Pointer of the object holding it. */
function refs (value: unknown, at = ''): Array<{ at: string, ref: unknown }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => refs(v, `${at}/${i}`))
  if (typeof value !== 'object' || value === null) return []
  const out: Array<{ at: string, ref: unknown }> = []
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref') out.push({ at, ref: v })
    else out.push(...refs(v, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`))
  }
  return out
}

/** The value at a local reference `#/a/b`, or undefined. */
function resolveLocal (doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined
  let cur = doc
  for (const raw of ref.slice(2).split('/')) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    if (typeof cur !== 'object' || cur === null || !Object.hasOwn(cur, token)) return undefined
    cur = (cur as Record<string, unknown>)[token]
  }
  return cur
}

/** Every standalone JSON Schema: each version and flavour, each operation's request and answer. */
function allStandalone (): Array<[string, JsonSchema]> {
  const out: Array<[string, JsonSchema]> = []
  for (const v of contract.versions.keys()) for (const f of ['request', 'answer'] as const) out.push([`${v} ${f}`, contract.documentSchema(v, f)])
  for (const op of spec.operations.values()) {
    out.push([`${op.name} request`, contract.operationSchema(op.name, 'request')])
    if (op.response !== undefined) out.push([`${op.name} answer`, contract.operationSchema(op.name, 'answer')])
  }
  return out
}

t.test('the OpenAPI document is valid OpenAPI 3.1 for @readme/openapi-parser', async (t) => {
  const doc = contract.openapi()
  t.equal(doc.openapi, '3.1.0')
  t.equal(doc.jsonSchemaDialect, JSON_SCHEMA_DIALECT)
  const schemas = (doc.components as { schemas: Record<string, JsonSchema> }).schemas
  t.ok(Object.keys(schemas).length > 50, `${Object.keys(schemas).length} component schemas`)
  const before = JSON.stringify(doc)
  const { errors, warnings } = await openapiErrors(doc)
  t.same(errors, [], 'no errors')
  t.same(warnings, [], 'no warnings either')
  t.equal(JSON.stringify(doc), before, 'the validator worked on a copy')
  t.same(contract.openapi(), doc, 'and openapi() is deterministic')
})

t.test('the validator does find errors (so that the test above can fail)', async (t) => {
  const doc = contract.openapi()
  const noTitle = structuredClone(doc)
  delete (noTitle.info as Record<string, unknown>).title
  t.not((await openapiErrors(noTitle)).errors.length, 0, 'info without title')

  const dangling = structuredClone(doc)
  const schemas = (dangling.components as { schemas: Record<string, JsonSchema> }).schemas
  const [first] = Object.keys(schemas)
  schemas[first!] = { $ref: '#/components/schemas/doesNotExist' }
  const danglingResult = await openapiErrors(dangling).catch((err: unknown) => ({ errors: [String(err)], warnings: [] }))
  t.not(danglingResult.errors.length, 0, 'a $ref to nothing')

  const badName = structuredClone(doc)
  ;(badName.components as { schemas: Record<string, JsonSchema> }).schemas['not a valid key!'] = { type: 'string' }
  t.not((await openapiErrors(badName)).errors.length, 0, 'a component name outside ^[a-zA-Z0-9._-]+$')

  const notASchema = structuredClone(doc)
  ;(notASchema.components as { schemas: Record<string, unknown> }).schemas.zz = 5
  t.not((await openapiErrors(notASchema)).errors.length, 0, 'a component schema that is not an object')
})

// For 3.1, the parser checks that each component schema is an object or a boolean, not what is in
// it: the JSON Schema side is checked here, against the 2020-12 meta-schema and by compilation.
t.test('the component schemas are the JSON Schema definitions, valid 2020-12 schemas', async (t) => {
  const doc = contract.openapi()
  const schemas = (doc.components as { schemas: Record<string, JsonSchema> }).schemas
  const ajv = strictAjv()
  const invalid = Object.entries(schemas).filter(([, s]) => ajv.validateSchema(s) !== true).map(([k]) => `${k}: ${ajv.errorsText()}`)
  t.same(invalid, [], 'each component valid against the 2020-12 meta-schema')
  t.equal(ajv.validateSchema({ type: 'strin' }), false, 'which does refuse a bad schema')
  // The same definitions as the standalone schemas (compiled below), but for where $ref points:
  // each standalone schema holds those it reaches, together they hold every component.
  const rewritten = JSON.parse(JSON.stringify(schemas).replaceAll('"#/components/schemas/', '"#/$defs/')) as Record<string, JsonSchema>
  const covered = new Set<string>()
  for (const [name, standalone] of allStandalone()) {
    const defs = standalone.$defs as Record<string, JsonSchema>
    const differ = Object.keys(defs).filter((k) => JSON.stringify(defs[k]) !== JSON.stringify(rewritten[k]))
    t.same(differ, [], `the $defs of ${name} are components`)
    for (const k of Object.keys(defs)) covered.add(k)
    // its root: the definition named by its $id, inlined
    const { $schema: _s, $id, title: _t, $defs: _d, ...root } = standalone
    const rootName = String($id).replace(/^urn:sne-gateway:contract:/, '')
    t.same(root, rewritten[rootName], `the root of ${name} is the component ${rootName}`)
    covered.add(rootName)
  }
  t.same(Object.keys(schemas).filter((k) => !covered.has(k)), [], 'every component is in some standalone schema')
})

t.test('every $ref of the OpenAPI document resolves inside it', async (t) => {
  const doc = contract.openapi()
  const all = refs(doc)
  t.ok(all.length > 50, `${all.length} $refs`)
  const broken = all.filter(({ ref }) => typeof ref !== 'string' || !ref.startsWith('#/components/schemas/') || resolveLocal(doc, ref) === undefined)
  t.same(broken, [], 'all local, all under #/components/schemas/, all resolve')
  const targets = new Set(all.map(({ ref }) => ref))
  t.ok([...targets].every((r) => typeof resolveLocal(doc, r as string) === 'object'), 'each to a schema object')
  // the check itself: a ref to a missing component is caught
  t.equal(resolveLocal(doc, '#/components/schemas/doesNotExist'), undefined)
})

t.test('every $ref of the standalone JSON Schemas resolves in their $defs', async (t) => {
  const schemas = allStandalone()
  t.ok(schemas.length >= 4 + 12, `${schemas.length} schemas`)
  for (const [name, schema] of schemas) {
    const broken = refs(schema).filter(({ ref }) => typeof ref !== 'string' || !ref.startsWith('#/$defs/') || resolveLocal(schema, ref) === undefined)
    t.same(broken, [], name)
  }
})

t.test('every JSON Schema compiles with a fresh ajv 2020-12 in strict mode', async (t) => {
  const versions = [...contract.versions.keys()]
  t.same(versions, spec.interfaceVersions, 'one contract version per interface version of the spec')
  t.ok(versions.length >= 2)
  let compiled = 0
  for (const v of versions) {
    for (const flavour of ['request', 'answer'] as const) {
      const schema = contract.documentSchema(v, flavour)
      t.equal(schema.$schema, JSON_SCHEMA_DIALECT)
      t.doesNotThrow(() => strictAjv().compile(schema), `document ${v} ${flavour}`)
      compiled++
    }
  }
  t.ok(spec.operations.size >= 6, `${spec.operations.size} operations`)
  for (const op of spec.operations.values()) {
    for (const side of ['request', 'answer'] as const) {
      if (side === 'answer' && op.response === undefined) continue
      const schema = contract.operationSchema(op.name, side)
      t.doesNotThrow(() => strictAjv().compile(schema), `operation ${op.name} ${side}`)
      compiled++
    }
  }
  t.ok(compiled >= 4 + 12, `${compiled} schemas`)
})

t.test('strict mode is on: an unregistered keyword is refused', async (t) => {
  const schema = contract.documentSchema(contract.versions.keys().next().value!, 'request')
  // Each extension keyword the generated schemas use is needed: without it, strict mode refuses.
  const used = new Set(JSON.stringify(schema).match(/"(xml|x-[A-Za-z]+)":/g)?.map((m) => m.slice(1, -2)))
  t.ok(used.has('xml') && used.has('x-enumLabels') && used.has('x-xmlAttribute'), `uses ${[...used].join(', ')}`)
  for (const missing of ['xml', 'x-enumLabels', 'x-xmlAttribute']) {
    t.throws(() => strictAjv(EXTRA_KEYWORDS.filter((k) => k !== missing)).compile(schema), { message: new RegExp(`unknown keyword: "${missing}"`) }, `without ${missing}`)
  }
  const bogus = { ...schema, $id: 'urn:test:bogus', 'x-notRegistered': true }
  t.throws(() => strictAjv().compile(bogus), { message: /strict mode: unknown keyword: "x-notRegistered"/ }, 'an extra keyword of our own')
  t.throws(() => strictAjv().compile({ type: 'object', properties: { a: { type: 'string', 'x-unsupported-typo': 'x' } } }), /unknown keyword/, 'nested too')
  t.doesNotThrow(() => new Ajv2020({ strict: false }).compile(bogus), 'but not outside strict mode')
})
