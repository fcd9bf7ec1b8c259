// winston's levels in the pipeline's terms, and errors given as stack text.
import t from 'tap'
import winston from 'winston'
import { parseOptions } from '../lib/options.js'
import { resolveWinstonLevels } from '../lib/winston/levels.js'

function resolve (raw: Record<string, unknown>, levels: Record<string, number>): { typeOf: (label: string) => string | undefined, problems: string[] } {
  const { config, problems } = parseOptions(raw)
  const resolved = resolveWinstonLevels(config, raw, levels, problems)
  return {
    // undefined: below minLevel, nothing is posted
    typeOf: label => -levels[label] < resolved.minLevel ? undefined : resolved.typeFor(-levels[label]),
    problems
  }
}

t.test('npm, syslog and cli levels get the types of their labels; minLevel defaults to info', async t => {
  const npm = resolve({}, winston.config.npm.levels)
  t.same(['error', 'warn', 'info', 'http', 'debug'].map(npm.typeOf), ['Error', 'Warning', 'Normal', undefined, undefined])
  const syslog = resolve({}, winston.config.syslog.levels)
  t.same(['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'].map(syslog.typeOf),
    ['Error', 'Error', 'Error', 'Error', 'Warning', 'Normal', 'Normal', undefined])
  const cli = resolve({}, winston.config.cli.levels)
  t.same(['error', 'warn', 'help', 'data', 'info', 'debug'].map(cli.typeOf), ['Error', 'Warning', 'Normal', 'Normal', 'Normal', undefined])
  t.same([...npm.problems, ...syslog.problems, ...cli.problems], [])
})

t.test('custom levels named fatal, critical, crit, panic, emerg or alert are Errors by default', async t => {
  const labels = ['fatal', 'critical', 'crit', 'panic', 'dpanic', 'emerg', 'alert']
  const levels = Object.fromEntries([...labels, 'info'].map((label, i) => [label, i]))
  const custom = resolve({}, levels)
  t.same(labels.map(custom.typeOf), labels.map(() => 'Error'))
  t.equal(custom.typeOf('info'), 'Normal')
  t.same(custom.problems, [])
})

t.test('minLevel and eventTypes name winston labels; a number is a winston level number', async t => {
  const labels = resolve({ minLevel: 'http', eventTypes: { http: 'Traffic' } }, winston.config.npm.levels)
  t.same(['warn', 'info', 'http', 'verbose'].map(labels.typeOf), ['Warning', 'Normal', 'Traffic', undefined])
  const numbered = resolve({ minLevel: 1 }, winston.config.npm.levels)
  t.same(['error', 'warn', 'info'].map(numbered.typeOf), ['Error', 'Warning', undefined])
})

t.test('a logger without info posts from its least severe level; a minLevel it lacks is told and replaced', async t => {
  const custom = resolve({}, { fatal: 0, bad: 1, ok: 2 })
  t.same(['fatal', 'bad', 'ok'].map(custom.typeOf), ['Error', 'Normal', 'Normal'], 'fatal names an Error; the others fall below it')
  const wrong = resolve({ minLevel: 'loud', eventTypes: { shout: 'Loud' } }, winston.config.npm.levels)
  t.same(['warn', 'info', 'http'].map(wrong.typeOf), ['Warning', 'Normal', undefined])
  t.match(wrong.problems, [/option 'minLevel' is "loud": not a level of this logger .*; using 'info'/, /option 'eventTypes' maps 'shout'/])
})
