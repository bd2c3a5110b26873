// Small interfaceNuu documents for the rule tests, parsed by the codec's hardened reader.
import { parseXml } from '../../../src/soap/xml-reader.js'
import type { XmlDocument } from '../../../src/soap/types.js'
import type { RuleContext } from '../../../src/contract/rules/index.js'

export const NUU_NS = 'http://nuu.application.i2/'

/** An interfaceNuu document of typeFichier `type`, with `demande` as the inside of demandeLogement. */
export function nuu (type: string, demandeLogement: string, extra = ''): string {
  return `<n:interfaceNuu versionInterface="02.01" xmlns:n="${NUU_NS}">
<n:entete><n:typeFichier>${type}</n:typeFichier><n:dateFichier>2025-01-14T10:00:00+01:00</n:dateFichier></n:entete>
<n:demande><n:demandeLogement>
${demandeLogement}
</n:demandeLogement></n:demande>${extra}
</n:interfaceNuu>`
}

export function doc (xml: string): XmlDocument {
  return parseXml(Buffer.from(xml))
}

export function ctx (xml: string, more: Partial<RuleContext> = {}): RuleContext {
  return { doc: doc(xml), now: new Date('2025-06-01T12:00:00Z'), part: 'fichierDemande', ...more }
}
