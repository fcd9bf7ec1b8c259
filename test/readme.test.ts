// The README's code, as a reader copies it: every JavaScript and TypeScript block type-checks against the package's
// declarations, the blocks marked `run` run against the local API server and `kubectl describe` shows the output
// printed under them, the command lines use flags and scripts that exist, and the links lead somewhere.
import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { parseAllDocuments } from 'yaml'
import { startApiServer } from './apiserver/server.js'
import { kubectlAvailable, kubectlOrFail } from './apiserver/kubectl.js'

const root = process.cwd()
const readme = readFileSync(join(root, 'README.md'), 'utf8')

interface Block { lang: string, code: string, directive: string, line: number, output?: string }

/** Fenced blocks with the `<!-- test: … -->` comment just above them and the plain block just after them. */
function blocks (markdown: string): Block[] {
  const lines = markdown.split('\n')
  const found: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)$/.exec(lines[i])
    if (fence === null) continue
    const end = lines.indexOf('```', i + 1)
    const directive = /^<!-- test: (.*) -->$/.exec(lines[i - 1] ?? '')?.[1] ?? ''
    found.push({ lang: fence[1], code: lines.slice(i + 1, end).join('\n') + '\n', directive, line: i + 1 })
    i = end
  }
  for (let i = 0; i + 1 < found.length; i++) if (found[i + 1].lang === '' && found[i].lang !== '') found[i].output = found[i + 1].code
  return found
}

const all = blocks(readme)
const code = all.filter(block => block.lang === 'js' || block.lang === 'ts')

/** Names a block uses without defining them, as `given body (…) and err (…)` says. */
function given (block: Block): string[] {
  return /given (.*)$/.exec(block.directive)?.[1].split(/,| and /).map(part => part.trim().split(' ')[0]).filter(name => name !== '') ?? []
}

t.test('every JavaScript and TypeScript block type-checks against the package as published', async t => {
  t.ok(code.length >= 5, `${code.length} blocks`)
  const files: Record<string, string> = {
    'given.d.ts': 'declare var body: any\ndeclare var err: Error\n'
  }
  for (const block of code) files[`block-${block.line}.${block.lang === 'ts' ? 'mts' : 'mjs'}`] = block.code
  const dir = t.testdir(files)
  for (const block of code) {
    const file = join(dir, `block-${block.line}.${block.lang === 'ts' ? 'mts' : 'mjs'}`)
    const program = ts.createProgram([join(dir, 'given.d.ts'), file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2023,
      allowJs: true,
      checkJs: true,
      strict: block.lang === 'ts',
      noEmit: true,
      skipLibCheck: true,
      types: ['node']
    })
    const diagnostics = ts.getPreEmitDiagnostics(program).map(d => {
      const at = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0
      return `line ${block.line + at}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
    })
    t.same(diagnostics, [], `the ${block.lang} block at README line ${block.line}`)
  }
})

/** Each `$ kubectl describe …` in an output block, with its rows as Type, Reason, From, Message (no Age), sorted. */
function describes (output: string): Array<{ args: string[], rows: string[][] }> {
  return output.split(/^\$ /m).filter(part => part.trim() !== '').map(part => {
    const [command, ...rest] = part.split('\n')
    return { args: command.trim().split(/\s+/).slice(1), rows: eventRows(rest.join('\n')) }
  })
}

function eventRows (describe: string): string[][] {
  const lines = describe.split('\n')
  const start = lines.findIndex(line => line.startsWith('Events:'))
  if (start < 0) return []
  return lines.slice(start + 3).filter(line => line.trim() !== '')
    .map(line => line.trim().split(/\s{2,}/)).map(([type, reason, , from, message]) => [type, reason, from, message]).sort()
}

const skip = kubectlAvailable() ? false : 'kubectl is not on PATH'

/** Runs a block as a module of its own in a directory of this package, where 'pino-k8s-events' names the package. */
function startBlock (t: Test, source: string, env: NodeJS.ProcessEnv): { exited: Promise<[number | null, string | null]>, out: () => string, kill: (signal: NodeJS.Signals) => void } {
  const dir = t.testdir({ 'block.mjs': source })
  const child = spawn(process.execPath, [join(dir, 'block.mjs')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const exited = once(child, 'close') as Promise<[number | null, string | null]>
  t.teardown(() => { child.kill('SIGKILL') })
  return { exited, out: () => out, kill: signal => child.kill(signal) }
}

t.test('the first example: its three calls make the Events printed under it', { skip }, async t => {
  const block = code.find(block => block.directive.startsWith('run, given'))
  if (block?.output === undefined) return t.fail('a block marked run, with its output')
  const server = await startApiServer()
  t.teardown(() => server.close())
  await server.createNamespace('demo')
  const kubeconfig = server.kubeconfig({ namespace: 'demo' })
  const body = await server.createObject({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-1', namespace: 'demo' }, spec: {} })
  t.same(given(block), ['body', 'err'])
  const prelude = 'const body = JSON.parse(process.env.README_BODY)\nconst err = new Error(\'Exception text.\')\n'
  const app = startBlock(t, prelude + block.code, { KUBECONFIG: kubeconfig, README_BODY: JSON.stringify(body) })
  const [status] = await app.exited
  t.equal(status, 0, app.out())
  t.equal(app.out(), '', 'nothing on stdout or stderr')
  for (const { args, rows } of describes(block.output)) {
    t.ok(rows.length > 0, `rows under kubectl ${args.join(' ')}`)
    t.same(eventRows(await kubectlOrFail(args, kubeconfig)), rows, `kubectl ${args.join(' ')}`)
  }
  // Finding the Events: kubectl events takes only Normal and Warning; a field selector finds the Error ones.
  t.match(readme, '`kubectl get events --field-selector type=Error`')
  const errors = await kubectlOrFail(['get', 'events', '--field-selector', 'type=Error', '-o', 'jsonpath={.items[*].reason}'], kubeconfig)
  t.equal(errors, 'SyncFailed')
  const typesError = spawnSync('kubectl', ['events', '--types', 'Error'], { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8' })
  t.not(typesError.status, 0, `kubectl events --types Error is refused: ${typesError.stderr.trim()}`)
})

t.test('the operator runs as written, shows the Events printed under it, and exits 0 on SIGTERM', { skip }, async t => {
  const block = code.find(block => block.directive === 'run as an operator')
  if (block?.output === undefined) return t.fail('a block marked run as an operator, with its output')
  const server = await startApiServer()
  t.teardown(() => server.close())
  await server.createNamespace('demo')
  const kubeconfig = server.kubeconfig({ namespace: 'demo' })
  const operator = startBlock(t, block.code, { KUBECONFIG: kubeconfig })
  await kubectlOrFail(['create', '-f', '-'], kubeconfig, JSON.stringify({ apiVersion: 'kopf.dev/v1', kind: 'KopfExample', metadata: { name: 'kopf-example-1' }, spec: {} }))
  const expected = describes(block.output)
  const lastMessage = expected.flatMap(({ rows }) => rows.map(row => row[3]))
  // Every line the Events come from is on stdout before SIGTERM: the Events themselves may still be pending.
  const logged = (): boolean => lastMessage.every(message => operator.out().includes(JSON.stringify(message).slice(1, -1)))
  while (!logged()) {
    const ended = await Promise.race([operator.exited.then(() => true), new Promise(resolve => setTimeout(resolve, 100, false))])
    if (ended === true) return t.fail(`the operator ended early: ${operator.out()}`)
  }
  operator.kill('SIGTERM')
  const [status, signal] = await operator.exited
  t.same({ status, signal }, { status: 0, signal: null }, 'SIGTERM ends it through process.exit(0)')
  t.notMatch(operator.out(), /"level":50/, 'no error logged')
  for (const { args, rows } of expected) {
    t.ok(rows.length > 0, `rows under kubectl ${args.join(' ')}`)
    t.same(eventRows(await kubectlOrFail(args, kubeconfig)), rows, `kubectl ${args.join(' ')}`)
  }
})

t.test('the command lines use flags the command has and scripts the package has', async t => {
  const help = spawnSync(process.execPath, [join(root, 'dist', 'lib', 'cli', 'main.js'), '--help'], { encoding: 'utf8' }).stdout
  const scripts = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts)
  const docs = ['README.md', ...['command-line.md', 'development.md', 'performance.md'].map(file => join('docs', file))]
  for (const file of docs) {
    for (const block of blocks(readFileSync(join(root, file), 'utf8')).filter(block => block.lang === 'sh')) {
      for (const line of block.code.split('\n')) {
        for (const [, script] of line.matchAll(/npm (?:run|test)\b ?([\w:-]*)/g)) t.ok(script === '' || scripts.includes(script), `npm ${script === '' ? 'test' : `run ${script}`} (${file})`)
        if (!/pino-k8s-events --|pino-k8s-events \\/.test(line) && !line.trimStart().startsWith('--')) continue
        for (const [flag] of line.replace(/^.*pino-k8s-events/, '').matchAll(/--[a-z-]+/g)) t.ok(help.includes(flag), `${flag} is in --help (${file})`)
      }
    }
  }
})

t.test('the RBAC manifest grants what the transport uses', async t => {
  const block = all.find(block => block.lang === 'yaml')
  if (block === undefined) return t.fail('a yaml block')
  const [role, binding] = parseAllDocuments(block.code).map(doc => doc.toJS())
  t.equal(role.kind, 'ClusterRole')
  t.same(role.rules, [{ apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'get'] }])
  t.equal(binding.kind, 'ClusterRoleBinding')
  t.same(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name })
})

t.test('the README\'s and docs\' relative links lead to files that exist', async t => {
  for (const file of ['README.md', ...readdirSync(join(root, 'docs')).filter(name => name.endsWith('.md')).map(name => `docs/${name}`)]) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const [, target] of text.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)) {
      const path = join(root, file.includes('/') ? 'docs' : '', target)
      t.ok(existsSync(path), `${file} → ${target}`)
    }
  }
})
