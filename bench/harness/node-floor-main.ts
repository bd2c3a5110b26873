/**
 * Child process: the bare Node floor (node-floor.ts) on the data plane's host and port of a gateway
 * configuration file, in front of its `ecole` environment's upstream.
 *
 * usage: node node-floor-main.js --config FILE
 */
import { parseArgs } from 'node:util'
import { loadConfig } from '../../src/config/load.js'
import { createNodeFloor } from './node-floor.js'

const { values } = parseArgs({ options: { config: { type: 'string' } } })
if (values.config === undefined) throw new Error('usage: node-floor-main.js --config FILE')

// no SNE_GATEWAY_… variable of the caller's shell may change the configuration, as for the gateway
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNE_GATEWAY_')))
const { config } = await loadConfig(values.config, { env, cwd: process.cwd() })
const floor = await createNodeFloor(config)
floor.server.listen(config.dataPlane.port, config.dataPlane.host, () => { console.log(`node floor listening on ${config.dataPlane.host}:${config.dataPlane.port}`) })

const stop = (): void => {
  floor.server.close(() => { void floor.close().then(() => process.exit(0)) })
  floor.server.closeAllConnections()
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
