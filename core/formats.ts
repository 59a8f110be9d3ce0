/**
 * Format checks for the generated validators: correct (impossible dates, bad UUIDs and URIs are rejected)
 * and fast (regular expressions irregexp runs in straight lines, and small scanners, instead of ajv-formats'
 * full-mode regular expressions plus Date parsing).
 * This file is self-contained: the generator copies its text into generated/formats.ts.
 */

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)

/** Reads `n` ASCII digits at `i`; -1 when any is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v
}

/** `YYYY-MM-DD` at position i, a real calendar day. */
function dateAt(s: string, i: number): boolean {
  if (s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return false
  const y = digits(s, i, 4)
  const m = digits(s, i + 5, 2)
  const d = digits(s, i + 8, 2)
  if (y < 0 || m < 1 || m > 12 || d < 1) return false
  return d <= (m === 2 && isLeap(y) ? 29 : (DAYS[m] as number))
}

/** RFC 3339 full-date. */
export function date(s: string): boolean {
  return s.length === 10 && dateAt(s, 0)
}

/**
 * RFC 3339 partial-time + time-offset at position i, to the end of the string.
 * A leap second (:60) is only valid at 23:59 UTC, after applying the offset.
 */
function timeAt(s: string, i: number): boolean {
  if (s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return false
  const hh = digits(s, i, 2)
  const mm = digits(s, i + 3, 2)
  const ss = digits(s, i + 6, 2)
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return false
  return zoneAt(s, i + 8, hh, mm, ss)
}

/** The rest of a partial-time after `HH:MM:SS` at j: `[.fraction]` and the offset, to the end of the string. */
function zoneAt(s: string, j: number, hh: number, mm: number, ss: number): boolean {
  if (s.charCodeAt(j) === 46) {
    // .fraction: at least one digit
    const start = ++j
    while (j < s.length) {
      const c = s.charCodeAt(j)
      if (c < 48 || c > 57) break
      j++
    }
    if (j === start) return false
  }
  const z = s.charCodeAt(j)
  let offset = 0
  if (z === 90 || z === 122) {
    // Z or z
    if (j + 1 !== s.length) return false
  } else if (z === 43 || z === 45) {
    // +HH:MM or -HH:MM
    if (j + 6 !== s.length || s.charCodeAt(j + 3) !== 58) return false
    const oh = digits(s, j + 1, 2)
    const om = digits(s, j + 4, 2)
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return false
    offset = (z === 43 ? 1 : -1) * (oh * 60 + om)
  } else return false
  if (ss === 60) {
    const utc = (((hh * 60 + mm - offset) % 1440) + 1440) % 1440
    if (utc !== 23 * 60 + 59) return false
  }
  return true
}

/** RFC 3339 full-time: `HH:MM:SS[.frac](Z|±HH:MM)`. */
export function time(s: string): boolean {
  return s.length >= 9 && timeAt(s, 0)
}

/**
 * RFC 3339 date-time: the shape and every field's range in one regular expression, then JavaScript only where a
 * regex cannot say it cheaply and only when it can matter: whether a 29th, 30th or 31st exists in that month and
 * year, and whether a leap second (:60) falls at 23:59 UTC. In Node 20 a charCodeAt costs tens of instructions
 * (TurboFan checks the string's representation on every read) and irregexp's native code a few per character.
 * Measured with callgrind on bench:pipeline's event: ~0.75 k → ~0.56 k instructions per date-time, property read
 * included, against the character-by-character scanner this replaced; most of what is left is entering the regex.
 */
const DATE_TIME =
  /^\d\d\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/

export function dateTime(s: string): boolean {
  if (!DATE_TIME.test(s)) return false
  const dayTens = s.charCodeAt(8)
  if ((dayTens === 51 || (dayTens === 50 && s.charCodeAt(9) === 57)) && !dateAt(s, 0)) return false
  return s.charCodeAt(17) !== 54 || timeAt(s, 11)
}

/**
 * Fixed repetitions written out: irregexp runs `[0-9a-f]{8}` as a loop that records a backtracking point per
 * character, the written-out form as straight-line checks: ~1.31 k → ~0.57 k instructions per UUID (callgrind,
 * bench:pipeline's event).
 */
const HEX = '[0-9a-fA-F]'
const UUID = new RegExp(
  `^${HEX.repeat(8)}-${HEX.repeat(4)}-${HEX.repeat(4)}-${HEX.repeat(4)}-${HEX.repeat(12)}$`,
)

/** 8-4-4-4-12 hexadecimal digits (no `urn:uuid:` prefix, no braces). A regex: measured faster than a scanner here. */
export function uuid(s: string): boolean {
  return s.length === 36 && UUID.test(s)
}

// RFC 3986: unreserved / reserved / pct-encoded. No spaces, controls, quotes, <>, \, ^, `, {, |, }.
const URI_CHARS = "(?:[A-Za-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
const URI = new RegExp(`^[A-Za-z][A-Za-z0-9+.\\-]*:${URI_CHARS}$`)
const URI_REFERENCE = new RegExp(`^${URI_CHARS}$`)

// The last URI each check accepted: an event's source and schema URIs are the same on every event of a stream, and
// comparing with the previous one costs a fraction of the scan. Only short values are kept (no long string held).
const MEMO_MAX = 512
let lastUri: string | undefined
let lastUriReference: string | undefined

/** An absolute URI (scheme required), RFC 3986 characters only, well-formed percent-encodings. */
export function uri(s: string): boolean {
  if (s === lastUri) return true
  if (!URI.test(s)) return false
  if (s.length <= MEMO_MAX) lastUri = s
  return true
}

/** A URI or a relative reference. */
export function uriReference(s: string): boolean {
  if (s === lastUriReference) return true
  if (!URI_REFERENCE.test(s)) return false
  if (s.length <= MEMO_MAX) lastUriReference = s
  return true
}

const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i

export function email(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s)
}

const SURROGATE = /[\uD800-\uDFFF]/

/**
 * String length in Unicode code points, as JSON Schema's minLength/maxLength count it. Replaces ajv's runtime
 * ucs2length in the generated code: most strings have no surrogate pair, and a regex scan finds that out faster
 * than counting character by character.
 */
export function ucs2length(s: string): number {
  if (!SURROGATE.test(s)) return s.length
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++
    n++
  }
  return n
}

/** Every format the contracts use, by its JSON Schema name. Unknown formats fail generation (ajv strict). */
export const formats = {
  date,
  time,
  'date-time': dateTime,
  uuid,
  uri,
  'uri-reference': uriReference,
  email,
} satisfies Record<string, (s: string) => boolean>
