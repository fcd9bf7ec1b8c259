import t from 'tap'
import { isEventObject, toReferences, MAX_REFERENCES_PER_LINE } from '../lib/shape/reference.js'
import { k8sObjectSerializer, serializers } from '../lib/serializer.js'

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'demo-pod',
    namespace: 'lab',
    uid: 'a1b2c3',
    resourceVersion: '42',
    labels: { app: 'demo' },
    managedFields: [{ manager: 'kubectl' }]
  },
  spec: { containers: [{ name: 'main', image: 'nginx' }] },
  status: { phase: 'Running' }
}

t.test('an object body → its reference, exactly as on the object', async t => {
  const { refs, problems } = toReferences(pod)
  t.same(problems, [])
  t.strictSame(refs, [{ apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'a1b2c3' }])
})

t.test('an object reference keeps its fieldPath', async t => {
  const { refs } = toReferences({ apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u', fieldPath: 'spec.containers{main}' })
  t.strictSame(refs, [{ apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'u', fieldPath: 'spec.containers{main}' }])
})

t.test('no uid → no uid key; cluster-scoped → namespace \'\'', async t => {
  const { refs } = toReferences({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } })
  t.strictSame(refs, [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', namespace: '' }])
  t.notOk(Object.hasOwn(refs[0], 'uid'))
  t.strictSame(toReferences({ apiVersion: 'example.com/v1alpha1', kind: 'Cluster', name: 'c', namespace: null, uid: '' }).refs,
    [{ apiVersion: 'example.com/v1alpha1', kind: 'Cluster', name: 'c', namespace: '' }])
})

t.test('a list → one reference each', async t => {
  const { refs, problems } = toReferences([pod, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'lab' }])
  t.same(problems, [])
  t.same(refs.map(ref => ref.name), ['demo-pod', 'web'])
  t.same(toReferences([]), { refs: [], problems: [] })
})

t.test('a binding without apiVersion, kind or name: no reference, the problem says what is missing and the key', async t => {
  const { refs, problems } = toReferences({ metadata: { namespace: 'lab' } }, 'k8sObject')
  t.same(refs, [])
  t.same(problems, ["the 'k8sObject' binding has no apiVersion, kind, metadata.name (each must be a non-empty string), so no event can name its object"])
  t.match(toReferences({ apiVersion: 'v1', kind: 'Pod' }, 'meta.object').problems[0], /the 'meta\.object' binding has no name/)
  t.match(toReferences({ apiVersion: 'v1', kind: 'Pod', name: 7 }).problems[0], /has no name/)
})

t.test('bindings of the wrong type: no reference, a clear problem', async t => {
  for (const binding of ['demo-pod', 42, null, true]) {
    const { refs, problems } = toReferences(binding)
    t.same(refs, [])
    t.equal(problems.length, 1)
    t.match(problems[0], /^the 'k8sObject' binding is .+, not a Kubernetes object or object reference$/)
  }
})

t.test('a list with junk: the valid items still count, the junk is explained briefly', async t => {
  const junk = ['x', 1, null, [pod], {}, { kind: 'Pod' }]
  const { refs, problems } = toReferences([pod, ...junk])
  t.equal(refs.length, 1)
  t.equal(problems.length, 4)
  t.match(problems[0], /item 1 of the 'k8sObject' binding is "x", not a Kubernetes object/)
  t.match(problems[2], /item 3 of the 'k8sObject' binding is null/)
  t.equal(problems[3], "3 more items of the 'k8sObject' binding are not valid either")
  t.match(toReferences([[pod]]).problems[0], /is a nested list/)
})

t.test('a list is capped at 100 references per line', async t => {
  const many = Array.from({ length: 250 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', name: `p${i}`, namespace: 'lab' }))
  const { refs, problems } = toReferences(many)
  t.equal(refs.length, MAX_REFERENCES_PER_LINE)
  t.equal(refs[99].name, 'p99')
  t.same(problems, ["the 'k8sObject' binding lists 250 objects; only the first 100 get events"])
})

t.test('absurd values make the reference invalid, with the reason', async t => {
  const base = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'lab', uid: 'u' }
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ name: 'n'.repeat(254) }, /name is 254 characters long, at most 253/],
    [{ name: 'bad\nname' }, /name "bad\\nname" contains control characters/],
    [{ namespace: 'Lab' }, /namespace "Lab" is not a namespace name: it must consist of lower case/],
    [{ namespace: 'n'.repeat(64) }, /namespace "n+(\.\.\.|") is not a namespace name: it is 64 characters long/],
    [{ namespace: 3 }, /namespace is 3, not a string/],
    [{ uid: 'u'.repeat(129) }, /uid is 129 characters long, at most 128/],
    [{ uid: 'u\u0000' }, /uid .* contains control characters/],
    [{ kind: 'Pod Thing' }, /kind "Pod Thing" is not a kind name/],
    [{ kind: 'K'.repeat(64) }, /kind "K+(\.\.\.|") is not a kind name/],
    [{ apiVersion: 'v 1' }, /apiVersion "v 1" is not an API version/],
    [{ apiVersion: 'Apps/v1' }, /apiVersion "Apps\/v1" is not an API version/],
    [{ apiVersion: 'a/b/c' }, /apiVersion "a\/b\/c" is not an API version/],
    [{ apiVersion: '/v1' }, /apiVersion "\/v1" is not an API version/],
    [{ fieldPath: 'spec\u0007' }, /fieldPath .* contains control characters/],
    [{ fieldPath: 'f'.repeat(1025) }, /fieldPath is 1025 characters long/]
  ]
  for (const [change, pattern] of cases) {
    const { refs, problems } = toReferences({ ...base, ...change })
    t.same(refs, [], JSON.stringify(change).slice(0, 60))
    t.match(problems[0], /^the 'k8sObject' binding is not a valid object reference: /)
    t.match(problems[0], pattern)
  }
  t.equal(toReferences({ ...base, apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', name: 'Any Name: is fine' }).refs.length, 1,
    'names of some kinds hold spaces and capitals: only absurd ones are refused')
})

t.test('only own properties are read: __proto__ and constructor in JSON are no data and pollute nothing', async t => {
  const viaPrototype = JSON.parse('{"__proto__": {"apiVersion": "v1", "kind": "Pod", "name": "ghost"}}')
  t.same(toReferences(viaPrototype).refs, [])
  const withConstructor = JSON.parse('{"apiVersion": "v1", "kind": "Pod", "constructor": {"name": "x"}, "metadata": {"__proto__": {"name": "ghost"}}}')
  const { refs, problems } = toReferences(withConstructor)
  t.same(refs, [])
  t.match(problems[0], /has no metadata\.name/)
  t.equal(({} as Record<string, unknown>).name, undefined)
  const inherited = Object.create({ apiVersion: 'v1', kind: 'Pod', name: 'ghost' })
  t.same(toReferences(inherited).refs, [])
})

t.test('a throwing getter is a problem, not a throw', async t => {
  const hostile = { apiVersion: 'v1', kind: 'Pod', get name (): string { throw new Error('nope') } }
  const { refs, problems } = toReferences(hostile)
  t.same(refs, [])
  t.match(problems[0], /could not be read: "nope"/)
})

t.test('Events about Events: core v1 and events.k8s.io', async t => {
  t.ok(isEventObject({ apiVersion: 'v1', kind: 'Event' }))
  t.ok(isEventObject({ apiVersion: 'events.k8s.io/v1', kind: 'Event' }))
  t.ok(isEventObject({ apiVersion: 'events.k8s.io/v1beta1', kind: 'Event' }))
  t.notOk(isEventObject({ apiVersion: 'example.com/v1', kind: 'Event' }))
  t.notOk(isEventObject({ apiVersion: 'v1', kind: 'Pod' }))
})

t.test('the serializer trims a body to its reference', async t => {
  t.strictSame(k8sObjectSerializer(pod), { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'a1b2c3' })
  t.strictSame(k8sObjectSerializer({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', namespace: '' } }), { apiVersion: 'v1', kind: 'Node', name: 'n1' })
  t.equal(serializers.k8sObject, k8sObjectSerializer)
})

t.test('the serializer trims a reference and keeps its fieldPath', async t => {
  const ref = { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'lab', uid: 'u', fieldPath: 'spec.containers{main}', resourceVersion: '7' }
  t.strictSame(k8sObjectSerializer(ref), { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'lab', uid: 'u', fieldPath: 'spec.containers{main}' })
})

t.test('the serializer trims lists, and its output is a valid binding', async t => {
  const trimmed = k8sObjectSerializer([pod, 'junk'])
  t.strictSame(trimmed, [{ apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'a1b2c3' }, 'junk'])
  t.same(toReferences(JSON.parse(JSON.stringify(trimmed))).refs, toReferences([pod, 'junk']).refs)
})

t.test('the serializer passes through what it does not understand and never throws', async t => {
  for (const value of [undefined, null, 'text', 42, { foo: 1 }, { kind: 'Pod' }, { kind: 'Pod', metadata: { name: 3 } }]) {
    t.equal(k8sObjectSerializer(value), value)
  }
  const hostile = { get kind (): string { throw new Error('nope') } }
  t.equal(k8sObjectSerializer(hostile), hostile)
})

t.test('the serializer works inside pino', async t => {
  const { default: pino } = await import('pino')
  const lines: string[] = []
  const logger = pino({ serializers }, { write: (line: string) => { lines.push(line) } })
  logger.child({ k8sObject: pod }).info('hello')
  const line = JSON.parse(lines[0])
  t.strictSame(line.k8sObject, { apiVersion: 'v1', kind: 'Pod', name: 'demo-pod', namespace: 'lab', uid: 'a1b2c3' })
})
