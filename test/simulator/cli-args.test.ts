import t from 'tap'
import { parseSimulatorArgs } from '../../src/cli/simulator.js'

t.test('flags, with a space or an equals sign', async (t) => {
  t.same(parseSimulatorArgs(['--port', '0', '--host=::1', '--config', 'sim.json', '--data', 'd.sqlite', '--seed=20', '--admin-port', '9000']),
    { help: false, port: 0, host: '::1', config: 'sim.json', data: 'd.sqlite', seed: 20, adminPort: 9000 })
  t.same(parseSimulatorArgs([]), { help: false })
  t.same(parseSimulatorArgs(['-h']), { help: true })
})

t.test('usage errors', async (t) => {
  t.equal(parseSimulatorArgs(['--verbose']), "unknown argument '--verbose'")
  t.equal(parseSimulatorArgs(['--port']), '--port needs a value')
  t.equal(parseSimulatorArgs(['--port', '--seed', '1']), '--port needs a value')
  t.equal(parseSimulatorArgs(['--port', 'eighty']), '--port needs a whole number')
  t.equal(parseSimulatorArgs(['--seed=-1']), '--seed needs a whole number')
})

t.test('the command answers a usage error with exit code 2', async (t) => {
  const { default: simulator } = await import('../../src/cli/simulator.js')
  const written: string[] = []
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string) => { written.push(String(chunk)); return true }) as typeof process.stderr.write
  try {
    t.equal(await simulator(['--nope']), 2)
  } finally {
    process.stderr.write = write
  }
  t.match(written.join(''), /unknown argument '--nope'[\s\S]*usage: sne-gateway simulator/)
})
