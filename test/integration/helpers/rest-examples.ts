// The demandes of examples/documents/ as the REST API takes them: each interfaceNuu document
// converted to JSON by the contract, its first demandeLogement.
import { readFileSync } from 'node:fs'
import { buildJsonContract } from '../../../src/contract/json-contract.js'
import type { InterfaceSpec } from '../../../src/contract/types.js'

export type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** A reader of example demandes for one compiled spec: `example('cre')` is cre.xml's demandeLogement. */
export function exampleDemandes (spec: InterfaceSpec): (name: string) => Json {
  const contract = buildJsonContract(spec)
  return (name) => {
    const bytes = readFileSync(new URL(`../../../examples/documents/${name}.xml`, import.meta.url))
    const r = spec.validateDocument(bytes)
    const json = contract.toJson(r.doc!.root, bytes).value as Json
    return json.demande[0].demandeLogement as Json
  }
}
