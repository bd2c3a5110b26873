/**
 * The operation catalogue, read from the WSDL 1.1 (and any WSDL it imports): for each operation
 * of the SOAP binding, its action, its request and response wrapper elements (document/literal),
 * which wrapper children are base64Binary (sent as MTOM attachments or inline base64) and which
 * of those carry an XML document (`xmime:expectedContentTypes` text/xml). Nothing here is
 * specific to the SNE: an official WSDL dropped into `wsdl/` is read the same way.
 */
import { codes } from './errors.js'
import { WSDL_NS, XSD_NS } from './schema-graph.js'
import { childElements, elementChildren, elementDerivesFrom, expectedContentTypes, qkey, resolveQName } from './schema-index.js'
import type { Libxml2, LxElement } from './libxml2.js'
import type { SchemaIndex } from './schema-index.js'
import type { SpecFile } from './schema-graph.js'
import type { QName, SoapVersion } from '../soap/types.js'
import type { OperationSpec } from './types.js'

export const SOAP12_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap12/'
export const SOAP11_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap/'

const BASE64: QName = { uri: XSD_NS, local: 'base64Binary' }

/** Media types that mean "this binary child is an XML document to validate". */
function isXmlMediaType (type: string): boolean {
  return type === 'text/xml' || type === 'application/xml' || type.endsWith('+xml')
}

export interface Catalogue {
  targetNamespace: string
  operations: Map<string, OperationSpec>
  /** the SOAP versions the WSDL has a binding for: a message in another version is refused */
  soapVersions: SoapVersion[]
}

interface Where { file: string, line: number }
interface PortOperation extends Where { input?: QName, output?: QName }
interface BindingOperation extends Where { name: string, action: string, portType: QName }

function wsdlChildren (lx: Libxml2, el: LxElement, local: string): LxElement[] {
  return elementChildren(lx, el).filter((c) => c.namespaceUri === WSDL_NS && c.name === local)
}

function attr (el: LxElement, name: string): string | undefined {
  return el.attr(name)?.value
}

/** Reads the catalogue from every WSDL document among `files` (root `wsdl:definitions`). */
export function readCatalogue (lx: Libxml2, index: SchemaIndex, files: SpecFile[], mainWsdl: string): Catalogue {
  const messages = new Map<string, Array<{ element?: QName } & Where>>()
  const portTypes = new Map<string, Map<string, PortOperation>>()
  const bindings: Array<{ soap12: boolean, ops: BindingOperation[] }> = []
  let targetNamespace = ''

  for (const { path: file, doc } of files) {
    const root = doc.root
    if (root.namespaceUri !== WSDL_NS || root.name !== 'definitions') continue
    const tns = attr(root, 'targetNamespace') ?? ''
    if (file === mainWsdl) targetNamespace = tns
    for (const m of wsdlChildren(lx, root, 'message')) {
      const parts = wsdlChildren(lx, m, 'part').map((p) => {
        const element = attr(p, 'element')
        return { file, line: p.line, ...(element === undefined ? {} : { element: resolveQName(p, element) }) }
      })
      messages.set(qkey({ uri: tns, local: attr(m, 'name') ?? '' }), parts)
    }
    for (const pt of wsdlChildren(lx, root, 'portType')) {
      const ops = new Map<string, PortOperation>()
      for (const op of wsdlChildren(lx, pt, 'operation')) {
        const input = wsdlChildren(lx, op, 'input')[0]
        const output = wsdlChildren(lx, op, 'output')[0]
        const inMsg = input === undefined ? undefined : attr(input, 'message')
        const outMsg = output === undefined ? undefined : attr(output, 'message')
        ops.set(attr(op, 'name') ?? '', {
          file,
          line: op.line,
          ...(inMsg === undefined || input === undefined ? {} : { input: resolveQName(input, inMsg) }),
          ...(outMsg === undefined || output === undefined ? {} : { output: resolveQName(output, outMsg) })
        })
      }
      portTypes.set(qkey({ uri: tns, local: attr(pt, 'name') ?? '' }), ops)
    }
    for (const b of wsdlChildren(lx, root, 'binding')) {
      const kinds = elementChildren(lx, b).filter((c) => c.name === 'binding' && (c.namespaceUri === SOAP12_BINDING_NS || c.namespaceUri === SOAP11_BINDING_NS))
      if (kinds.length === 0) continue
      const portType = resolveQName(b, attr(b, 'type') ?? '')
      const ops = wsdlChildren(lx, b, 'operation').map((op) => {
        const soapOp = elementChildren(lx, op).find((c) => c.name === 'operation' && c.namespaceUri === kinds[0]!.namespaceUri)
        return { file, line: op.line, name: attr(op, 'name') ?? '', action: (soapOp === undefined ? undefined : attr(soapOp, 'soapAction')) ?? '', portType }
      })
      bindings.push({ soap12: kinds[0]!.namespaceUri === SOAP12_BINDING_NS, ops })
    }
  }

  // A JAX-WS service may publish a SOAP 1.1 binding beside the 1.2 one: the 1.2 one rules.
  const chosen = bindings.some((b) => b.soap12) ? bindings.filter((b) => b.soap12) : bindings
  if (chosen.length === 0) throw new codes.GW_SPEC_WSDL_INVALID(mainWsdl, 0, 'no SOAP 1.2 or 1.1 binding')

  const operations = new Map<string, OperationSpec>()
  const wrappers = new Map<string, string>()
  for (const op of chosen.flatMap((b) => b.ops)) {
    if (operations.has(op.name)) continue
    const portOp = portTypes.get(qkey(op.portType))?.get(op.name)
    if (portOp === undefined) throw new codes.GW_SPEC_WSDL_INVALID(op.file, op.line, `binding operation ${op.name} has no portType operation`)
    const request = wrapperOf(messages, portOp.input, portOp, `operation ${op.name} input`)
    const response = portOp.output === undefined ? undefined : wrapperOf(messages, portOp.output, portOp, `operation ${op.name} output`)
    const decl = index.elements.get(qkey(request))
    if (decl === undefined) throw new codes.GW_SPEC_WSDL_INVALID(portOp.file, portOp.line, `operation ${op.name}: element ${qkey(request)} is not declared in any schema`)
    const other = wrappers.get(qkey(request))
    if (other !== undefined) throw new codes.GW_SPEC_WSDL_INVALID(op.file, op.line, `operations ${other} and ${op.name} share the request element ${qkey(request)}`)
    wrappers.set(qkey(request), op.name)
    const binary = childElements(lx, index, decl).filter((c) => elementDerivesFrom(lx, index, c.decl, BASE64))
    operations.set(op.name, {
      name: op.name,
      action: op.action,
      request,
      response,
      binaryElements: binary.map((c) => c.local),
      documentElements: binary.filter((c) => expectedContentTypes(lx, index, c.decl).some(isXmlMediaType)).map((c) => c.local)
    })
  }
  const soapVersions: SoapVersion[] = []
  if (bindings.some((b) => b.soap12)) soapVersions.push('1.2')
  if (bindings.some((b) => !b.soap12)) soapVersions.push('1.1')
  return { targetNamespace, operations, soapVersions }
}

function wrapperOf (messages: Map<string, Array<{ element?: QName } & Where>>, message: QName | undefined, where: Where, what: string): QName {
  const parts = message === undefined ? undefined : messages.get(qkey(message))
  if (parts === undefined) throw new codes.GW_SPEC_WSDL_INVALID(where.file, where.line, `${what}: message ${message === undefined ? '(none)' : qkey(message)} is not defined`)
  const element = parts.length === 1 ? parts[0]!.element : undefined
  if (element === undefined) throw new codes.GW_SPEC_WSDL_INVALID(where.file, where.line, `${what}: document/literal needs exactly one part with an element`)
  return element
}
