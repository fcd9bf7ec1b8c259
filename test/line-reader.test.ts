// The worker reads text of many lines at once: the lines that mention the binding come out whole, wherever the
// text was cut, and every other line is counted, exactly as if each line had been split off on its own.
import t from 'tap'
import { createSelector } from '../lib/select/index.js'
import { createLineReader } from '../lib/select/lines.js'
import { PINO_LEVELS } from '../lib/select/levels.js'
import { createDiagnostics } from '../lib/diagnostics.js'

const selector = createSelector({
  objectKey: 'k8sObject', minLevel: 30, messageKey: 'msg', errorKey: 'err', levelValues: PINO_LEVELS, diagnostics: createDiagnostics('test', () => {})
})

function read (pieces: string[]): { lines: string[], others: number } {
  const lines: string[] = []
  let others = 0
  const reader = createLineReader({ findMention: selector.findMention, onLine: line => lines.push(line), onOtherLines: n => { others += n } })
  for (const piece of pieces) reader.write(piece)
  reader.end()
  return { lines, others }
}

const bound = (n: number): string => `{"level":40,"time":${n},"k8sObject":{"kind":"Pod","name":"p${n}"},"msg":"m"}`
const plain = (n: number): string => `{"level":30,"time":${n},"msg":"k8sObject is only a word here","n":${n}}`

t.test('every cut of the text gives the same lines and counts', async t => {
  const text = [plain(1), bound(2), plain(3), plain(4), bound(5), bound(6), '', plain(7)].join('\n') + '\n'
  const whole = read([text])
  t.same(whole.lines, [bound(2), bound(5), bound(6)])
  t.equal(whole.others, 5, 'the empty line is a line, as pino-abstract-transport counts it')
  for (let cut = 1; cut < text.length; cut += 7) {
    t.same(read([text.slice(0, cut), text.slice(cut)]), whole, `cut at ${cut}`)
  }
  t.same(read(text.split('')), whole, 'one character at a time')
})

t.test('line ends: \\r\\n is one, and a last line without one is a line too', async t => {
  t.same(read([`${plain(1)}\r\n${bound(2)}\r\n`]), { lines: [bound(2)], others: 1 })
  t.same(read([`${plain(1)}\n${bound(2)}`]), { lines: [bound(2)], others: 1 })
  t.same(read([`${bound(1)}\n${plain(2)}`]), { lines: [bound(1)], others: 1 })
  t.same(read(['']), { lines: [], others: 0 })
})

t.test('only the key in quotes is a mention; where it sits the selector decides later', async t => {
  t.same(read([`{"msg":"the k8sObject field"}\n{"note":"k8sObject\\" and more"}\n`]), { lines: [], others: 2 })
  t.same(read([`{"a":{"k8sObject":1}}\n`]), { lines: ['{"a":{"k8sObject":1}}'], others: 0 })
})
