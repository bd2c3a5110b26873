import t from 'tap'
import { communesLimit } from '../../../src/contract/rules/communes-limit.js'
import { ctx, nuu } from '../helpers/documents.js'

function withCommunes (n: number): string {
  const list = Array.from({ length: n }, (_, i) => `<n:localisationSouhaite><n:commune code="751${String(i + 1).padStart(2, '0')}"/></n:localisationSouhaite>\n`).join('')
  return nuu('CRE', `<n:numGuichet>G1226</n:numGuichet><n:logementRecherche><n:listeLocalisationSouhaite>\n${list}</n:listeLocalisationSouhaite></n:logementRecherche>`)
}

t.test('at most 10 communes souhaitées: the 11th is pointed at', async (t) => {
  t.same(communesLimit(ctx(withCommunes(10))), [])
  t.same(communesLimit(ctx(withCommunes(11))), [{
    code: 'GW_SPEC_TOO_MANY_COMMUNES',
    message: '11 communes souhaitées, at most 10',
    path: '/interfaceNuu/demande/demandeLogement/logementRecherche/listeLocalisationSouhaite/localisationSouhaite[11]',
    line: 15,
    column: 1,
    part: 'fichierDemande'
  }])
})
