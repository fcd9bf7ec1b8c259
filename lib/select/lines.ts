// Text as the worker receives it, many lines at once, into lines. Most lines never mention the binding, so the text is
// searched for the binding's key first and only the lines around each mention are cut out; the others are only
// counted. Splitting every line off and passing it through a stream one by one would cost the worker more than all
// the rest it does for a line that is not about an object.
const CARRIAGE_RETURN = 13

export interface LineReaderOptions {
  /** where the text first mentions the binding at or after `from`, else -1 (see Selector.findMention) */
  findMention: (text: string, from: number) => number
  /** a whole line that mentions the binding, without its line end */
  onLine: (line: string) => void
  /** how many whole lines went by that do not */
  onOtherLines: (count: number) => void
}

export interface LineReader {
  /** the next piece of the text; a line may end in a later piece */
  write (text: string): void
  /** the end of the text: a last line without a line end is a line too */
  end (): void
}

/** Lines end at '\n' or '\r\n', as pino-abstract-transport splits them. */
function withoutLineEnd (text: string, start: number, end: number): string {
  return text.slice(start, end > start && text.charCodeAt(end - 1) === CARRIAGE_RETURN ? end - 1 : end)
}

function countLines (text: string, from: number, to: number): number {
  let count = 0
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) count++
  return count
}

export function createLineReader ({ findMention, onLine, onOtherLines }: LineReaderOptions): LineReader {
  /** the start of a line whose end has not come yet */
  let pending = ''

  function write (piece: string): void {
    const text = pending === '' ? piece : pending + piece
    const lastEnd = text.lastIndexOf('\n')
    if (lastEnd === -1) {
      pending = text
      return
    }
    let from = 0
    for (let mention = findMention(text, 0); mention !== -1 && mention < lastEnd; mention = findMention(text, from)) {
      const start = text.lastIndexOf('\n', mention) + 1
      const end = text.indexOf('\n', mention)
      const skipped = countLines(text, from, start)
      if (skipped > 0) onOtherLines(skipped)
      onLine(withoutLineEnd(text, start, end))
      from = end + 1
    }
    const skipped = countLines(text, from, lastEnd + 1)
    if (skipped > 0) onOtherLines(skipped)
    pending = lastEnd + 1 === text.length ? '' : text.slice(lastEnd + 1)
  }

  function end (): void {
    const text = pending
    pending = ''
    if (text === '') return
    if (findMention(text, 0) !== -1) onLine(withoutLineEnd(text, 0, text.length))
    else onOtherLines(1)
  }

  return { write, end }
}
