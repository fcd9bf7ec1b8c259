// node dist/bench/profile-summary.js FILE.cpuprofile [N]: the functions that took the most CPU in one thread's
// profile (from `npm run bench -- --case N --cpu-prof`), by self time and by time including what they called.
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

interface Profile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

function label (node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url.replace(/^.*\/(node_modules|dist)\//, '$1/')
  return `${functionName === '' ? '(anonymous)' : functionName} ${file}:${lineNumber + 1}`
}

function summarize (profile: Profile, top: number): string {
  const nodes = new Map(profile.nodes.map(node => [node.id, node]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const sampled = new Map<number, number>()
  profile.samples.forEach((id, i) => sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  let all = 0
  for (const [id, micros] of sampled) {
    all += micros
    const own = label(nodes.get(id) as ProfileNode)
    self.set(own, (self.get(own) ?? 0) + micros)
    // A recursive function counts once per sample in the inclusive figure.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const name = label(nodes.get(at) as ProfileNode)
      if (seen.has(name)) continue
      seen.add(name)
      total.set(name, (total.get(name) ?? 0) + micros)
    }
  }
  const table = (figures: Map<string, number>): string => [...figures].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, micros]) => `${(micros / 1000).toFixed(0).padStart(7)} ms ${(100 * micros / all).toFixed(1).padStart(5)} %  ${name}`).join('\n')
  return `${(all / 1000).toFixed(0)} ms sampled\n\nself time:\n${table(self)}\n\nincluding callees:\n${table(total)}\n`
}

const [file, top] = process.argv.slice(2)
if (file === undefined) {
  process.stderr.write('usage: node dist/bench/profile-summary.js FILE.cpuprofile [N]\n')
  process.exitCode = 1
} else {
  process.stdout.write(summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 25)))
}
