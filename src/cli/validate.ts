/**
 * `sne-gateway validate FILE… [--content-type TYPE] [--soap-action ACTION] [--spec DIR] [--json]`:
 * the integrators' offline check of raw MTOM messages, SOAP envelopes or bare interfaceNuu
 * documents against the spec (the repository's `wsdl/` unless `--spec` names another folder).
 * Exit code: 0 when every file is valid, 1 when one is not, 2 on a usage error (unknown option,
 * missing value, unreadable file) or an unusable spec directory.
 */
import { readFile } from 'node:fs/promises'
import { isGatewayError } from '../errors.js'
import { scanArgs } from './args.js'
import { defaultSpecDir, loadSpec } from '../contract/index.js'
import { sniffInput } from '../contract/input-kind.js'
import type { Violation } from '../soap/types.js'

const USAGE = `usage: sne-gateway validate FILE... [options]

Checks SOAP messages (raw multipart/related MTOM, or a SOAP envelope) and bare interfaceNuu
documents against the interface specification, offline.

options:
  --content-type TYPE   the Content-Type of every FILE (default: guessed from each file)
  --soap-action ACTION  the SOAPAction header that came with the messages
  --spec DIR            the spec directory (default: the wsdl/ folder of sne-gateway)
  --json                one JSON report on stdout instead of text
  -h, --help            this help
`

export interface CliIo {
  stdout: { write: (s: string) => unknown }
  stderr: { write: (s: string) => unknown }
}

interface Options { files: string[], contentType?: string, soapAction?: string, spec?: string, json: boolean, help: boolean }

/** Parses the arguments; a string is a usage error. */
export function parseValidateArgs (args: string[]): Options | string {
  const scanned = scanArgs(args, ['--content-type', '--soap-action', '--spec'], ['--json'])
  if (typeof scanned === 'string') return scanned
  const opts: Options = { files: scanned.positionals, json: scanned.flags.has('--json'), help: scanned.help }
  const contentType = scanned.values.get('--content-type')
  const soapAction = scanned.values.get('--soap-action')
  const spec = scanned.values.get('--spec')
  if (contentType !== undefined) opts.contentType = contentType
  if (soapAction !== undefined) opts.soapAction = soapAction
  if (spec !== undefined) opts.spec = spec
  if (!opts.help && opts.files.length === 0) return 'no FILE given'
  return opts
}

interface FileReport {
  file: string
  /** a multipart/related message: its lines count from the start of each part */
  multipart: boolean
  kind: 'message' | 'document'
  valid: boolean
  operation?: string
  soapVersion?: string
  versionInterface?: string
  violations: Violation[]
}

/**
 * One violation as `where: CODE path: message`. A line is the file's own only in a bare document
 * or a plain envelope; in a multipart message, or in a document carried inside the message (an
 * attachment, inline base64), it counts from the start of that part, and says so.
 */
export function formatViolation (file: string, v: Violation, multipart: boolean): string {
  const position = v.line === undefined ? '' : `${v.line}${v.column === undefined ? '' : `:${v.column}`}`
  const ownLines = !multipart && (v.part === undefined || v.part === 'root' || v.part === 'document')
  let where = file
  if (ownLines) where = position === '' ? file : `${file}:${position}`
  else if (v.part !== undefined) where = `${file} [${v.part === 'root' ? 'root part' : `part ${v.part}`}${position === '' ? '' : `, line ${position} of the part`}]`
  const path = v.path === undefined ? '' : ` ${v.path}`
  return `${where}: ${v.code}${path}: ${v.message}\n`
}

/** Runs `sne-gateway validate`; resolves to the exit code. */
export default async function validate (args: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const opts = parseValidateArgs(args)
  if (typeof opts === 'string') {
    io.stderr.write(`sne-gateway validate: ${opts}\n\n${USAGE}`)
    return 2
  }
  if (opts.help) {
    io.stdout.write(USAGE)
    return 0
  }
  const inputs: Array<{ file: string, bytes: Buffer }> = []
  for (const file of opts.files) {
    try {
      inputs.push({ file, bytes: await readFile(file) })
    } catch (err) {
      io.stderr.write(`sne-gateway validate: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`)
      return 2
    }
  }
  let spec
  try {
    // The integrator's own files, checked on their machine: their values as they are, not masked.
    spec = await loadSpec({ dir: opts.spec ?? defaultSpecDir(), showValues: true })
  } catch (err) {
    if (!isGatewayError(err)) throw err
    io.stderr.write(`sne-gateway validate: the spec cannot be loaded: ${err.code} ${err.message}\n`)
    return 2
  }
  const reports: FileReport[] = []
  try {
    for (const { file, bytes } of inputs) {
      const kind = opts.contentType === undefined ? sniffInput(bytes) : { kind: 'message' as const, contentType: opts.contentType }
      if (kind.kind === 'message') {
        const r = spec.validateMessage(bytes, kind.contentType, opts.soapAction === undefined ? {} : { soapAction: opts.soapAction })
        reports.push({
          file,
          multipart: /^\s*multipart\//i.test(kind.contentType ?? ''),
          kind: 'message',
          valid: r.violations.length === 0,
          ...(r.operation === undefined ? {} : { operation: r.operation }),
          ...(r.soapVersion === undefined ? {} : { soapVersion: r.soapVersion }),
          violations: r.violations
        })
      } else {
        const r = spec.validateDocument(bytes)
        reports.push({ file, multipart: false, kind: 'document', valid: r.violations.length === 0, ...(r.versionInterface === undefined ? {} : { versionInterface: r.versionInterface }), violations: r.violations })
      }
    }
  } finally {
    spec.dispose()
  }
  if (opts.json) {
    io.stdout.write(JSON.stringify({ valid: reports.every((r) => r.valid), files: reports }, null, 2) + '\n')
  } else {
    for (const r of reports) {
      const what = r.kind === 'message' ? `message${r.operation === undefined ? '' : ` ${r.operation}`}` : `document${r.versionInterface === undefined ? '' : ` ${r.versionInterface}`}`
      if (r.valid) io.stdout.write(`${r.file}: valid ${what}\n`)
      else {
        io.stdout.write(`${r.file}: INVALID ${what}, ${r.violations.length} violation(s)\n`)
        for (const v of r.violations) io.stdout.write(formatViolation(r.file, v, r.multipart))
      }
    }
  }
  return reports.every((r) => r.valid) ? 0 : 1
}
