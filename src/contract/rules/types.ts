import type { Violation, XmlDocument } from '../../soap/types.js'

/** What a rule sees: one interfaceNuu document and what the message says around it. */
export interface RuleContext {
  /** the document's light tree (soap/'s hardened reader) */
  doc: XmlDocument
  /** `nomFichierDemande` of the request wrapper, when the document came in a message */
  fileName?: string
  /** the current time (injected: tests fix it) */
  now: Date
  /** the `part` of the violations (the wrapper child that carried the document) */
  part: string
}

/** An interface rule XSD cannot express: a pure function of the document. */
export type Rule = (ctx: RuleContext) => Violation[]
