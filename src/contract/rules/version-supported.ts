/**
 * An interfaceNuu document names its interface version in `versionInterface`; the spec must
 * have the XSD of that version (one `InterfaceNuu_v*.xsd` file per version). This check runs
 * before XSD validation, since it chooses the schema.
 */
import { at, attr } from './tree.js'
import type { Violation, XmlDocument } from '../../soap/types.js'

export interface DocumentVersion {
  /** the version, when the document is an interfaceNuu document that has one */
  version: string | undefined
  /** true when the spec has a schema for `version` */
  supported: boolean
  violations: Violation[]
}

/**
 * Reads the version of `doc`. `roots` are the `{uri}local` keys of the root elements the
 * version schemas declare; `versions` the versions that have a schema.
 */
export function versionOfDocument (doc: XmlDocument, roots: ReadonlySet<string>, versions: readonly string[], attribute: string, part: string): DocumentVersion {
  const root = doc.root
  if (!roots.has(`{${root.uri}}${root.local}`)) {
    return { version: undefined, supported: false, violations: [at(root, 'GW_SPEC_DOCUMENT_ROOT', `the document's root element {${root.uri}}${root.local} is not the root of an interface document`, part)] }
  }
  const version = attr(root, attribute)?.trim()
  if (version === undefined || version === '') {
    return { version: undefined, supported: false, violations: [at(root, 'GW_SPEC_VERSION_MISSING', `the document has no ${attribute}`, part, `/@${attribute}`)] }
  }
  if (!versions.includes(version)) {
    return { version, supported: false, violations: [at(root, 'GW_SPEC_VERSION_UNSUPPORTED', `${attribute} ${version.slice(0, 20)} is not supported (supported: ${versions.join(', ')})`, part, `/@${attribute}`)] }
  }
  return { version, supported: true, violations: [] }
}
