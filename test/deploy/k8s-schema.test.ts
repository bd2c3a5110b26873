// Every document of docker/k8s/*.yaml against the Kubernetes schema of its kind, offline
// (helpers/k8s-schema.ts): types, required fields, enums and unknown fields. Mutated copies prove
// the check can fail.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { manifestViolations, yamlDocuments } from './helpers/k8s-schema.js'

const K8S = fileURLToPath(new URL('../../docker/k8s/', import.meta.url))
const files = readdirSync(K8S).filter((f) => f.endsWith('.yaml')).sort()
const documents = files.flatMap((file) => yamlDocuments(readFileSync(`${K8S}${file}`, 'utf8')).map((doc) => ({ file, doc: doc as Record<string, any> }))) // eslint-disable-line @typescript-eslint/no-explicit-any
const named = (kind: string): Record<string, any> => structuredClone(documents.find((d) => d.doc.kind === kind)!.doc) // eslint-disable-line @typescript-eslint/no-explicit-any

t.test('every manifest document is valid for its kind', async (t) => {
  const kinds = documents.map((d) => d.doc.kind as string).sort()
  t.same([...new Set(kinds)], ['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service'], 'the kinds shipped')
  for (const { file, doc } of documents) {
    t.same(manifestViolations(doc), [], `${file}: ${String(doc.kind)} ${String(doc.metadata?.name)}`)
  }
})

t.test('a mutated copy fails: wrong type, missing required field, bad enum, unknown fields', async (t) => {
  const cases: Array<[string, string, (doc: Record<string, any>) => void, RegExp]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    ['Deployment', 'replicas as a string', (d) => { d.spec.replicas = 'one' }, /spec\/replicas must be integer/],
    ['Deployment', 'no selector', (d) => { delete d.spec.selector }, /must have required property selector/],
    ['Deployment', 'a misspelt field', (d) => { d.spec.replica = 1 }, /^\/spec\/replica: unknown field$/],
    ['Deployment', 'a misspelt container field', (d) => { d.spec.template.spec.containers[0].imagePullPolcy = 'Always' }, /^\/spec\/template\/spec\/containers\/0\/imagePullPolcy: unknown field$/],
    ['Deployment', 'a misspelt top-level field', (d) => { d.metdata = d.metadata }, /^\/metdata: unknown field$/],
    ['Deployment', 'a memory request that is not a quantity', (d) => { d.spec.template.spec.containers[0].resources.requests.memory = '256 megs' }, /requests\/memory must match format "quantity"/],
    ['Service', 'a type no cluster knows', (d) => { d.spec.type = 'Balancer' }, /spec\/type must be equal to one of the allowed values/],
    ['Service', 'a port as text', (d) => { d.spec.ports[0].port = '443' }, /port must be integer/],
    ['Service', 'a misspelt port field', (d) => { d.spec.ports[0].targetport = 'https' }, /^\/spec\/ports\/0\/targetport: unknown field$/],
    ['PodDisruptionBudget', 'a selector with a list', (d) => { d.spec.selector.matchLabels = ['app'] }, /matchLabels must be object/],
    ['Deployment', 'a strategy no cluster knows', (d) => { d.spec.strategy.type = 'Rolling' }, /strategy\/type must be equal to one of the allowed values/],
    ['Deployment', 'a misspelt rolling update field', (d) => { d.spec.strategy.rollingUpdate.maxSurges = 1 }, /^\/spec\/strategy\/rollingUpdate\/maxSurges: unknown field$/],
    ['Deployment', 'an emptyDir size that is not a quantity', (d) => { d.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'state').emptyDir.sizeLimit = 'one gig' }, /sizeLimit must match format "quantity"/],
    ['NetworkPolicy', 'a misspelt rule field', (d) => { d.spec.ingress[1].form = d.spec.ingress[1].from }, /^\/spec\/ingress\/1\/form: unknown field$/],
    ['ConfigMap', 'data that is not text', (d) => { d.data = { 'gateway.json': { a: 1 } } }, /must be string/]
  ]
  for (const [kind, what, mutate, expected] of cases) {
    const doc = named(kind)
    mutate(doc)
    const violations = manifestViolations(doc)
    t.ok(violations.some((v) => expected.test(v)), `${kind}, ${what}: ${violations.join(' | ')}`)
  }
  t.match(manifestViolations({ apiVersion: 'apps/v1beta1', kind: 'Deployment' }), [/no schema for apiVersion apps\/v1beta1/], 'an API version no cluster serves')
})
