/**
 * The generated validators settle minLength/maxLength on `.length` first and count code points only when that cannot
 * decide (lengthsFirst): the verdicts stay those of code points, surrogate pairs counting as one character.
 */
import { describe, expect, it } from 'vitest'
import { lengthsFirst } from '../../codegen/generate.ts'
import { validateEnvelope, validateTimeEntryV2 } from '../../generated/index.ts'

const entry = (notes: string) => ({
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  tenantId: '7d1b4a2c-9e8f-4a6b-8c5d-1e2f3a4b5c6d',
  ownerId: '3c9e1f2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  timePeriodTypeId: '00000000-0000-0000-0000-000000000001',
  actualStartTime: '2026-11-20T06:00:00Z',
  notes,
})
const envelope = (source: string) => ({
  id: '0b6a1c8e-6f5d-4c1b-9d1e-2a3b4c5d6e7f',
  time: '2026-11-20T06:00:00Z',
  source,
  action: 'create',
  resource: { schema: 'https://event-contracts.dev/schemas/time-entry/2', content: entry('') },
})
const PAIR = '\u{1F600}' // one code point, two code units

describe('minLength and maxLength in the generated validators', () => {
  it.each([
    ['2000 ASCII characters', 'x'.repeat(2000), true],
    ['2001 ASCII characters', 'x'.repeat(2001), false],
    ['2000 surrogate pairs (4000 code units)', PAIR.repeat(2000), true],
    ['2001 surrogate pairs', PAIR.repeat(2001), false],
    ['1999 pairs and 2 lone halves (2001 code points)', PAIR.repeat(1999) + '\ud800\ud800', false],
  ])('maxLength 2000 (time-entry notes): %s → %s', (_name, notes, valid) => {
    expect(validateTimeEntryV2(entry(notes))).toBe(valid)
    if (!valid)
      expect(validateTimeEntryV2.errors?.[0]).toMatchObject({ keyword: 'maxLength', instancePath: '/notes' })
  })

  it.each([
    ['empty', '', false, 'minLength'],
    ['one character', 'a', true, undefined],
    ['one surrogate pair', PAIR, false, 'format'], // one code point, so minLength holds; not a URI character
    ['1024 characters', 'a'.repeat(1024), true, undefined],
    ['1025 characters', 'a'.repeat(1025), false, 'maxLength'],
  ])('minLength 1 / maxLength 1024 (envelope source): %s', (_name, source, valid, keyword) => {
    expect(validateEnvelope(envelope(source))).toBe(valid)
    if (keyword) expect(validateEnvelope.errors?.map((e) => e.keyword)).toEqual([keyword])
  })

  it('rewrites every code-point count of the code it is given, and nothing else', () => {
    const code =
      'const func5 = ucs2length;if(func5(data2) > 100){}if(func5(data) < 3){}if(func9(data1) > 2){}'
    expect(lengthsFirst(code)).toBe(
      'const func5 = ucs2length;if((data2.length > 100 && func5(data2) > 100)){}if((data.length < 6 && func5(data) < 3)){}if(func9(data1) > 2){}',
    )
  })
})
