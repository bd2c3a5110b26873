import t from 'tap'
import { numUniqueRequired } from '../../../src/contract/rules/num-unique-required.js'
import { ctx, nuu } from '../helpers/documents.js'

t.test('MOD, REN, RAD and SUP without numUnique are refused, at their demandeLogement', async (t) => {
  for (const type of ['MOD', 'REN', 'RAD', 'SUP']) {
    const v = numUniqueRequired(ctx(nuu(type, '<n:numGuichet>G1226</n:numGuichet>')))
    t.same(v, [{
      code: 'GW_SPEC_NUM_UNIQUE_REQUIRED',
      message: `typeFichier ${type} requires numUnique`,
      path: '/interfaceNuu/demande/demandeLogement/numUnique',
      line: 3,
      column: 12,
      part: 'fichierDemande'
    }], type)
  }
})

t.test('an empty numUnique counts as none', async (t) => {
  t.equal(numUniqueRequired(ctx(nuu('MOD', '<n:numGuichet>G1226</n:numGuichet><n:numUnique> </n:numUnique>'))).length, 1)
})

t.test('with a numUnique, or for a creation, nothing to say', async (t) => {
  t.same(numUniqueRequired(ctx(nuu('MOD', '<n:numGuichet>G1226</n:numGuichet><n:numUnique>1110125004242G1226</n:numUnique>'))), [])
  t.same(numUniqueRequired(ctx(nuu('CRE', '<n:numGuichet>G1226</n:numGuichet>'))), [])
  t.same(numUniqueRequired(ctx(nuu('CRS', '<n:numGuichet>G1226</n:numGuichet>'))), [])
})

t.test('elements of another namespace do not count', async (t) => {
  t.equal(numUniqueRequired(ctx(nuu('MOD', '<numUnique xmlns="urn:other">1110125004242G1226</numUnique>'))).length, 1)
})
