/**
 * `sne-gateway schema [--format json-schema|openapi] [--interface-version V] [--operation NAME
 * [--side request|answer]] [--answer] [--spec DIR]`: prints the JSON contract generated from the
 * spec directory (the repository's `wsdl/` unless `--spec` names another), 2-space pretty JSON.
 * Constructs of the XSD that JSON does not carry are listed on stderr, one warning a line.
 * Exit code: 0, or 2 on a usage error (unknown option, format, version or operation) or an
 * unusable spec directory.
 */
import { isGatewayError } from '../errors.js'
import { defaultSpecDir, loadSpec, type InterfaceSpec } from '../contract/index.js'
import { buildJsonContract, type JsonContract } from '../contract/json-contract.js'
import type { JsonSchema } from '../contract/json-schema.js'
import { choiceOf, scanArgs } from './args.js'
import type { CliIo } from './validate.js'

const USAGE = `usage: sne-gateway schema [options]

Prints the JSON contract of the interface, generated from the WSDL and XSD of the spec: by
default the JSON Schema (2020-12) of an interfaceNuu document of the newest interface version, as
a guichet sends it (strict, the request flavour).

options:
  --format json-schema|openapi  json-schema (default), or an OpenAPI 3.1 document whose
                                components hold every schema (all versions and operations)
  --interface-version V         the document schema of version V (default: the newest)
  --answer                      the tolerant flavour, for documents and answers the SNE sends
  --operation NAME              the schema of a WSDL operation's request wrapper, documents as JSON
  --side request|answer         with --operation: its request (default) or its answer
  --spec DIR                    the spec directory (default: the wsdl/ folder of sne-gateway)
  -h, --help                    this help

exit code: 0, or 2 on a usage error or an unusable spec directory
`

interface Options {
  format: 'json-schema' | 'openapi'
  interfaceVersion?: string
  operation?: string
  side?: 'request' | 'answer'
  answer: boolean
  spec?: string
  help: boolean
}

/** Parses the arguments; a string is a usage error. */
export function parseSchemaArgs (args: string[]): Options | string {
  const scanned = scanArgs(args, ['--format', '--interface-version', '--operation', '--side', '--spec'], ['--answer'])
  if (typeof scanned === 'string') return scanned
  const extra = scanned.positionals[0]
  if (extra !== undefined) return `unexpected argument ${extra}`
  const format = choiceOf(scanned, '--format', ['json-schema', 'openapi'] as const)
  if (typeof format === 'object') return format.error
  const side = choiceOf(scanned, '--side', ['request', 'answer'] as const)
  if (typeof side === 'object') return side.error
  const opts: Options = { format: format ?? 'json-schema', answer: scanned.flags.has('--answer'), help: scanned.help }
  if (side !== undefined) opts.side = side
  for (const [name, key] of [['--interface-version', 'interfaceVersion'], ['--operation', 'operation'], ['--spec', 'spec']] as const) {
    const value = scanned.values.get(name)
    if (value !== undefined) opts[key] = value
  }
  if (opts.help) return opts
  if (opts.format === 'openapi' && (opts.interfaceVersion !== undefined || opts.operation !== undefined || opts.side !== undefined || opts.answer)) {
    return '--format openapi holds every version and operation: it takes no --interface-version, --operation, --side or --answer'
  }
  if (opts.side !== undefined && opts.operation === undefined) return '--side needs --operation'
  if (opts.operation !== undefined && opts.interfaceVersion !== undefined) return '--operation holds every interface version: it takes no --interface-version'
  if (opts.answer && opts.side === 'request') return '--answer contradicts --side request'
  return opts
}

/** The schema the options ask for, or a usage error. */
function select (contract: JsonContract, opts: Options, operations: readonly string[]): JsonSchema | string {
  if (opts.format === 'openapi') return contract.openapi()
  if (opts.operation !== undefined) {
    if (!operations.includes(opts.operation)) return `unknown operation ${JSON.stringify(opts.operation)} (known: ${operations.join(', ')})`
    const side = opts.side ?? (opts.answer ? 'answer' : 'request')
    try {
      return contract.operationSchema(opts.operation, side)
    } catch {
      return `the operation ${opts.operation} has no ${side}`
    }
  }
  const versions = [...contract.versions.keys()].sort()
  const version = opts.interfaceVersion ?? versions.at(-1)
  if (version === undefined) return 'the spec defines no interface version'
  if (!contract.versions.has(version)) return `unknown interface version ${JSON.stringify(version)} (known: ${versions.join(', ')})`
  return contract.documentSchema(version, opts.answer ? 'answer' : 'request')
}

/** Runs `sne-gateway schema`; resolves to the exit code. */
export default async function schema (args: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const opts = parseSchemaArgs(args)
  const usage = (message: string): number => {
    io.stderr.write(`sne-gateway schema: ${message}\n\n${USAGE}`)
    return 2
  }
  if (typeof opts === 'string') return usage(opts)
  if (opts.help) {
    io.stdout.write(USAGE)
    return 0
  }
  let spec: InterfaceSpec
  try {
    spec = await loadSpec({ dir: opts.spec ?? defaultSpecDir() })
  } catch (err) {
    if (!isGatewayError(err)) throw err
    io.stderr.write(`sne-gateway schema: the spec cannot be loaded: ${err.code} ${err.message}\n`)
    return 2
  }
  try {
    const contract = buildJsonContract(spec)
    const selected = select(contract, opts, [...spec.operations.keys()])
    if (typeof selected === 'string') return usage(selected)
    for (const u of contract.unsupported) io.stderr.write(`sne-gateway schema: warning: ${u.file}:${u.line} ${u.construct}: ${u.message}\n`)
    io.stdout.write(JSON.stringify(selected, null, 2) + '\n')
    return 0
  } finally {
    spec.dispose()
  }
}
