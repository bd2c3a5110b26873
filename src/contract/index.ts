/**
 * `contract/`: the SNE interface as the files of `wsdl/` define it. `loadSpec` reads the WSDL and
 * every schema it needs, offline and once, compiles the validators, and returns an
 * `InterfaceSpec` that validates messages and documents with compiled code only.
 */
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { existsSync } from 'node:fs'
import { resolveXmlLimits } from '../soap/xml-reader.js'
import { validateDocumentBytes } from './document-validator.js'
import { loadLibxml2, messageParseOptions } from './libxml2.js'
import { validateSoapMessage } from './message-validator.js'
import { collectSpecFiles, reachable } from './schema-graph.js'
import { buildSchemaIndex, qkey } from './schema-index.js'
import { listSpecDir, readSpecFile } from './spec-files.js'
import { kContext } from './symbols.js'
import { readCatalogue } from './wsdl-catalogue.js'
import { VERSION_FILE, compileSchemas, documentRoots } from './xsd-compiler.js'
import { compileVersions } from './compiled-versions.js'
import type { MessageValidatorContext } from './message-validator.js'
import type { SoapVersion, XmlLimits } from '../soap/types.js'
import type { InterfaceSpec, OperationSpec } from './types.js'

export type { InterfaceSpec, OperationSpec, ValidationResult, AttachedDocument, ValidateOptions, SchemaFallback } from './types.js'

export interface LoadSpecOptions {
  /** the spec directory: one `*.wsdl`, the XSD it imports, and the `InterfaceNuu_v*.xsd` files */
  dir: string
  /** limits of the hardened XML reader for messages and documents (soap/ defaults otherwise) */
  xmlLimits?: Partial<XmlLimits>
  /** the current time, for the "no date in the future" rule (tests fix it) */
  clock?: () => Date
  /**
   * how interfaceNuu documents are checked against their XSD: `compiled` (default), the schema
   * compiled to code where it compiles, libxml2 for the rest; `libxml2`, libxml2 only (the
   * oracle of the differential tests and benchmarks)
   */
  documentValidation?: 'compiled' | 'libxml2'
  /**
   * schema messages quote the validated values as they are rather than masked to their shape,
   * unless a call says otherwise (`ValidateOptions.showValues`): for offline tools whose output
   * is the integrator's own. Default false: violations may reach Faults and other people.
   */
  showValues?: boolean
}

/**
 * The repository's `wsdl/` folder, found from this module's location: `src/contract/` when run
 * from sources, `dist/src/contract/` once built.
 */
export function defaultSpecDir (): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (let dir = here, i = 0; i < 5; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'wsdl')
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate
  }
  return join(here, '..', '..', 'wsdl')
}

/**
 * Loads and compiles the interface specification of `options.dir`. Throws a `GW_SPEC_…` error
 * naming the file and line when a file is missing, malformed or does not compile. Call
 * `dispose()` on the result when done: compiled schemas live in wasm memory.
 */
export async function loadSpec (options: LoadSpecOptions): Promise<InterfaceSpec> {
  const lx = await loadLibxml2()
  const listing = await listSpecDir(options.dir)
  const versionFiles = listing.xsd.filter((f) => VERSION_FILE.test(f))
  const files = await collectSpecFiles(lx, [listing.wsdl, ...versionFiles], async (path) => await readSpecFile(options.dir, path))
  let compiled: ReturnType<typeof compileSchemas>
  let operations: Map<string, OperationSpec>
  let targetNamespace: string
  let soapVersions: SoapVersion[]
  try {
    const serviceFiles = reachable(files, listing.wsdl)
    const catalogue = readCatalogue(lx, buildSchemaIndex(lx, serviceFiles), serviceFiles, listing.wsdl)
    operations = catalogue.operations
    targetNamespace = catalogue.targetNamespace
    soapVersions = catalogue.soapVersions
    compiled = compileSchemas(lx, files, listing.wsdl, versionFiles)
  } finally {
    // The parsed spec files served the catalogue and the index; only the validators stay.
    for (const f of files.values()) f.doc.dispose()
  }

  const versionList = [...compiled.versions.keys()].sort()
  const compiledDocuments = compileVersions(compiled.versions, new Map([...files.values()].map((f) => [f.path, f.bytes])), listing.wsdl)
  const ctx: MessageValidatorContext = {
    lx,
    parseOption: messageParseOptions(lx),
    service: compiled.service,
    versions: compiled.versions,
    versionList,
    roots: documentRoots(compiled.versions),
    byRequest: new Map([...operations.values()].map((op) => [qkey(op.request), op])),
    soapVersions,
    // resolved once: the reader takes a complete limits object as is, without merging per call
    xmlLimits: resolveXmlLimits(options.xmlLimits),
    clock: options.clock ?? (() => new Date()),
    showValues: options.showValues ?? false,
    compiled: options.documentValidation === 'libxml2' ? new Map() : compiledDocuments.schemas,
    compiledService: options.documentValidation === 'libxml2' ? undefined : compiledDocuments.service
  }
  let disposed = false
  const alive = (): void => {
    if (disposed) throw new Error('this InterfaceSpec was disposed')
  }
  const spec: InterfaceSpec & { [kContext]: MessageValidatorContext } = {
    [kContext]: ctx,
    operations,
    interfaceVersions: versionList,
    schemaFallbacks: compiledDocuments.fallbacks,
    targetNamespace,
    files: new Map([...files.values()].map((f) => [f.path, f.bytes])),
    wsdlFile: listing.wsdl,
    dir: options.dir,
    xmlLimits: ctx.xmlLimits,
    soapVersions,
    validateMessage (bytes, contentType, validateOptions) {
      alive()
      return validateSoapMessage(ctx, bytes, contentType, validateOptions)
    },
    validateDocument (bytes, documentOptions) {
      alive()
      const { versionInterface, violations, doc } = validateDocumentBytes(ctx, bytes, 'document', undefined, documentOptions?.showValues ?? ctx.showValues)
      return { versionInterface, violations, doc }
    },
    dispose () {
      if (disposed) return
      disposed = true
      compiled.service.dispose()
      for (const v of compiled.versions.values()) v.validator.dispose()
    }
  }
  return spec
}
