/**
 * `sne-gateway convert FILE… [--to json|xml] [--interface-version V] [--spec DIR] [--out DIR]`:
 * the integrators' offline conversion of interfaceNuu documents between XML and their JSON form
 * (docs/json-mapping.md), both ways, through the JSON contract generated from the spec.
 *
 * Every input is validated before it is converted (XML by the XSD and the interface rules, JSON
 * by the request JSON Schema) and every output after (JSON by the JSON Schema, XML by the XSD and
 * the rules): an invalid document is never converted. Diagnostics go to stderr and name codes,
 * XSD paths and JSON Pointers, never the document's values.
 * Exit code: 0 when every file converted, 1 when one could not be (invalid input), 2 on a usage
 * error (unknown option, missing value, unreadable file, a file already in the `--to` form,
 * unknown interface version) or an unusable spec directory.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { basename, extname, join, resolve } from 'node:path'
import { isGatewayError } from '../errors.js'
import { defaultSpecDir, loadSpec } from '../contract/index.js'
import { buildJsonContract, pointerOfPath, type JsonContract } from '../contract/json-contract.js'
import { JsonCodecError } from '../contract/json-codec.js'
import type { InterfaceSpec } from '../contract/index.js'
import type { Violation } from '../soap/types.js'
import { choiceOf, scanArgs } from './args.js'
import type { CliIo } from './validate.js'

export type { CliIo } from './validate.js'

const USAGE = `usage: sne-gateway convert FILE... [options]

Converts interfaceNuu documents between XML and JSON, offline: an XML file gives its JSON, a JSON
file its XML. The direction is guessed from each file's first character ('<' or '{'). Each input
is validated before it is converted and each output after; an invalid file is not converted and
its violations (code, XSD path, JSON Pointer, message; never the values) go to stderr.

Without --out, exactly one FILE is converted and printed on stdout. With --out DIR, every FILE is
converted into DIR as <name>.json or <name>.xml (<name>: the file name without its extension).

options:
  --to json|xml               the output form; a FILE already in that form is an error
  --interface-version V       the version of JSON documents without versionInterface (e.g. 02.01);
                              a document that names another version is refused
  --out DIR                   write the results into DIR (created if needed)
  --spec DIR                  the spec directory (default: the wsdl/ folder of sne-gateway)
  -h, --help                  this help

exit code: 0 every file converted, 1 a file invalid, 2 usage error or unusable spec directory
`

type Form = 'json' | 'xml'

interface Options { files: string[], to?: Form, interfaceVersion?: string, spec?: string, out?: string, help: boolean }

/** Parses the arguments; a string is a usage error. */
export function parseConvertArgs (args: string[]): Options | string {
  const scanned = scanArgs(args, ['--to', '--interface-version', '--spec', '--out'])
  if (typeof scanned === 'string') return scanned
  const to = choiceOf<Form>(scanned, '--to', ['json', 'xml'])
  if (typeof to === 'object') return to.error
  const opts: Options = { files: scanned.positionals, help: scanned.help }
  if (to !== undefined) opts.to = to
  for (const [name, key] of [['--interface-version', 'interfaceVersion'], ['--spec', 'spec'], ['--out', 'out']] as const) {
    const value = scanned.values.get(name)
    if (value !== undefined) opts[key] = value
  }
  if (opts.help) return opts
  if (opts.files.length === 0) return 'no FILE given'
  if (opts.files.length > 1 && opts.out === undefined) return 'several FILEs need --out DIR (without it, one FILE is printed on stdout)'
  return opts
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** The form of a file by its first non-blank character: '<' XML, '{' JSON. */
export function formOf (bytes: Buffer): Form | undefined {
  let i = bytes.subarray(0, 3).equals(BOM) ? 3 : 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === 0x0a)) i++
  if (bytes[i] === 0x3c) return 'xml'
  if (bytes[i] === 0x7b) return 'json'
  return undefined
}

interface Problem {
  code?: string
  message: string
  path?: string
  pointer?: string
  line?: number
  column?: number
}

function formatProblem (file: string, p: Problem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`
  const code = p.code === undefined ? '' : ` ${p.code}`
  const path = p.path === undefined ? '' : ` ${p.path}`
  const pointer = p.pointer === undefined ? '' : ` (JSON ${p.pointer === '' ? '""' : p.pointer})`
  return `${where}:${code}${path}${pointer}: ${p.message}\n`
}

/** A JSON.parse error without the snippet of the file V8 quotes (it may be personal data). */
function syntaxMessage (err: unknown): string {
  const position = /position ([0-9]+)/.exec((err as Error).message)?.[1]
  return `not well-formed JSON${position === undefined ? '' : ` (at character ${position})`}`
}

type Outcome = { ok: true, output: string, form: Form } | { ok: false, problems: Problem[] }

function fromXml (spec: InterfaceSpec, contract: JsonContract, bytes: Buffer, wanted: string | undefined): Outcome {
  const r = spec.validateDocument(bytes)
  const v = r.versionInterface === undefined ? undefined : contract.versions.get(r.versionInterface)
  const mapped = (list: Violation[]): Problem[] => list.map((x) => {
    const pointer = v === undefined ? undefined : pointerOfPath(v, x.path)
    return { code: x.code, message: x.message, path: x.path, pointer, line: x.line, column: x.column }
  })
  if (r.violations.length > 0) return { ok: false, problems: mapped(r.violations) }
  if (wanted !== undefined && r.versionInterface !== wanted) {
    return { ok: false, problems: [{ code: 'GW_SPEC_VERSION_CONFLICT', message: `the document is versionInterface ${r.versionInterface ?? '(none)'}, not ${wanted} as --interface-version says`, path: '/interfaceNuu/@versionInterface', pointer: '/versionInterface' }] }
  }
  if (r.doc === undefined) return { ok: false, problems: [{ message: 'the document could not be read' }] }
  let value: Record<string, unknown>
  try {
    value = contract.toJson(r.doc.root, bytes).value
  } catch (err) {
    if (!(err instanceof JsonCodecError)) throw err
    return { ok: false, problems: [{ code: err.code, message: `cannot be converted: ${err.message}`, path: err.path, pointer: err.pointer }] }
  }
  // The safety net: the JSON must satisfy the schema integrators validate against.
  const after = contract.validateDocument(value, 'request')
  if (after.length > 0) return { ok: false, problems: after.map((x) => ({ ...x, message: `the converted JSON is invalid (a gateway bug, please report it): ${x.message}` })) }
  return { ok: true, output: JSON.stringify(value, null, 2) + '\n', form: 'json' }
}

function fromJson (spec: InterfaceSpec, contract: JsonContract, bytes: Buffer, wanted: string | undefined): Outcome {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''))
  } catch (err) {
    return { ok: false, problems: [{ code: 'GW_SPEC_JSON_MALFORMED', message: syntaxMessage(err), pointer: '' }] }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problems: [{ code: 'GW_SPEC_JSON_MALFORMED', message: 'the JSON of a document is an object', pointer: '' }] }
  const named = contract.versionOf(value)
  if (wanted !== undefined) {
    if (named !== undefined && named !== wanted) {
      return { ok: false, problems: [{ code: 'GW_SPEC_VERSION_CONFLICT', message: `the document is versionInterface ${named.slice(0, 16)}, not ${wanted} as --interface-version says`, path: '/interfaceNuu/@versionInterface', pointer: '/versionInterface' }] }
    }
    // The version first, as the XML writes its attributes first.
    if (named === undefined) value = { versionInterface: wanted, ...(value as Record<string, unknown>) }
  }
  const violations = contract.validateDocument(value, 'request')
  if (violations.length > 0) {
    return {
      ok: false,
      problems: violations.map((x) => ({ ...x, message: x.code === 'GW_SPEC_VERSION_MISSING' ? `${x.message} (give --interface-version)` : x.message }))
    }
  }
  let xml: string
  try {
    xml = contract.toXml(value)
  } catch (err) {
    if (!(err instanceof JsonCodecError)) throw err
    return { ok: false, problems: [{ code: err.code, message: `cannot be converted: ${err.message}`, path: err.path, pointer: err.pointer }] }
  }
  // The safety net: the XML must pass what the gateway checks (XSD and interface rules; the
  // rules, such as numUnique for a MOD, are beyond the JSON Schema). Lines would be the
  // generated XML's: the path and the pointer say where.
  const after = spec.validateDocument(Buffer.from(xml, 'utf8'))
  if (after.violations.length > 0) {
    const v = contract.versions.get(after.versionInterface ?? '')
    return { ok: false, problems: after.violations.map((x) => ({ code: x.code, message: x.message, path: x.path, pointer: v === undefined ? undefined : pointerOfPath(v, x.path) })) }
  }
  return { ok: true, output: xml, form: 'xml' }
}

/** Runs `sne-gateway convert`; resolves to the exit code. */
export default async function convert (args: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const opts = parseConvertArgs(args)
  const usage = (message: string): number => {
    io.stderr.write(`sne-gateway convert: ${message}\n\n${USAGE}`)
    return 2
  }
  if (typeof opts === 'string') return usage(opts)
  if (opts.help) {
    io.stdout.write(USAGE)
    return 0
  }
  const inputs: Array<{ file: string, bytes: Buffer, form: Form | undefined, target?: string }> = []
  const targets = new Map<string, string>()
  for (const file of opts.files) {
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch (err) {
      io.stderr.write(`sne-gateway convert: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
      return 2
    }
    const form = formOf(bytes)
    if (opts.to !== undefined && form === opts.to) return usage(`${file} is already ${opts.to.toUpperCase()} (--to ${opts.to})`)
    const input: { file: string, bytes: Buffer, form: Form | undefined, target?: string } = { file, bytes, form }
    if (opts.out !== undefined && form !== undefined) {
      const name = basename(file, extname(file))
      const target = resolve(opts.out, `${name}.${form === 'xml' ? 'json' : 'xml'}`)
      if (target === resolve(file)) return usage(`converting ${file} into ${opts.out} would overwrite it`)
      const other = targets.get(target)
      if (other !== undefined) return usage(`${other} and ${file} would both be converted into ${target}`)
      targets.set(target, file)
      input.target = target
    }
    inputs.push(input)
  }
  let spec: InterfaceSpec
  try {
    spec = await loadSpec({ dir: opts.spec ?? defaultSpecDir() })
  } catch (err) {
    if (!isGatewayError(err)) throw err
    io.stderr.write(`sne-gateway convert: the spec cannot be loaded: ${err.code} ${err.message}\n`)
    return 2
  }
  let failed = false
  try {
    const contract = buildJsonContract(spec)
    const known = [...contract.versions.keys()].sort()
    if (opts.interfaceVersion !== undefined && !contract.versions.has(opts.interfaceVersion)) {
      return usage(`unknown interface version ${JSON.stringify(opts.interfaceVersion)} (known: ${known.join(', ')})`)
    }
    if (opts.out !== undefined) {
      try {
        await mkdir(opts.out, { recursive: true })
      } catch (err) {
        io.stderr.write(`sne-gateway convert: cannot create ${opts.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
        return 2
      }
    }
    for (const { file, bytes, form, target } of inputs) {
      const outcome: Outcome = form === 'xml'
        ? fromXml(spec, contract, bytes, opts.interfaceVersion)
        : form === 'json'
          ? fromJson(spec, contract, bytes, opts.interfaceVersion)
          : { ok: false, problems: [{ message: "neither an XML document (first character '<') nor a JSON object ('{')" }] }
      if (!outcome.ok) {
        failed = true
        io.stderr.write(`${file}: NOT CONVERTED, ${outcome.problems.length} problem(s)\n`)
        for (const p of outcome.problems) io.stderr.write(formatProblem(file, p))
        continue
      }
      if (target === undefined) {
        io.stdout.write(outcome.output)
        continue
      }
      try {
        await writeFile(target, outcome.output)
      } catch (err) {
        io.stderr.write(`sne-gateway convert: cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
        return 2
      }
      io.stderr.write(`${file}: converted to ${join(opts.out!, basename(target))}\n`)
    }
  } finally {
    spec.dispose()
  }
  return failed ? 1 : 0
}
