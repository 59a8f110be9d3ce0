/**
 * Normalisers a schema names with `x-normalize` (core NORMALIZERS): both values of a field go through one before they
 * are compared, so an edit that changes only the form is no change. `markdown` compares what a reader sees, as HDX
 * compares its Markdown notes: the text of the document (link targets included), blocks on lines of their own,
 * whitespace collapsed. Emphasis marks, list bullets, heading styles and line wrapping are form, not content. Parsed
 * with `marked` (its lexer only: nothing is rendered).
 */
import { Lexer, type Token, type Tokens } from 'marked'
import type { NormalizerName } from '../../core/index.ts'

export type Normalizer = (text: string) => string

/** Whitespace runs → one space, ends trimmed. */
export const whitespace: Normalizer = (text) => text.replace(/\s+/g, ' ').trim()

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
}

/** The named entities above and numeric references: `&amp;` and `&` are the same text. */
const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref.toLowerCase()] ?? whole
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })

/** Inline text: a line break inside a paragraph is wrapping, not content. */
const inline = (text: string): string => text.replace(/\s+/g, ' ')

/** Block tokens: each one's text goes on a line of its own. */
const BLOCKS = new Set(['paragraph', 'heading', 'code', 'blockquote', 'list_item', 'table', 'html', 'hr'])

function collect(tokens: readonly Token[], out: string[]): void {
  for (const token of tokens) {
    const block = BLOCKS.has(token.type)
    if (block) out.push('\n')
    switch (token.type) {
      case 'list':
        for (const item of (token as Tokens.List).items) collect([item], out)
        break
      case 'table': {
        const table = token as Tokens.Table
        for (const row of [table.header, ...table.rows]) {
          for (const cell of row) {
            out.push(' ')
            collect(cell.tokens, out)
          }
          out.push('\n')
        }
        break
      }
      case 'link':
      case 'image': {
        const link = token as Tokens.Link | Tokens.Image
        if ('tokens' in link && link.tokens) collect(link.tokens, out)
        else out.push(inline(link.text))
        out.push(` <${link.href}>`)
        break
      }
      case 'code': // a code block keeps its lines
        out.push((token as Tokens.Code).text)
        break
      case 'codespan':
      case 'escape':
      case 'html':
        out.push(inline((token as { text: string }).text))
        break
      case 'br':
      case 'space':
        out.push(' ')
        break
      default: {
        const t = token as { tokens?: Token[]; text?: string }
        if (t.tokens && t.tokens.length) collect(t.tokens, out)
        else if (typeof t.text === 'string') out.push(inline(t.text))
      }
    }
    if (block) out.push('\n')
  }
}

/** Markdown → the text a reader sees, one block per line. */
export const markdown: Normalizer = (text) => {
  const out: string[] = []
  collect(new Lexer().lex(text), out)
  return decodeEntities(out.join(''))
    .split('\n')
    .map(whitespace)
    .filter((line) => line !== '')
    .join('\n')
}

export const NORMALIZER_FUNCTIONS: Readonly<Record<NormalizerName, Normalizer>> = { markdown, whitespace }
