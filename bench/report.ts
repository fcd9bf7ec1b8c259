// The results as one markdown table, readable in a terminal and in bench/results.md.
import { clusterCommand, type CaseResult, type Scale } from './harness.js'
import { machineLine, type Machine } from './machine.js'

export interface CaseOutcome {
  id: number
  title: string
  /** undefined when the case failed to run */
  result?: CaseResult
  failure?: string
  seconds: number
}

function cell (text: string | undefined): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function metCell (met: boolean | undefined, noisy: boolean | undefined): string {
  if (noisy === true) return '**too noisy to judge**'
  if (met === undefined) return ''
  return met ? 'met' : '**missed**'
}

export function resultsTable (outcomes: CaseOutcome[]): string {
  const lines = [
    '| # | case | measure | result | bar | met | context (absolute figures) |',
    '|---|---|---|---|---|---|---|'
  ]
  for (const outcome of outcomes) {
    if (outcome.result === undefined) {
      lines.push(`| ${outcome.id} | ${cell(outcome.title)} | did not run | | | **failed** | ${cell(outcome.failure)} |`)
      continue
    }
    for (const row of outcome.result.rows) {
      lines.push(`| ${outcome.id} | ${cell(outcome.result.title)} | ${cell(row.measure)} | ${cell(row.value)} | ${cell(row.bar)} | ${metCell(row.met, row.noisy)} | ${cell(row.context)} |`)
    }
  }
  return lines.join('\n')
}

export function resultsMarkdown (outcomes: CaseOutcome[], machine: Machine, scale: Scale): string {
  const missed = outcomes.flatMap(outcome => (outcome.result?.rows ?? []).filter(row => row.met === false).map(row => `case ${outcome.id}: ${row.measure}`))
  const noisy = outcomes.flatMap(outcome => (outcome.result?.rows ?? []).filter(row => row.noisy === true))
  const sections = outcomes.map(outcome => {
    const lines = [`### ${outcome.id}. ${outcome.title}`, '']
    if (outcome.result !== undefined) {
      lines.push(`Events went to: ${outcome.result.target}. Took ${outcome.seconds.toFixed(0)} s.`, '')
      for (const note of outcome.result.notes) lines.push(`- ${note}`)
    } else {
      lines.push(`Failed: ${outcome.failure ?? 'no result'}`)
    }
    lines.push(`- Against a real cluster instead of the local API server: \`${clusterCommand(outcome.id)}\``)
    return lines.join('\n')
  })
  return [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\`${scale === 'tiny' ? ' (BENCH_SCALE=tiny: sizes about 1 %, figures meaningless)' : ''}.`,
    '',
    `Machine: ${machineLine(machine)}.`,
    '',
    'Every result is a ratio against a baseline measured in the same run, or a count; absolute times and sizes are context ' +
    'only. Each measurement runs in a fresh process; the local API server runs in a process of its own on the same ' +
    'machine and shares its cores. Bars are requirements, not test assertions.',
    '',
    resultsTable(outcomes),
    '',
    [
      missed.length === 0 && noisy.length === 0 ? 'Every bar was met.' : missed.length > 0 ? `Bars missed: ${missed.length}.` : '',
      noisy.length > 0 ? `Too noisy to judge: ${noisy.length} (the machine was too busy; run again on a quieter one).` : ''
    ].filter(text => text !== '').join(' '),
    '',
    '## Cases',
    '',
    sections.join('\n\n'),
    ''
  ].join('\n')
}
