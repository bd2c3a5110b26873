// The Kubernetes manifests against the production example, read as text (their schema:
// k8s-schema.test.ts): the ConfigMap embeds the example unchanged, the Deployment provides every
// placeholder and mounts every file it names, the grace period covers the preStop pause and the
// drain, two replicas roll one at a time on one store, and the ops plane is fenced by a
// NetworkPolicy, with a PodDisruptionBudget beside it.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config/load.js'
import { PRODUCTION_EXAMPLE, PRODUCTION_EXAMPLE_ENV } from '../config/helpers/production-example.js'
import { fileOptionValues, IMAGE_ETC, loadAsInImage } from './helpers/image-config.js'
import { yamlDocuments } from './helpers/k8s-schema.js'

const K8S = fileURLToPath(new URL('../../docker/k8s/', import.meta.url))
const read = (name: string): string => readFileSync(`${K8S}${name}`, 'utf8')
const example = readFileSync(PRODUCTION_EXAMPLE, 'utf8')
const deployment = read('deployment.yaml')

/** The literal block scalar under `key: |`, de-indented. */
function block (yaml: string, key: string): string {
  const lines = yaml.split('\n')
  const start = lines.findIndex((l) => l.trimEnd().endsWith(`${key}: |`))
  const indent = (lines[start + 1] ?? '').search(/\S/)
  const out: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && line.search(/\S/) < indent) break
    out.push(line.slice(indent))
  }
  while (out.at(-1) === '') out.pop()
  return out.join('\n') + '\n'
}

t.test('the ConfigMap embeds examples/gateway.production.json unchanged', async (t) => {
  t.equal(block(read('configmap.yaml'), 'gateway.json'), example)
  t.match(deployment, /mountPath: \/etc\/sne-gateway\/gateway\.json, subPath: gateway\.json/)
  t.match(deployment, /args: \["start", "--config", "\/etc\/sne-gateway\/gateway\.json"\]/)
})

t.test('the Deployment provides every placeholder of the example, and mounts every file it names', async (t) => {
  for (const [, variable] of example.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
    t.match(deployment, new RegExp(`- name: ${variable!}\\n`), `${variable!} is set`)
  }
  const mounts = [...deployment.matchAll(/mountPath: ([^,\s}]+)/g)].map((m) => m[1]!)
  // The example names the files it reads relative to its folder, where the ConfigMap is mounted.
  t.ok(mounts.includes(`${IMAGE_ETC}gateway.json`))
  const config = loadAsInImage()
  const files = fileOptionValues(config).filter((f) => f.startsWith(IMAGE_ETC))
  t.ok(files.length >= 14, `${files.length} files read from ${IMAGE_ETC}`)
  for (const file of files) t.ok(mounts.some((m) => file.startsWith(`${m}/`)), `${file} is in a mounted volume`)
  const state = /- \{ name: state, mountPath: ([^,\s}]+)/.exec(deployment)?.[1]
  for (const file of [config.census.file, config.audit.file]) t.ok(file?.startsWith(`${state!}/`), `${String(file)} is on the state volume`)
  t.match(deployment, /readOnlyRootFilesystem: true/)
  t.match(deployment, /runAsNonRoot: true/)
})

t.test('the grace period covers the preStop pause, the drain and the close', async (t) => {
  const { config } = await loadConfig(PRODUCTION_EXAMPLE, { env: PRODUCTION_EXAMPLE_ENV, cwd: '/' })
  const grace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(deployment)?.[1])
  const preStop = Number(/preStop:\s+exec: \{ command: \["sleep", "(\d+)"\] \}/.exec(deployment)?.[1])
  t.ok(preStop > 0, 'a preStop pause while the endpoints are withdrawn')
  // 5 s: the CLI's margin after the drain (cli/start.ts closeWithGrace delay).
  t.ok(grace >= preStop + config.shutdown.drainTimeoutMs / 1000 + 5, `${grace} s ≥ ${preStop} + ${config.shutdown.drainTimeoutMs / 1000} + 5`)
})

t.test('two replicas, rolled one at a time, the store URL from a Secret, a volume per pod; probes; resources', async (t) => {
  const [doc] = yamlDocuments(deployment) as Array<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
  const spec = doc!.spec
  t.ok(spec.replicas >= 2, `${String(spec.replicas)} replicas`)
  t.same(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, 'a new pod ready before an old one drains')
  t.notMatch(deployment, /one replica/i, 'no comment left from the single-instance manifest')
  const container = spec.template.spec.containers[0]
  const store = container.env.find((e: { name: string }) => e.name === 'SNE_GATEWAY_STORE_URL')
  t.ok(store?.valueFrom?.secretKeyRef?.name !== undefined && store.valueFrom.secretKeyRef.key !== undefined && store.value === undefined, 'SNE_GATEWAY_STORE_URL from a Secret')
  const state = spec.template.spec.volumes.find((v: { name: string }) => v.name === 'state')
  t.ok(state?.emptyDir !== undefined, 'the state volume is the pod\'s own (emptyDir), not a claim two pods would share')
  const pdb = yamlDocuments(read('policies.yaml')).find((d) => (d as { kind: string }).kind === 'PodDisruptionBudget') as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  t.ok(pdb.spec.minAvailable >= 1 && pdb.spec.minAvailable < spec.replicas && pdb.spec.maxUnavailable === undefined, `minAvailable ${String(pdb.spec.minAvailable)} of ${String(spec.replicas)}: one pod at a time may be evicted`)
  t.match(deployment, /readinessProbe:\s+httpGet: \{ path: \/health\/ready, port: ops \}/)
  t.match(deployment, /livenessProbe:\s+httpGet: \{ path: \/health\/live, port: ops \}/)
  t.match(deployment, /resources:\s+requests: \{ cpu: "\d+", memory: \d+Mi \}\s+limits: \{ memory: \d+Mi \}/)
})

t.test('the ops plane: behind a token and a NetworkPolicy; a PodDisruptionBudget', async (t) => {
  const { config } = await loadConfig(PRODUCTION_EXAMPLE, { env: PRODUCTION_EXAMPLE_ENV, cwd: '/' })
  t.match(deployment, /- name: SNE_GATEWAY_OPS_TOKEN_FILE\n\s+value: \/etc\/sne-gateway\/ops\/token/)
  t.match(deployment, new RegExp(`\\{ name: ops, containerPort: ${config.ops.port} \\}`))
  const policies = read('policies.yaml').split('\n---\n')
  const pdb = policies.find((p) => /kind: PodDisruptionBudget/.test(p))
  t.ok(pdb, 'a PodDisruptionBudget')
  t.match(pdb, /selector:\s+matchLabels: \{ app: sne-gateway \}/)
  const policy = policies.find((p) => /kind: NetworkPolicy/.test(p))!
  t.ok(policy, 'a NetworkPolicy')
  // The ops port is only in a rule that has a `from`; the data plane's port is open.
  const rules = policy.split(/\n {4}- /).slice(1)
  const opsRules = rules.filter((r) => r.includes(`port: ${config.ops.port}`))
  t.equal(opsRules.length, 1)
  t.match(opsRules[0], /from:/)
  t.ok(rules.some((r) => r.includes(`port: ${config.dataPlane.port}`) && !r.includes('from:')), 'the data plane is open')
})
