import t from 'tap'
import { attributionRequired, radiationMotifRequired, sousMotifRequired } from '../../../src/contract/rules/radiation.js'
import { ctx, nuu } from '../helpers/documents.js'

const NU = '<n:numGuichet>G1226</n:numGuichet><n:numUnique>1110125004242G1226</n:numUnique>'

t.test('RAD needs radiation/motif', async (t) => {
  t.same(radiationMotifRequired(ctx(nuu('RAD', NU))).map((v) => [v.code, v.path]),
    [['GW_SPEC_RADIATION_MOTIF_REQUIRED', '/interfaceNuu/demande/demandeLogement/radiation/motif']])
  t.equal(radiationMotifRequired(ctx(nuu('RAD', NU + '<n:radiation><n:dateRadiation>2025-01-01</n:dateRadiation></n:radiation>'))).length, 1, 'radiation without motif')
  t.same(radiationMotifRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADABA"/></n:radiation>'))), [])
  t.same(radiationMotifRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code=""/></n:radiation>'))), [], 'an empty motif is a réactivation')
  t.same(radiationMotifRequired(ctx(nuu('MOD', NU))), [], 'only RAD files')
})

t.test('RADIRR needs a sous-motif', async (t) => {
  const v = sousMotifRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADIRR"/></n:radiation>')))
  t.same(v.map((x) => [x.code, x.path, x.line]), [['GW_SPEC_SOUS_MOTIF_REQUIRED', '/interfaceNuu/demande/demandeLogement/radiation/sousMotif', 4]])
  t.equal(sousMotifRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADIRR"/><n:sousMotif code=""/></n:radiation>'))).length, 1, 'an empty sous-motif')
  t.same(sousMotifRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADIRR"/><n:sousMotif code="IRRSEJ"/></n:radiation>'))), [])
  t.same(sousMotifRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADABA"/></n:radiation>'))), [], 'other motifs need none')
})

t.test('RADATT needs the attribution data', async (t) => {
  const v = attributionRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADATT"/></n:radiation>')))
  t.same(v.map((x) => [x.code, x.path]), [['GW_SPEC_ATTRIBUTION_REQUIRED', '/interfaceNuu/demande/demandeLogement/radiation/attribution']])
  t.equal(attributionRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADATT"/><n:attribution/></n:radiation>'))).length, 1, 'an empty attribution')
  t.same(attributionRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADATT"/><n:attribution><n:idLogementRPLS>1</n:idLogementRPLS></n:attribution></n:radiation>'))), [])
  t.same(attributionRequired(ctx(nuu('RAD', NU + '<n:radiation><n:motif code="RADCON"/></n:radiation>'))), [])
})
