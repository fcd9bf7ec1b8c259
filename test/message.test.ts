import t from 'tap'
import { cleanWhitespace, removeWhitespace, truncateEnd, truncateMiddle, truncateStart, utf8Length, preview } from '../lib/text.js'
import { formatMessage } from '../lib/shape/message.js'

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')
// A text is intact when it survives a UTF-8 round trip: no lone surrogate from a split pair.
const intact = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text

t.test('Kopf K5: start + 2048 x + end is cut in the middle to 511 + ... + 510', async t => {
  const message = 'start' + 'x'.repeat(2048) + 'end'
  const cut = truncateMiddle(message, 1024)
  t.equal(bytes(cut), 1024)
  t.ok(cut.startsWith('start'))
  t.ok(cut.endsWith('end'))
  t.ok(cut.includes('...'))
  t.equal(cut.indexOf('...'), 511)
  t.equal(cut.length - cut.indexOf('...') - 3, 510)
})

t.test('texts within the limit are left alone', async t => {
  t.equal(truncateMiddle('x'.repeat(1024), 1024), 'x'.repeat(1024))
  t.equal(truncateMiddle('€'.repeat(341), 1024), '€'.repeat(341))
  t.equal(truncateEnd('short', 128), 'short')
  t.equal(truncateStart('short', 128), 'short')
})

t.test('a message of 1025 bytes is cut to at most 1024', async t => {
  const cut = truncateMiddle('a'.repeat(1025), 1024)
  t.equal(bytes(cut), 1024)
  t.match(cut, /^a{511}\.\.\.a{510}$/)
})

t.test('byte-exact cuts never split a character of 1, 2, 3 or 4 bytes', async t => {
  const characters = { 1: 'a', 2: 'é', 3: '€', 4: '😀' }
  for (const [width, character] of Object.entries(characters)) {
    const text = character.repeat(2000)
    for (let max = 1000; max <= 1030; max++) {
      const middle = truncateMiddle(text, max)
      t.ok(bytes(middle) <= max, `middle ${width}-byte at ${max}: ${bytes(middle)} bytes`)
      t.ok(intact(middle), `middle ${width}-byte at ${max} is intact`)
      // No room left over that a whole character would still fit in.
      t.ok(max - bytes(middle) < Number(width) * 2, `middle ${width}-byte at ${max} uses its room`)
      const end = truncateEnd(text, max)
      t.ok(bytes(end) <= max && max - bytes(end) < Number(width) && intact(end), `end ${width}-byte at ${max}`)
      const start = truncateStart(text, max)
      t.ok(bytes(start) <= max && max - bytes(start) < Number(width) && intact(start), `start ${width}-byte at ${max}`)
    }
  }
})

t.test('mixed widths at the cut: the character that does not fit is left out whole', async t => {
  // 'ab' then a 4-byte emoji: 5 bytes cannot hold the emoji (needs 6)
  t.equal(truncateEnd('ab😀cd', 5), 'ab')
  t.equal(truncateEnd('ab😀cd', 6), 'ab😀')
  t.equal(truncateEnd('aé', 2), 'a')
  t.equal(truncateEnd('a€', 3), 'a')
  t.equal(truncateEnd('a€', 4), 'a€')
  t.equal(truncateStart('cd😀ab', 5), 'ab')
  t.equal(truncateStart('cd😀ab', 6), '😀ab')
  t.equal(truncateStart('éa', 2), 'a')
  t.equal(truncateEnd('anything', 0), '')
  const head = 'h'.repeat(509) + '😀' + 'x'.repeat(1000) + '€' + 't'.repeat(508)
  const cut = truncateMiddle(head, 1024)
  t.ok(bytes(cut) <= 1024 && intact(cut))
  t.ok(cut.startsWith('h'.repeat(509)) && cut.endsWith('t'.repeat(508)))
})

t.test('a lone surrogate counts as the 3 bytes it is sent as', async t => {
  t.equal(utf8Length('\uD800'), 3)
  t.equal(truncateEnd('a\uD800b', 2), 'a')
  t.equal(cleanWhitespace('a\uD800b'), 'a\uFFFDb')
})

t.test('newlines, tabs and control characters become single spaces, runs collapse, ends are trimmed', async t => {
  t.equal(cleanWhitespace('  one\ntwo\r\n\tthree\u0000four\u001b[31m  five\u2028six\u0085 '), 'one two three four [31m five six')
  t.equal(cleanWhitespace('\n\t '), '')
  t.equal(removeWhitespace(' Some Reason\n\tX\u0007 '), 'SomeReasonX')
})

t.test('a message with an error: <msg> <error message>', async t => {
  t.equal(formatMessage('Some exception:', { type: 'RuntimeError', message: 'Exception text.' }), 'Some exception: Exception text.')
  t.equal(formatMessage('', { type: 'Error', message: 'only the error' }), 'only the error')
  t.equal(formatMessage('only the message', undefined), 'only the message')
  t.equal(formatMessage('', undefined), '')
})

t.test('the error message is not doubled when msg already holds it', async t => {
  // logger.error(err): pino sets msg to err.message
  t.equal(formatMessage('boom: inner', { type: 'Error', message: 'boom: inner' }), 'boom: inner')
  t.equal(formatMessage('sync failed: boom', { type: 'Error', message: 'boom' }), 'sync failed: boom')
  t.equal(formatMessage('sync failed (boom), retrying', { type: 'Error', message: 'boom' }), 'sync failed (boom), retrying')
  // compared after cleaning: a newline in one and a space in the other is the same text
  t.equal(formatMessage('line one line two', { type: 'Error', message: 'line one\nline two' }), 'line one line two')
})

t.test('aggregate errors are summed up briefly', async t => {
  const err = {
    type: 'AggregateError',
    message: '',
    aggregateErrors: [{ type: 'Error', message: 'first' }, { type: 'Error', message: 'second' }, { type: 'Error', message: 'third' }]
  }
  t.equal(formatMessage('Some exception:', err), 'Some exception: 3 errors: first; second; third')
  const many = { type: 'AggregateError', message: 'all failed', aggregateErrors: Array.from({ length: 50 }, (_, i) => ({ type: 'Error', message: `failure ${i}` })) }
  t.equal(formatMessage('Sync:', many), 'Sync: all failed: 50 errors: failure 0; failure 1; failure 2; and 47 more')
  // logger.error(aggregateError): msg is its message, the summary follows once
  t.equal(formatMessage('all failed', many), 'all failed: 50 errors: failure 0; failure 1; failure 2; and 47 more')
  const long = { type: 'AggregateError', message: '', aggregateErrors: [{ type: 'Error', message: 'y'.repeat(500) }] }
  const text = formatMessage('x', long)
  t.ok(text.length < 200, 'one long inner message is shortened')
  t.match(text, /^x 1 error: y+\.\.\.$/)
  t.equal(formatMessage('', { type: 'AggregateError', aggregateErrors: [{ type: 'TypeError' }, 'plain text'] as never[] }), '2 errors: TypeError; plain text')
})

t.test('nested causes (errWithCause) are appended as a short chain, not repeated', async t => {
  const err = { type: 'Error', message: 'outer', cause: { type: 'Error', message: 'middle', cause: { type: 'Error', message: 'inner' } } }
  t.equal(formatMessage('Failed:', err), 'Failed: outer: middle: inner')
  // pino's default serializer already put the cause into the message
  t.equal(formatMessage('Failed:', { type: 'Error', message: 'outer: middle', cause: { message: 'middle' } }), 'Failed: outer: middle')
  let deep: Record<string, unknown> = { message: 'level 9' }
  for (let i = 8; i >= 0; i--) deep = { message: `level ${i}`, cause: deep }
  t.equal(formatMessage('', deep), 'level 0: level 1: level 2: level 3: level 4: level 5', 'the chain is bounded')
})

t.test('the combined message keeps to 1024 bytes and one line', async t => {
  const text = formatMessage('Reconcile failed:\n' + 'é'.repeat(400), { type: 'Error', message: 'at\n'.repeat(300) + 'the end' })
  t.ok(bytes(text) <= 1024 && intact(text))
  t.notMatch(text, /\n/)
  t.ok(text.startsWith('Reconcile failed: é') && text.endsWith('at the end'))
})

t.test('odd inputs do not throw', async t => {
  t.equal(formatMessage(undefined as unknown as string, { message: 42 } as never), '')
  t.equal(formatMessage('m', { type: 'E', message: 'x', aggregateErrors: 'not a list' } as never), 'm x')
  t.equal(preview('x'.repeat(100), 10), '"xxxxxxxxx...')
  t.equal(preview(undefined), 'undefined')
  const circular: Record<string, unknown> = {}
  circular.self = circular
  t.equal(preview(circular), '[object Object]')
})
