// Error text reduced to its exception, on real samples: Python tracebacks and JVM stack traces made by the
// runtimes themselves, JavaScript stacks of real errors, Go crash output copied from real programs.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { errorFromText } from '../lib/shape/error-text.js'
import { formatMessage } from '../lib/shape/message.js'
import { installed } from './helpers/runtime.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'error-text')

const hasPython = installed('python3', '--version')
const hasJava = installed('java', '-version')

async function run (command: string, args: string[]): Promise<{ ok: boolean, stdout: string, stderr: string }> {
  return await new Promise(resolve => {
    execFile(command, args, { cwd: FIXTURES, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ ok: err === null || typeof (err as { code?: unknown }).code === 'number', stdout, stderr })
    })
  })
}

t.test('Python tracebacks, as python3 formats them', { skip: hasPython ? false : 'python3 is not installed' }, async t => {
  const result = await run('python3', ['python_samples.py', 'samples'])
  t.ok(result.ok, result.stderr)
  const samples: Record<string, string> = JSON.parse(result.stdout)
  t.same(errorFromText(samples.plain), { type: 'ValueError', message: 'Exception text.' })
  t.same(errorFromText(samples.during_handling), { type: 'RuntimeError', message: 'spec is missing' },
    'the last exception printed is the one raised; the one it interrupted is left out')
  t.same(errorFromText(samples.direct_cause), { type: 'ReconcileError', message: "could not read replicas: invalid literal for int() with base 10: 'three'" },
    'a cause named with `raise ... from` follows the message, as err.cause does on the pino path')
  t.same(errorFromText(samples.group), { type: 'ExceptionGroup', message: '2 handlers failed (2 sub-exceptions): ValueError: bad size; TypeError: no image' })
  t.same(errorFromText(samples.big_group), { type: 'ExceptionGroup', message: 'many (20 sub-exceptions): ValueError: bad 0; ValueError: bad 1; ValueError: bad 2; and 17 more' })
  t.same(errorFromText(samples.nested_group), { type: 'ExceptionGroup', message: 'outer (2 sub-exceptions): ValueError: one; ExceptionGroup: inner (1 sub-exception)' })
  t.same(errorFromText(samples.multi_line), { type: 'ReconcileError', message: 'first line\n  second line' })
  t.same(errorFromText(samples.no_message), { type: 'KeyError', message: '' })
  t.same(errorFromText(samples.recursion), { type: 'RecursionError', message: 'maximum recursion depth exceeded' })
  t.equal(formatMessage('Some exception:', { ...errorFromText(samples.plain) }), 'Some exception: Exception text.', "Kopf's own wording")
  t.equal(formatMessage('Some exception:', { ...errorFromText(samples.multi_line) }), 'Some exception: first line second line')

  const huge = samples.plain.replace('Traceback (most recent call last):\n', 'Traceback (most recent call last):\n' + '  File "x.py", line 1, in f\n    f()\n'.repeat(40_000))
  t.ok(huge.length > 1_000_000)
  t.same(errorFromText(huge), { type: 'ValueError', message: 'Exception text.' }, 'a traceback of a million characters: its end is read')
})

t.test('JVM stack traces, as java prints them', { skip: hasJava ? false : 'java is not installed' }, async t => {
  const result = await run('java', ['ErrorSamples.java'])
  const samples = result.stdout.split('=====\n').filter(sample => sample.trim() !== '')
  t.same(samples.map(errorFromText), [
    { type: 'IllegalStateException', message: 'Exception text.' },
    { type: 'ReconcileException', message: 'could not reconcile demo-pod: disk full' },
    { type: 'UncheckedIOException', message: 'java.io.IOException: disk full' },
    { type: 'IllegalArgumentException', message: 'first line\nsecond line' },
    { type: 'RuntimeException', message: 'with suppressed' }
  ], 'the thrown exception by its simple class name, then its Caused-by chain said once; suppressed ones left out')
  t.match(result.stderr, /^Exception in thread "main" java\.lang\.IllegalStateException: uncaught\n\tat /)
  t.same(errorFromText(result.stderr), { type: 'IllegalStateException', message: 'uncaught' }, "the JVM's report of an uncaught exception")
})

t.test('JavaScript stacks of real errors', async t => {
  const stackOf = (err: Error): string => err.stack ?? ''
  t.same(errorFromText(stackOf(new TypeError('boom'))), { type: 'TypeError', message: 'boom' })
  t.same(errorFromText(stackOf(new Error('two\nlines'))), { type: 'Error', message: 'two\nlines' })
  t.same(errorFromText(stackOf(new RangeError())), { type: 'RangeError', message: '' })
  class ReconcileError extends Error { override name = 'ReconcileError' }
  t.same(errorFromText(stackOf(new ReconcileError('no pods'))), { type: 'ReconcileError', message: 'no pods' })
  const coded = await new Promise<Error>(resolve => {
    try {
      Buffer.alloc(-1)
    } catch (err) {
      resolve(err as Error)
    }
  })
  t.match(stackOf(coded), /^RangeError \[ERR_OUT_OF_RANGE\]: /)
  t.same(errorFromText(stackOf(coded)), { type: 'RangeError', message: (coded as Error).message }, "Node's error code is not part of the type")
  const rejected: Error = await Promise.all([Promise.reject(new Error('inner'))]).then(() => new Error('not rejected'), (err: Error) => err)
  t.same(errorFromText(stackOf(rejected)), { type: 'Error', message: 'inner' }, 'async frames')
})

t.test('what loggers add around a trace', async t => {
  t.same(errorFromText('Reconcile of demo-pod failed\nTraceback (most recent call last):\n  File "h.py", line 3, in f\n    g()\nValueError: bad'),
    { type: 'ValueError', message: 'bad' }, 'text before a Python traceback')
  t.same(errorFromText('org.example.ReconcileException: no pods\n\tat org.example.Op.run(Op.java:12) ~[op.jar:1.0]\n\tat java.base/java.lang.Thread.run(Thread.java:833) [na:na]'),
    { type: 'ReconcileException', message: 'no pods' }, "logback's packaging data after the frames")
})

t.test('Go crash output, copied from real programs', async t => {
  const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')
  t.same(errorFromText(fixture('go-panic-string.txt')), { type: 'Panic', message: 'bar' })
  t.same(errorFromText(fixture('go-nil-pointer.txt')), { type: 'Panic', message: 'runtime error: invalid memory address or nil pointer dereference' })
  t.same(errorFromText(fixture('go-goroutines.txt')), { type: 'Panic', message: 'runtime error: invalid memory address or nil pointer dereference' })
  t.same(errorFromText(fixture('go-fatal-error.txt')), { type: 'FatalError', message: 'concurrent map writes' })
  t.same(errorFromText(fixture('go-recovered.txt')), { type: 'Panic', message: 'runtime error: invalid memory address or nil pointer dereference' },
    'the panic that ended the program')
})

t.test('text of no known shape is kept as it is', async t => {
  for (const text of [
    'dial tcp 10.0.0.1:443: connect: connection refused',
    'panic: runtime error: index out of range [recovered]',
    'Error: not a stack\nsecond line',
    'Meeting: Tuesday\n    at noon',
    'Traceback (most recent call last):\n  File "x.py", line 1\n',
    '   ',
    ''
  ]) {
    t.same(errorFromText(text), { message: text }, JSON.stringify(text))
  }
  t.same(errorFromText(42 as unknown as string), { message: '' }, 'not text at all')
})

t.test('hostile text costs bounded work', async t => {
  const kept = (text: string): [string, object] => [text, { message: text }]
  const inputs: Array<[string, object]> = [
    kept('a$'.repeat(5_000_000)),
    kept('Caused by: x\n'.repeat(1_000_000)),
    kept('Error: x\n' + '    at '.repeat(2_000_000)),
    ['panic: x\n' + '\tpanic: y\n'.repeat(1_000_000), { type: 'Panic', message: 'y' }],
    kept('Traceback (most recent call last):\n' + '  + Exception Group Traceback (most recent call last):\n'.repeat(200_000)),
    kept('java.lang.IllegalStateException: ' + ':1'.repeat(3_000_000) + '\n\tat x'),
    ['java.lang.IllegalStateException: boom\n\tat A.b(A.java:1)\n' + '\tat A.c(A.java:2)\n'.repeat(100_000) + 'Caused by: java.io.IOException: far away\n\tat A.d(A.java:3)\n',
      { type: 'IllegalStateException', message: 'boom' }]
  ]
  for (const [text, expected] of inputs) {
    const started = process.cpuUsage()
    const result = errorFromText(text)
    const used = process.cpuUsage(started)
    t.same(result, expected, `${text.slice(0, 20)}…`)
    t.comment(`${text.length} characters: ${Math.round((used.user + used.system) / 1000)} ms of CPU`)
  }
})
