import addFormats from 'ajv-formats'
import Ajv2020 from 'ajv/dist/2020.js'
import { describe, expect, it, vi } from 'vitest'
import { formats } from '../../generated/index.ts'

const cases: Record<string, [string, boolean][]> = {
  'date-time': [
    ['2026-11-20T08:30:00Z', true],
    ['2026-11-20t08:30:00z', true],
    ['2026-11-20T08:30:00.123456+05:30', true],
    ['2024-02-29T00:00:00Z', true],
    ['2000-02-29T00:00:00Z', true],
    ['2016-12-31T23:59:60Z', true],
    ['2016-12-31T15:59:60-08:00', true],
    ['2026-02-30T10:00:00Z', false],
    ['2025-02-29T10:00:00Z', false],
    ['1900-02-29T10:00:00Z', false],
    ['2026-04-31T10:00:00Z', false],
    ['2026-13-01T10:00:00Z', false],
    ['2026-00-10T10:00:00Z', false],
    ['2026-11-00T10:00:00Z', false],
    ['2026-11-20T24:00:00Z', false],
    ['2026-11-20T23:60:00Z', false],
    ['2026-11-20T12:00:60Z', false],
    ['2026-11-20T08:30:00', false],
    ['2026-11-20 08:30:00Z', false],
    ['2026-11-20T08:30:00.Z', false],
    ['2026-11-20T08:30:00+24:00', false],
    ['2026-11-20T08:30:00+0100', false],
    ['2026-11-20', false],
    ['', false],
    ['20261120T083000Z', false],
    ['2026-11-20T08:30:00Zjunk', false],
    ['0000-01-01T00:00:00Z', true],
    ['2026-11-30T23:59:59.999-12:00', true],
    ['2026-11-31T10:00:00Z', false],
    ['2026-12-32T10:00:00Z', false],
    ['2026-11-2xT08:30:00Z', false],
    ['2026-11-20T08:3a:00Z', false],
    ['2026-11-20T08:30:0/Z', false],
    ['2026-11-20T08:30:0:Z', false],
    ['2026/11/20T08:30:00Z', false],
    ['2026-11-20T08-30-00Z', false],
    ['\u00102026-1-20T08:30:00Z', false],
  ],
  date: [
    ['2024-02-29', true],
    ['2026-12-31', true],
    ['2025-02-29', false],
    ['2026-06-31', false],
    ['2026-1-01', false],
    ['2026-01-01T00:00:00Z', false],
  ],
  time: [
    ['08:30:00Z', true],
    ['08:30:00.5+01:00', true],
    ['08:30:00', false],
    ['25:00:00Z', false],
  ],
  uuid: [
    ['5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c', true],
    ['5F0C6A9E-3B1D-4C52-9A57-0D8E1F2A3B4C', true],
    ['00000000-0000-0000-0000-000000000000', true],
    ['5f0c6a9e3b1d4c529a570d8e1f2a3b4c', false],
    ['5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4g', false],
    ['5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4', false],
    ['{5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c}', false],
    ['not-a-uuid', false],
  ],
  uri: [
    ['https://event-contracts.dev/schemas/time-entry/1', true],
    ['urn:callisto:timecard', true],
    ['http://[::1]:8080/a?b=c#d', true],
    ['mailto:a@b.c', true],
    ['https://x.dev/a%20b', true],
    ['time-entry/1', false],
    ['/schemas/time-entry/1', false],
    ['https://x.dev/a b', false],
    ['https://x.dev/%zz', false],
    ['1http://x', false],
    ['', false],
    ['not a uri', false],
  ],
  'uri-reference': [
    ['/timecard', true],
    ['urn:callisto:timecard-restapi', true],
    ['../a?b', true],
    ['a b', false],
    ['%', false],
  ],
  email: [
    ['ada.okafor@example.gov.uk', true],
    ['a@b', false],
    ['no-at.example', false],
  ],
}

describe.each(Object.entries(cases))('format %s', (name, rows) => {
  const check = formats[name as keyof typeof formats]
  it.each(rows)('%j → %s', (value, valid) => {
    expect(check(value)).toBe(valid)
  })
})

describe('agreement with ajv-formats full mode on what both judge', () => {
  const ajv = new Ajv2020.default()
  addFormats.default(ajv, { mode: 'full' })
  // Where we differ on purpose: ajv-formats accepts a space as the date-time separator and an offset without its colon (+0100); RFC 3339 allows neither.
  const differ = new Set(['2026-11-20 08:30:00Z', '2026-11-20T08:30:00+0100'])
  it.each(['date-time', 'date', 'uuid', 'uri'] as const)('%s', (name) => {
    const full = ajv.compile({ type: 'string', format: name })
    for (const [value] of cases[name] ?? []) {
      if (differ.has(value)) continue
      expect(formats[name](value), `${name} ${value}`).toBe(full(value))
    }
  })
})

describe('ucs2length counts code points like ajv does', async () => {
  const { ucs2length } = await import('../../generated/formats.ts')
  const { createRequire } = await import('node:module')
  const ajvLength = createRequire(import.meta.url)('ajv/dist/runtime/ucs2length').default as (
    s: string,
  ) => number
  it.each([
    '',
    'abc',
    'héllo',
    '😀',
    'a😀b😀',
    '\uD800',
    'x\uDC00y',
    '\uD83D\uDE00\uD83D',
    'ab'.repeat(500) + '😀',
  ])('%j', (s) => {
    expect(ucs2length(s)).toBe(ajvLength(s))
  })
})

describe('the remembered last URI never changes a verdict', () => {
  // uri and uri-reference remember the last value they accepted; every sequence must judge each value as alone.
  const sequences: [keyof typeof formats, string[]][] = [
    [
      'uri',
      ['', 'https://a.dev/x', '', 'https://a.dev/x ', 'https://a.dev/x', 'https://a.dev/ ', 'time-entry/1'],
    ],
    ['uri', ['not a uri', 'not a uri', 'urn:a:b', 'urn:a:b', 'urn:a:c%zz']],
    ['uri-reference', ['', '/timecard', 'a b', '/timecard', '/timecar ', '%', '']],
    ['uri', ['https://x.dev/' + 'a'.repeat(600), 'https://x.dev/' + 'a'.repeat(600) + ' ']],
  ]
  it.each(sequences)('%s: %j', async (name, values) => {
    vi.resetModules() // a fresh module: nothing remembered yet
    const check = (await import('../../generated/formats.ts')).formats[name]
    const alone = values.map((v) => cases[name]?.find(([c]) => c === v)?.[1] ?? reference(name, v))
    expect(values.map((v) => check(v))).toEqual(alone)
  })
  function reference(name: keyof typeof formats, value: string): boolean {
    const ajv = new Ajv2020.default()
    addFormats.default(ajv, { mode: 'full' })
    return ajv.compile({ type: 'string', format: name })(value)
  }
})

describe('date-time agrees with ajv-formats full mode on one-character changes of valid values', () => {
  const ajv = new Ajv2020.default()
  addFormats.default(ajv, { mode: 'full' })
  const full = ajv.compile({ type: 'string', format: 'date-time' })
  const CHARS = '0123456789-:.TtZz+ /\u0010'
  it.each([
    '2024-02-29T23:59:60Z',
    '2026-11-30T08:30:00.125+05:30',
    '1999-12-31t00:00:00z',
    '2025-02-28T23:59:60.5+00:00',
    '2026-01-31T00:59:60+01:00',
  ])('%s', (valid) => {
    expect(formats['date-time'](valid), 'the seed itself').toBe(true)
    let compared = 0
    for (let i = 0; i < valid.length; i++)
      for (const c of CHARS) {
        const value = valid.slice(0, i) + c + valid.slice(i + 1)
        // RFC 3339 allows neither a space as the separator nor an offset without its colon; ajv-formats does.
        if (c === ' ' && i === 10) continue
        expect(formats['date-time'](value), value).toBe(full(value))
        compared++
      }
    expect(compared).toBeGreaterThan(400)
  })
})

describe('date-time agrees with ajv-formats full mode on every month and day of four kinds of year', () => {
  // Days 29–31 are the regex's blind spot that JavaScript covers: every (year, month, day) is compared.
  const ajv = new Ajv2020.default()
  addFormats.default(ajv, { mode: 'full' })
  const full = ajv.compile({ type: 'string', format: 'date-time' })
  const two = (n: number) => String(n).padStart(2, '0')
  it.each([1900, 2000, 2024, 2025])('%i', (year) => {
    const mismatches: string[] = []
    for (let m = 0; m <= 13; m++)
      for (let d = 0; d <= 39; d++) {
        const value = `${year}-${two(m)}-${two(d)}T12:00:00Z`
        if (formats['date-time'](value) !== full(value)) mismatches.push(value)
      }
    expect(mismatches).toEqual([])
  })
})

describe('uuid agrees with ajv-formats on one-character changes of valid values', () => {
  const ajv = new Ajv2020.default()
  addFormats.default(ajv, { mode: 'full' })
  const full = ajv.compile({ type: 'string', format: 'uuid' })
  const CHARS = '0123456789abcdefABCDEFgGzZ-:{} \u0660'
  it.each(['5f0c6a9e-3b1d-4c52-9a57-0d8e1f2a3b4c', '00000000-0000-0000-0000-000000000000'])('%s', (valid) => {
    expect(formats.uuid(valid), 'the seed itself').toBe(true)
    let compared = 0
    for (let i = 0; i < valid.length; i++)
      for (const c of CHARS) {
        const value = valid.slice(0, i) + c + valid.slice(i + 1)
        expect(formats.uuid(value), value).toBe(full(value))
        compared++
      }
    // one character more or less anywhere: refused on its length before the regex runs, as ajv-formats refuses it
    for (let i = 0; i <= valid.length; i++) {
      for (const value of [valid.slice(0, i) + 'a' + valid.slice(i), valid.slice(0, i) + valid.slice(i + 1)])
        expect(formats.uuid(value), value).toBe(full(value))
      compared += 2
    }
    expect(compared).toBeGreaterThan(1000)
  })
})
