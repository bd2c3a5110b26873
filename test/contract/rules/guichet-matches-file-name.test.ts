import t from 'tap'
import { guichetMatchesFileName } from '../../../src/contract/rules/guichet-matches-file-name.js'
import { ctx, nuu } from '../helpers/documents.js'

const doc = nuu('CRE', '<n:numGuichet>G1226</n:numGuichet>')

t.test('the guichet of nomFichierDemande must be numGuichet', async (t) => {
  t.same(guichetMatchesFileName(ctx(doc, { fileName: 'DEMG9999-202501141032-000000.xml' })), [{
    code: 'GW_SPEC_GUICHET_MISMATCH',
    message: 'numGuichet differs from the guichet G9999 of nomFichierDemande',
    path: '/interfaceNuu/demande/demandeLogement/numGuichet',
    line: 4,
    column: 1,
    part: 'fichierDemande'
  }])
  t.same(guichetMatchesFileName(ctx(doc, { fileName: 'DEMG1226-202501141032-000000.xml' })), [])
})

t.test('nothing to compare: no file name, or one of another shape (the schema pattern reports it)', async (t) => {
  t.same(guichetMatchesFileName(ctx(doc)), [])
  t.same(guichetMatchesFileName(ctx(doc, { fileName: 'demande.xml' })), [])
})
