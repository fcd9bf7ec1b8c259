// Hostile input written raw into pino's transport stream, bypassing pino's serialization: malformed and
// non-object JSON, invalid UTF-8, a 10 MB line, deep nesting, __proto__ and constructor keys, bindings of the
// wrong type, absurd names, uids and namespaces, interleaved with valid lines. The worker must carry on, post
// exactly the valid lines' events with exact counts, and tell about the rest in a few rate-limited lines.
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startApiServer, type LocalApiServer } from './apiserver/server.js'
import { diagnosticLines, startApp } from './helpers/app-process.js'

const NAMESPACE = 'hostile'
const NEEDLE = '"k8sObject"'

type Kind = 'valid' | 'invalid-line' | 'invalid-binding' | 'ignored'

/** The lines to write, and what each must come to: an event, a counted invalid line or binding, or nothing. */
class HostileStream {
  readonly lines: Buffer[] = []
  invalidLines = 0
  invalidBindings = 0
  /** `${object name}|${reason}|${message}` → occurrences */
  readonly events = new Map<string, number>()

  add (line: string | Buffer, kind: Kind, event?: { name: string, reason: string, message: string }): void {
    const bytes = typeof line === 'string' ? Buffer.from(line) : line
    if (bytes.includes(0x0a)) throw new Error('a hostile line must be one line')
    this.lines.push(bytes)
    if (kind === 'invalid-line') this.invalidLines++
    if (kind === 'invalid-binding') this.invalidBindings++
    if (kind === 'valid') {
      if (event === undefined) throw new Error('a valid line needs its event')
      const key = `${event.name}|${event.reason}|${event.message}`
      this.events.set(key, (this.events.get(key) ?? 0) + 1)
    }
  }
}

const pod = (name: string): Record<string, unknown> =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE, uid: `uid-${name}` } })

/** A line as pino writes it, at warn. */
const pinoLine = (fields: Record<string, unknown>): string =>
  JSON.stringify({ level: 40, time: Date.now(), pid: 4242, hostname: 'box', ...fields })

const nestedArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)
const nestedObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)

// Keys whose values, were they to leak through a polluted prototype, would show in the Event.
const POLLUTION = { polluted: 'yes', uid: 'polluted-uid', fieldPath: 'polluted', reason: 'Polluted', type: 'Polluted', eventType: 'Polluted', namespace: 'polluted', action: 'Polluted', message: 'polluted', count: 999 }
const POLLUTION_JSON = JSON.stringify(POLLUTION)

/** Bindings that are JSON objects' own `k8sObject` but name no valid object: each must be counted and post nothing. */
function invalidBindings (): string[] {
  const valid = pod('absurd').metadata as Record<string, unknown>
  const withMetadata = (metadata: Record<string, unknown>): unknown => ({ apiVersion: 'v1', kind: 'Pod', metadata: { ...valid, ...metadata } })
  const bindings: unknown[] = [
    'pod/target', 42, null, true, {}, [1, 'a', null, {}], Array.from({ length: 1000 }, (_, i) => i % 2 === 0 ? i : 'junk'),
    { apiVersion: 1, kind: [], metadata: 'x' },
    { apiVersion: 'v1', kind: 'Pod' },
    withMetadata({ name: 'n'.repeat(300) }),
    withMetadata({ name: 'null\u0000byte' }),
    withMetadata({ name: 'new\nline' }),
    withMetadata({ namespace: 'UPPER' }),
    withMetadata({ namespace: 'n'.repeat(64) }),
    withMetadata({ namespace: 'has space' }),
    withMetadata({ namespace: '../kube-system' }),
    withMetadata({ namespace: 123 }),
    withMetadata({ uid: 'u'.repeat(200) }),
    withMetadata({ uid: 'bell\u0007' }),
    withMetadata({ uid: { nested: true } }),
    { apiVersion: 'v1', kind: 'Pod!', metadata: valid },
    { apiVersion: 'v1/../../x', kind: 'Pod', metadata: valid },
    { apiVersion: '\ud800', kind: 'Pod', metadata: valid },
    { constructor: { prototype: POLLUTION } }
  ]
  const lines = bindings.map(binding => pinoLine({ k8sObject: binding, msg: 'an invalid binding' }))
  // Parsed, these keep `__proto__` as an own key: the object behind it must not count as the binding's fields.
  lines.push(`{"level":40,"k8sObject":{"__proto__":${JSON.stringify(pod('proto-binding'))}},"msg":"fields behind __proto__"}`)
  lines.push(`{"level":40,"k8sObject":{"apiVersion":"v1","kind":"Pod","metadata":{"__proto__":{"name":"proto-name","namespace":"${NAMESPACE}"}}},"msg":"name behind __proto__"}`)
  return lines
}

/** Lines that mention the key but are not JSON objects: each must be counted as invalid. */
const INVALID_LINES = [
  '{"level":40,"k8sObject":{"apiVersion":"v1",',
  '{"level":40,"k8sObject":}',
  'plain text about "k8sObject" and nothing else',
  '{"k8sObject":{"apiVersion":"v1"}}}}}',
  '{"k8sObject":NaN}',
  '"k8sObject"',
  '["k8sObject"]',
  `[${pinoLine({ k8sObject: pod('in-an-array'), reason: 'InArray', msg: 'inside an array' })}]`
]
const DEEP_INVALID_LINE = `{"level":40,"k8sObject":${nestedArrays(5000)}`

/** Lines that are not about an object at all, or not at a level that posts: nothing counted, nothing posted. */
const IGNORED_LINES = [
  '123', 'null', 'true', '"just a string"', '[]', '{}', 'hello world', "{'k8sObject': 1}",
  `{"level":40,"__proto__":{"k8sObject":${JSON.stringify(pod('proto-top'))},"polluted":"yes"},"msg":"binding behind __proto__"}`,
  pinoLine({ nested: { k8sObject: pod('nested') }, msg: 'the binding is not at the top' }),
  pinoLine({ k8sObject: [], msg: 'an empty list names no object' }),
  JSON.stringify({ level: 10, time: Date.now(), k8sObject: pod('trace'), msg: 'below the minimum level' }),
  pinoLine({ k8sObject: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: NAMESPACE } }, msg: 'about an Event' })
]
const DEEP_IGNORED_LINE = nestedObjects(5000)

function generate (): HostileStream {
  const stream = new HostileStream()
  const valid = (name: string, reason: string, message: string): void => {
    stream.add(pinoLine({ k8sObject: pod(name), reason, msg: message }), 'valid', { name, reason, message })
  }
  const bindings = invalidBindings()
  const badUtf8 = [
    // Broken bytes where JSON syntax must be, or at the end of a cut line: not JSON once decoded.
    Buffer.concat([Buffer.from('{"level":40,"k8sObject":'), Buffer.from([0xff, 0xfe]), Buffer.from('}')]),
    Buffer.concat([Buffer.from('{"level":40,"k8sObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"'), Buffer.from([0xc3, 0x28, 0xe2, 0x82])])
  ]
  for (let i = 0; i < 25_000; i++) {
    valid('target', `Valid${i % 20}`, 'a valid line')
    stream.add(INVALID_LINES[i % INVALID_LINES.length], 'invalid-line')
    stream.add(bindings[i % bindings.length], 'invalid-binding')
    stream.add(IGNORED_LINES[i % IGNORED_LINES.length], 'ignored')
    if (i % 50 === 0) {
      stream.add(badUtf8[(i / 50) % 2], 'invalid-line')
      // Broken bytes inside a string value: decoded to U+FFFD, a valid line.
      const [before, after] = pinoLine({ k8sObject: pod('bad-bytes'), reason: 'BadBytes', msg: 'bad @ bytes' }).split('@')
      stream.add(Buffer.concat([Buffer.from(before), Buffer.from([0xff]), Buffer.from(after)]), 'valid', { name: 'bad-bytes', reason: 'BadBytes', message: 'bad \ufffd bytes' })
    }
    if (i % 500 === 0) {
      stream.add(DEEP_INVALID_LINE, 'invalid-line')
      stream.add(DEEP_IGNORED_LINE, 'ignored')
      stream.add(`{"level":40,"k8sObject":${nestedArrays(5000)},"msg":"deeply nested lists"}`, 'invalid-binding')
      stream.add(`{"level":40,"k8sObject":{"metadata":${nestedObjects(5000)}},"msg":"deeply nested metadata"}`, 'invalid-binding')
      stream.add(`{"level":40,"k8sObject":${JSON.stringify(pod('deep'))},"extra":${nestedArrays(5000)},"reason":"DeepField","msg":"deep field"}`, 'valid', { name: 'deep', reason: 'DeepField', message: 'deep field' })
      valid('proto-keys', 'ProtoKeys', 'proto keys')
      stream.add(`{"level":40,"__proto__":${POLLUTION_JSON},"constructor":{"prototype":${POLLUTION_JSON}},"k8sObject":{"__proto__":${POLLUTION_JSON},"apiVersion":"v1","kind":"Pod","metadata":{"__proto__":${POLLUTION_JSON},"name":"proto-keys","namespace":"${NAMESPACE}","uid":"uid-proto-keys"}},"reason":"ProtoKeys","msg":"proto keys"}`,
        'valid', { name: 'proto-keys', reason: 'ProtoKeys', message: 'proto keys' })
      // Fields of the wrong type: the defaults stand in.
      stream.add(pinoLine({ k8sObject: pod('odd'), reason: { nested: true }, eventType: 42, action: [], msg: 'odd fields' }), 'valid', { name: 'odd', reason: 'Logging', message: 'odd fields' })
    }
  }
  const huge = 'x'.repeat(10 * 2 ** 20)
  stream.add(`{"level":40,"k8sObject":"${huge}`, 'invalid-line')
  valid('huge', 'HugeMessage', huge)
  return stream
}

let server: LocalApiServer
let scratch: string
t.before(async () => {
  server = await startApiServer()
  await server.createNamespace(NAMESPACE)
  scratch = mkdtempSync(join(tmpdir(), 'pino-k8s-events-hostile-'))
})
t.teardown(async () => {
  await server.close()
  rmSync(scratch, { recursive: true, force: true })
})

t.test('100,000+ hostile lines through the worker: valid events exact, nothing else, few diagnostics', async t => {
  const stream = generate()
  const file = join(scratch, 'lines')
  writeFileSync(file, Buffer.concat(stream.lines.flatMap(line => [line, Buffer.from('\n')])))
  t.ok(stream.lines.length >= 100_000, `${stream.lines.length} lines`)

  const app = startApp({
    options: { kubeconfig: server.kubeconfig(), component: 'hostile-test', qps: 1000, burst: 1000, rateLimit: false },
    script: `
      const transportErrors = []
      transport.on('error', err => transportErrors.push(String(err && err.message || err)))
      const { readFileSync } = process.getBuiltinModule('node:fs')
      const content = readFileSync(${JSON.stringify(file)})
      const newline = Buffer.from('\\n')
      let start = 0
      let written = 0
      while (start < content.length) {
        const end = content.indexOf(0x0a, start)
        transport.write(Buffer.concat([content.subarray(start, end), newline]))
        start = end + 1
        if (++written % 5000 === 0) await new Promise(resolve => setTimeout(resolve, 5))
      }
      const caughtUp = await statsWhere(s => s.linesRead >= written, 60000)
      // A valid line through pino after all of it: the worker still runs, and nothing leaked into its objects.
      logger.child({ k8sObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'after-pollution', namespace: '${NAMESPACE}' } } }).warn('after the flood')
      await flushed()
      await statsWhere(s => s.linesRead === written + 1, 10000)
      report('done', {
        caughtUp,
        written,
        stats,
        transportErrors,
        polluted: ({}).polluted,
        prototypeKeys: Object.getOwnPropertyNames(Object.prototype).filter(key => !['constructor', '__defineGetter__', '__defineSetter__', 'hasOwnProperty', '__lookupGetter__', '__lookupSetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toString', 'valueOf', '__proto__', 'toLocaleString'].includes(key))
      })
      process.exit(0)
    `
  })
  const done = await app.report('done', 120_000)
  const run = await app.ended
  t.equal(run.code, 0, 'the application ended normally')
  t.same(done.transportErrors, [], "no 'error' on the transport")
  t.ok(done.caughtUp, 'the worker read every line')
  t.equal(done.written, stream.lines.length)
  t.equal(done.polluted, undefined, 'no prototype pollution in the application')
  t.same(done.prototypeKeys, [])

  const { stats } = done
  t.equal(stats.linesRead, stream.lines.length + 1)
  t.equal(stats.invalidLines, stream.invalidLines, 'every line that is not a JSON object is counted')
  t.equal(stats.invalidBindings, stream.invalidBindings, 'every invalid binding is counted')
  const validOccurrences = [...stream.events.values()].reduce((sum, count) => sum + count, 0)
  t.equal(stats.eventsObserved, validOccurrences + 1, 'an event for each valid line, none for anything else')
  t.same(Object.values(stats.dropped).filter(count => count !== 0), [], 'nothing dropped')

  const stored = server.listEvents()
  const found = new Map(stored.map(event => [`${event.involvedObject.name}|${event.reason}|${event.message}`, event.count]))
  const hugeKey = [...stream.events.keys()].find(key => key.startsWith('huge|'))
  const expected = new Map([...stream.events].filter(([key]) => key !== hugeKey))
  expected.set('after-pollution|Logging|after the flood', 1)
  const hugeEvent = stored.find(event => event.involvedObject.name === 'huge')
  found.delete(`huge|HugeMessage|${hugeEvent?.message}`)
  t.same(Object.fromEntries(found), Object.fromEntries(expected), 'exactly the valid lines\' events, with their counts')
  t.equal(hugeEvent?.count, 1, 'the 10 MB message made one event')
  t.ok(Buffer.byteLength(hugeEvent?.message ?? '') <= 1024 && /^x+/.test(hugeEvent?.message ?? ''), 'its message shortened to the API\'s limit')

  for (const event of stored) {
    const name = event.involvedObject.name
    const expectedObject = name === 'after-pollution'
      ? { apiVersion: 'v1', kind: 'Pod', name, namespace: NAMESPACE }
      : { apiVersion: 'v1', kind: 'Pod', name, namespace: NAMESPACE, uid: `uid-${name}` }
    t.same(event.involvedObject, expectedObject, `${name}: the object, and nothing from a __proto__ key`)
    t.equal(event.metadata.namespace, NAMESPACE)
    t.equal(event.type, 'Warning')
    t.equal(event.action, 'Log')
    t.equal(event.source.component, 'hostile-test')
  }
  const sent = JSON.stringify(server.requests.map(request => request.body))
  t.notMatch(sent, /polluted/i, 'no polluted value reached the API')
  t.ok(server.requests.every(request => request.path.startsWith(`/api/v1/namespaces/${NAMESPACE}/events`)), 'no request for an invalid binding')

  const lines = diagnosticLines(run.stderr)
  t.ok(lines.length >= 2 && lines.length <= 10, `diagnostics are rate-limited: ${lines.length} lines for ${stream.invalidLines + stream.invalidBindings} bad lines`)
  t.ok(lines.some(line => line.includes('not valid JSON')), 'the invalid lines are told')
  t.ok(lines.some(line => line.includes("'k8sObject' binding")), 'the invalid bindings are told')
  t.ok(run.stderr.length < 20_000, `stderr stays small (${run.stderr.length} characters)`)
  t.notMatch(run.stderr, /x{2000}/, 'a huge line is not echoed')
})
