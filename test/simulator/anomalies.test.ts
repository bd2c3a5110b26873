// The anomaly catalogue: docs/simulator.md lists every code with its exact message, and each spec
// rule the simulator answers in-band exists in contract/.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { anomaly, anomalyMessages, ruleAnomalies } from '../../src/simulator/anomalies.js'
import { violationCodes } from '../../src/contract/errors.js'

t.test('docs/simulator.md and anomalies.ts agree in both directions', async (t) => {
  const doc = await readFile(new URL('../../docs/simulator.md', import.meta.url), 'utf8')
  const rows = new Map([...doc.matchAll(/^\| (CTRL_DEM_\d{4}) \| (.+?) \| .+ \|$/gm)].map((m) => [m[1]!, m[2]!]))
  t.same([...rows.keys()].sort(), Object.keys(anomalyMessages).sort())
  for (const [code, message] of Object.entries(anomalyMessages)) t.equal(rows.get(code), message, `${code}: same message`)
  t.notOk('CTRL_DEM_0033' in anomalyMessages || 'CTRL_DEM_0034' in anomalyMessages, 'the two known real codes stay free')
})

t.test('every spec rule mapped to an anomaly is a code of contract/', async (t) => {
  for (const [rule, code] of Object.entries(ruleAnomalies)) {
    t.ok(rule in violationCodes, `${rule} is a spec violation code`)
    t.ok(code in anomalyMessages, `${code} exists`)
  }
})

t.test('placeholders are filled', async (t) => {
  t.same(anomaly('CTRL_DEM_0012', { nu: 'N', motif: 'RADCON', deadline: '2025-01-01' }), {
    code: 'CTRL_DEM_0012', message: 'Le délai de réactivation de la demande N (radiation RADCON) a expiré le 2025-01-01.'
  })
  t.equal(anomaly('CTRL_DEM_0015').message, 'Le motif de radiation est obligatoire.')
})
