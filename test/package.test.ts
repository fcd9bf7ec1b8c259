// What the published package is: the files of its tarball, and how its entry points load in applications that have
// winston, only winston, or only pino, from ES modules and from CommonJS.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MISSING_WINSTON } from '../lib/winston/transport-stream.js'

const root = process.cwd()
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

t.test('the tarball holds the compiled entry points and declarations, and no source maps', async t => {
  // --ignore-scripts: no rebuild while other tests use dist/; the suite's build made it.
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })
  t.equal(pack.status, 0, pack.stderr)
  const files: string[] = JSON.parse(pack.stdout)[0].files.map((file: { path: string }) => file.path)
  t.same(files.filter(file => file.endsWith('.map')), [], 'no source maps (they would point at sources not shipped)')
  const unexpected = files.filter(file => !/^(dist\/lib\/.+\.js|types\/[a-z-]+\.d\.ts|package\.json|README\.md|LICENSE)$/.test(file))
  t.same(unexpected, [], 'only compiled JavaScript, declarations, the manifest, README and licence')
  const entryPoints = [
    manifest.main, manifest.types, ...Object.values(manifest.bin),
    ...Object.values(manifest.exports).flatMap(target => typeof target === 'string' ? [target] : Object.values(target as object)),
    ...Object.values(manifest.typesVersions['*']).flat()
  ].map(path => String(path).replace(/^\.\//, ''))
  for (const path of new Set(entryPoints)) t.ok(files.includes(path), `${path} is in the tarball`)
})

t.test('winston and winston-transport are optional peers, not dependencies', async t => {
  t.notOk('winston-transport' in manifest.dependencies)
  t.notOk('winston' in manifest.dependencies)
  t.same(manifest.peerDependenciesMeta, { winston: { optional: true }, 'winston-transport': { optional: true } })
})

/**
 * An application directory outside this repository with the package copied (not linked: a link would reach this
 * repository's node_modules) and its dependencies linked, without the `absent` ones.
 */
function appWith (absent: string[]): string {
  const app = mkdtempSync(join(tmpdir(), 'pino-k8s-events-app-'))
  const modules = join(app, 'node_modules')
  mkdirSync(join(modules, 'pino-k8s-events', 'dist'), { recursive: true })
  cpSync(join(root, 'dist', 'lib'), join(modules, 'pino-k8s-events', 'dist', 'lib'), { recursive: true })
  cpSync(join(root, 'package.json'), join(modules, 'pino-k8s-events', 'package.json'))
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name.startsWith('.') || name === 'pino-k8s-events' || absent.includes(name)) continue
    symlinkSync(join(root, 'node_modules', name), join(modules, name))
  }
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n')
  t.teardown(() => rmSync(app, { recursive: true, force: true }))
  return app
}

function run (app: string, file: string, source: string): { status: number | null, stdout: string, stderr: string } {
  writeFileSync(join(app, file), source)
  return spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8' })
}

t.test('CommonJS applications require() both entry points', async t => {
  const app = appWith([])
  const out = run(app, 'app.cjs', `
    const { serializers, checkOptions } = require('pino-k8s-events')
    const { K8sEventsTransport } = require('pino-k8s-events/winston')
    console.log(typeof serializers.k8sObject, typeof checkOptions, typeof K8sEventsTransport)
  `)
  t.equal(out.status, 0, out.stderr)
  t.equal(out.stdout.trim(), 'function function function')
  t.equal(out.stderr, '', 'no warning either')
})

t.test('a pino-only application: the pino entry loads, the winston entry says what to install', async t => {
  const app = appWith(['winston', 'winston-transport'])
  const pinoEntry = run(app, 'pino.mjs', `
    const { serializers } = await import('pino-k8s-events')
    console.log(typeof serializers.k8sObject)
  `)
  t.equal(pinoEntry.status, 0, pinoEntry.stderr)
  t.equal(pinoEntry.stdout.trim(), 'function')
  const winstonEntry = run(app, 'winston.mjs', `
    try {
      await import('pino-k8s-events/winston')
      console.log('loaded')
    } catch (err) {
      console.log(err.message)
    }
  `)
  t.equal(winstonEntry.status, 0, winstonEntry.stderr)
  t.equal(winstonEntry.stdout.trim(), MISSING_WINSTON)
})

t.test('winston installed without winston-transport beside it (a strict installer): taken from beside winston', async t => {
  const app = appWith(['winston-transport'])
  const out = run(app, 'app.mjs', `
    const winston = (await import('winston')).default
    const { K8sEventsTransport } = await import('pino-k8s-events/winston')
    const transport = new K8sEventsTransport({ component: 'my-operator' })
    console.log(transport instanceof winston.Transport, typeof winston.createLogger)
    await transport.close()
  `)
  t.equal(out.status, 0, out.stderr)
  t.equal(out.stdout.trim(), 'true function', 'the base class is the one winston itself uses')
})
