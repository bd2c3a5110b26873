import t from 'tap'
import {
  type LifecycleState, checkStep, dueForNonRenewalRadiation, dueForPurge, nonRenewalRadiationDay, reactivationDeadline, validityEnd
} from '../../src/simulator/lifecycle.js'

const active: LifecycleState = { nu: 'NU', status: 'ACTIVE', validUntil: '2025-01-14', radiationMotif: undefined, radiatedAt: undefined }
const radiated = (motif: string, radiatedAt: string): LifecycleState => ({ ...active, status: 'RADIEE', radiationMotif: motif, radiatedAt })

t.test('validity and the radiation for non-renewal (t+12, t+13 months)', async (t) => {
  t.equal(validityEnd('2024-01-14'), '2025-01-14')
  t.equal(nonRenewalRadiationDay('2025-01-14'), '2025-02-14')
  t.notOk(dueForNonRenewalRadiation(active, '2025-02-13'))
  t.ok(dueForNonRenewalRadiation(active, '2025-02-14'))
  t.notOk(dueForNonRenewalRadiation({ ...active, status: 'RADIEE' }, '2026-01-01'), 'only an active demande')
})

t.test('réactivation windows by motif', async (t) => {
  // created 2024-01-14, valid until 2025-01-14, radiated at t+13 = 2025-02-14: re-activable until t+18 = 2025-07-14
  t.equal(reactivationDeadline(radiated('RADREN', '2025-02-14T00:00:00.000Z')), '2025-07-14', 'RADREN: t+18 months [F]')
  t.equal(reactivationDeadline(radiated('RADCON', '2025-03-10T09:00:00.000Z')), '2025-08-10', 'RADCON: 5 months after radiation [F]')
  t.equal(reactivationDeadline(radiated('RADABA', '2025-03-10T09:00:00.000Z')), '2025-04-10', 'RADABA: 1 month [M]')
  t.equal(reactivationDeadline(radiated('RADIRR', '2025-03-10T09:00:00.000Z')), '2025-05-10', 'RADIRR: 2 months [M]')
  t.equal(reactivationDeadline(radiated('RADATT', '2025-03-10T09:00:00.000Z')), undefined, 'RADATT: never')
})

t.test('purge one year after radiation', async (t) => {
  const r = radiated('RADABA', '2025-03-10T09:00:00.000Z')
  t.notOk(dueForPurge(r, '2026-03-09'))
  t.ok(dueForPurge(r, '2026-03-10'))
  t.notOk(dueForPurge(active, '2030-01-01'))
})

t.test('which step is allowed in which state', async (t) => {
  const today = '2024-06-01'
  for (const step of ['MOD', 'REN', 'SUP', 'DALO'] as const) t.equal(checkStep(active, step, today), undefined, `${step} on an active demande`)
  t.equal(checkStep(active, 'RAD', today, 'RADABA'), undefined)
  t.equal(checkStep(active, 'RAD', today)?.code, 'CTRL_DEM_0015', 'RAD needs a motif')
  t.equal(checkStep(active, 'RAD', today, 'RADREN')?.code, 'CTRL_DEM_0014', 'no RADREN while valid')
  t.equal(checkStep(active, 'RAD', '2025-01-15', 'RADREN'), undefined, 'RADREN once validity ended')
  t.equal(checkStep(active, 'REACTIVATION', today)?.code, 'CTRL_DEM_0011')

  const r = radiated('RADCON', '2025-03-10T09:00:00.000Z')
  t.equal(checkStep(r, 'MOD', today)?.code, 'CTRL_DEM_0009')
  t.equal(checkStep(r, 'REN', today)?.code, 'CTRL_DEM_0009')
  t.equal(checkStep(r, 'DALO', today)?.code, 'CTRL_DEM_0020')
  t.equal(checkStep(r, 'RAD', today, 'RADABA')?.code, 'CTRL_DEM_0010')
  t.equal(checkStep(r, 'SUP', today), undefined)
  t.equal(checkStep(r, 'REACTIVATION', '2025-08-10'), undefined, 'last day of the window')
  const late = checkStep(r, 'REACTIVATION', '2025-08-11')
  t.equal(late?.code, 'CTRL_DEM_0012')
  t.match(late?.message, /RADCON.*2025-08-10/)
  t.equal(checkStep(radiated('RADATT', '2025-03-10T09:00:00.000Z'), 'REACTIVATION', '2025-03-11')?.code, 'CTRL_DEM_0013')

  const gone: LifecycleState = { ...active, status: 'SUPPRIMEE' }
  for (const step of ['MOD', 'REN', 'RAD', 'REACTIVATION', 'SUP', 'DALO'] as const) t.equal(checkStep(gone, step, today, 'RADABA')?.code, 'CTRL_DEM_0002')
})
