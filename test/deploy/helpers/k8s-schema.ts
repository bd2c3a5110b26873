// An offline schema check of Kubernetes manifests, in the manner of `kubeconform -strict` (not
// reachable here): each YAML document is checked by kubernetes-models' validator for its apiVersion
// and kind (compiled with ajv from the Kubernetes OpenAPI schema: types, required fields, enums),
// and any field that validator never read is refused as unknown. The OpenAPI schema leaves unknown
// fields to the API server (which drops them, or refuses them under strict field validation): a
// misspelt `replica:` or `imagePullPolcy:` would otherwise pass every check and do nothing.
import { parseAllDocuments } from 'yaml'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'

interface Validated { prototype: { validate: () => void } }

/** The kinds the manifests may use, by `apiVersion kind`. */
const MODELS: ReadonlyMap<string, Validated> = new Map<string, Validated>([
  ['apps/v1 Deployment', Deployment],
  ['v1 Service', Service],
  ['v1 ConfigMap', ConfigMap],
  ['v1 Secret', Secret],
  ['v1 PersistentVolumeClaim', PersistentVolumeClaim],
  ['policy/v1 PodDisruptionBudget', PodDisruptionBudget],
  ['networking.k8s.io/v1 NetworkPolicy', NetworkPolicy]
])

/** The documents of a multi-document YAML text, as plain values; a YAML error throws. */
export function yamlDocuments (text: string): unknown[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors.map((e) => e.message).join('; ')}`)
    return doc.toJS() as unknown
  }).filter((doc) => doc !== null)
}

/** A deep copy of `value` whose reads of own properties are recorded (as JSON Pointers) in `read`. */
function recorded (value: unknown, pointer: string, read: Set<string>): unknown {
  if (value === null || typeof value !== 'object') return value
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {}
  for (const [key, child] of Object.entries(value)) (copy as Record<string, unknown>)[key] = recorded(child, `${pointer}/${key}`, read)
  return new Proxy(copy, {
    get (target, key, receiver) {
      if (typeof key === 'string' && Object.hasOwn(target, key)) read.add(`${pointer}/${key}`)
      return Reflect.get(target, key, receiver) as unknown
    }
  })
}

function pointers (value: unknown, pointer: string, out: string[]): string[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      out.push(`${pointer}/${key}`)
      pointers(child, `${pointer}/${key}`, out)
    }
  }
  return out
}

/** The schema violations of one manifest document (empty when it is valid). */
export function manifestViolations (doc: unknown): string[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return ['not a mapping']
  const { apiVersion, kind } = doc as { apiVersion?: unknown, kind?: unknown }
  const model = MODELS.get(`${String(apiVersion)} ${String(kind)}`)
  if (model === undefined) return [`no schema for apiVersion ${String(apiVersion)} kind ${String(kind)}`]
  const read = new Set<string>()
  const violations: string[] = []
  try {
    // The model's own validate, run on the recording copy instead of a model instance (which
    // would read every field while copying it).
    model.prototype.validate.call(recorded(doc, '', read))
  } catch (err) {
    violations.push((err as Error).message)
  }
  // Unknown fields are only meaningful once the rest is valid (a failing validator stops reading).
  if (violations.length === 0) {
    for (const pointer of pointers(doc, '', [])) {
      const parent = pointer.slice(0, pointer.lastIndexOf('/'))
      // Only the outermost unknown field: its children were never read either.
      if (!read.has(pointer) && (parent === '' || read.has(parent))) violations.push(`${pointer}: unknown field`)
    }
  }
  return violations
}
