// Number parsing straight from file bytes. The fast path covers plain decimals ("31", "4.5") without
// making a string; anything else is decoded and checked against the full number grammar.

/** Returned by {@link parseNonNegative} for text that is not a decimal number ("abc", "NaN", ""). */
export const NOT_A_NUMBER = -1;
/** Returned by {@link parseNonNegative} for a number below 0. */
export const NEGATIVE = -2;
/** Returned by {@link parseNonNegative} for a number that overflows to infinity ("1e999"). */
export const NOT_FINITE = -3;
/** Returned by {@link parseNonNegative} for a finite number above the float32 maximum ("1e40"). */
export const OVERFLOWS_FLOAT32 = -4;
/** Returned by {@link parseNonNegative} for a number above 0 that rounds to 0 in float32 ("1e-50"). */
export const UNDERFLOWS_FLOAT32 = -5;

/** Digits that a float64 represents exactly (10^15 < 2^53), so digits / 10^k is correctly rounded. */
const MAX_FAST_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_FAST_DIGITS + 1 }, (_, k) => 10 ** k);
/** Decimal numbers with optional sign, fraction and exponent; no spaces, no hex, no Infinity or NaN. */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses the ASCII number in `bytes[start..end)`. Returns the value when it is a number >= 0 that
 * float32 stores as a finite number, and a positive one as non-zero. Otherwise returns one of
 * NOT_A_NUMBER, NEGATIVE, NOT_FINITE, OVERFLOWS_FLOAT32 or UNDERFLOWS_FLOAT32 (all below 0, so
 * `result < 0` means invalid). The value is returned in float64; the caller stores it as float32.
 */
export function parseNonNegative(bytes: Uint8Array, start: number, end: number): number {
  let mantissa = 0;
  let digits = 0;
  let i = start;
  while (i < end) {
    const digit = bytes[i] - 48;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
    digits++;
    i++;
  }

  let fractionDigits = 0;
  if (i < end && bytes[i] === 46) {
    i++;
    while (i < end) {
      const digit = bytes[i] - 48;
      if (digit < 0 || digit > 9) break;
      mantissa = mantissa * 10 + digit;
      fractionDigits++;
      i++;
    }
  }

  const totalDigits = digits + fractionDigits;
  // At most 15 digits and no exponent keep the value in [1e-15, 1e15), far inside the float32 range.
  if (i === end && totalDigits > 0 && totalDigits <= MAX_FAST_DIGITS) {
    return fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits];
  }
  return parseNonNegativeText(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1'));
}

/** Parses decoded text like {@link parseNonNegative}: the general path for forms the fast path does not cover. */
export function parseNonNegativeText(text: string): number {
  if (!DECIMAL_NUMBER.test(text)) return NOT_A_NUMBER;
  const value = Number(text);
  if (!Number.isFinite(value)) return NOT_FINITE;
  if (value < 0) return NEGATIVE;
  const stored = Math.fround(value);
  if (stored === Infinity) return OVERFLOWS_FLOAT32;
  if (stored === 0 && value > 0) return UNDERFLOWS_FLOAT32;
  return value;
}

/** Describes an invalid result of {@link parseNonNegative} in words for an error message. */
export function describeInvalidNumber(result: number): string {
  if (result === NEGATIVE) return 'is negative';
  if (result === NOT_FINITE) return 'is not finite';
  if (result === OVERFLOWS_FLOAT32) return 'overflows float32, whose maximum is about 3.4e38';
  if (result === UNDERFLOWS_FLOAT32) return 'rounds to 0 in float32, whose smallest positive value is about 1.4e-45';
  return 'is not a number';
}

/** Describes the values a loader accepts, for the message about an invalid `result`. */
export function describeExpectedNumber(result: number): string {
  if (result === OVERFLOWS_FLOAT32) return 'a non-negative number up to about 3.4e38';
  if (result === UNDERFLOWS_FLOAT32) return '0 or a number of at least about 1.4e-45';
  return 'a non-negative number';
}

/**
 * Parses a whole-number index in `bytes[start..end)` (digits only, at most 15 of them).
 * Returns -1 for anything else.
 */
export function parseIndex(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > MAX_FAST_DIGITS) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = bytes[i] - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
