/**
 * The interface's public data types. `contract/` knows the SNE interface, nothing of HTTP.
 */
import type { GuichetFacts } from './guichet-facts.js'
import type { QName, SoapMessage, SoapVersion, Violation, XmlDocument, XmlLimits } from '../soap/types.js'

export interface OperationSpec {
  /** WSDL operation name, e.g. `getNumUnique` */
  name: string
  /** soapAction of the binding, e.g. `http://ws.metier.nuu.application.i2/getNumUnique` */
  action: string
  /** the request wrapper element (the Body's first child) */
  request: QName
  /** the response wrapper element */
  response: QName | undefined
  /** local names of the wrapper's children that are base64Binary (MTOM attachments), e.g. fichierDemande */
  binaryElements: string[]
  /** local names of the binary children that carry an interfaceNuu document (validated by its XSD) */
  documentElements: string[]
}

/** An interfaceNuu document found in a message (decoded attachment or inline base64). */
export interface AttachedDocument {
  /** the wrapper child that carried it, e.g. `fichierDemande` */
  element: string
  bytes: Buffer
  /** the parsed light tree, or undefined when it was not well-formed XML */
  doc: XmlDocument | undefined
  /** its `versionInterface`, when readable */
  versionInterface: string | undefined
}

export interface ValidationResult {
  /** the operation name when it could be identified */
  operation: string | undefined
  soapVersion: SoapVersion | undefined
  /** empty when the message is valid */
  violations: Violation[]
  /** the decoded message when it could be decoded */
  message: SoapMessage | undefined
  documents: AttachedDocument[]
  /** what the message says of guichets, once its operation is identified */
  guichets?: GuichetFacts
}

export interface ValidateOptions {
  /** the SOAPAction header, if any */
  soapAction?: string
  /**
   * decode the message and identify its operation only (MIME, XML, envelope, the Body's wrapper
   * and every declared action), without the XSD and the interface rules: what a call in
   * validation mode `off` still needs, since its operation is read from the Body, never trusted
   */
  identifyOnly?: boolean
  /**
   * schema messages quote the message's values as they are (`1985-13-45`), not masked to their
   * shape (`'9999-99-99'`, the violation marked `valuesMasked`): for the integrator's own checks
   * (validate-only, `sne-gateway validate`), whose answers go back to whoever sent the values and
   * are never logged. Default: the spec's `showValues`.
   */
  showValues?: boolean
}

/** An interface version validated with libxml2 because its XSD has a construct the compiler does not support. */
export interface SchemaFallback {
  version: string
  file: string
  line: number
  construct: string
  message: string
}

/** A loaded, compiled interface specification. Built once at start, reused for every message. */
export interface InterfaceSpec {
  readonly operations: ReadonlyMap<string, OperationSpec>
  /** interface versions with a compiled XSD, e.g. ['02.00', '02.01'] */
  readonly interfaceVersions: readonly string[]
  /**
   * the interface versions whose XSD did not compile to code, each with the first construct in
   * the way (its file and line): they validate with libxml2
   */
  readonly schemaFallbacks: readonly SchemaFallback[]
  /** the WSDL target namespace */
  readonly targetNamespace: string
  /** the WSDL and every XSD it imports, by path relative to the spec directory, as read from disk */
  readonly files: ReadonlyMap<string, Buffer>
  /** the WSDL's path relative to the spec directory */
  readonly wsdlFile: string
  /** the spec directory it was loaded from (validation workers load the same) */
  readonly dir: string
  /** the hardened XML reader's limits it applies to messages and documents */
  readonly xmlLimits: Readonly<XmlLimits>
  /** the SOAP versions of the WSDL's bindings: a message in another version is refused */
  readonly soapVersions: readonly SoapVersion[]
  validateMessage (bytes: Buffer, contentType: string | undefined, options?: ValidateOptions): ValidationResult
  /** validates a bare interfaceNuu document (XSD of its versionInterface, then the interface rules) */
  validateDocument (bytes: Buffer, options?: Pick<ValidateOptions, 'showValues'>): { versionInterface: string | undefined, violations: Violation[], doc: XmlDocument | undefined }
  /** frees the compiled schemas (libxml2 wasm memory) */
  dispose (): void
}
