/**
 * Strict, lossless JSON parsing for request bodies.
 *
 * Why not `JSON.parse`: it rounds integers past 2^53 and forgets whether `4` was written `4.0` (API.md §2 rules 1-2,
 * §6). Why not lossless-json alone: it silently accepts a duplicate key whose two values are equal, and the contract
 * rejects every duplicate key. JSON's grammar is small, so this is one recursive-descent pass that keeps each
 * number's literal text.
 */

/** A JSON number as written: `literal` is the exact source text, `isInteger` is true when it has no fraction/exponent. */
export class JsonNumber {
  readonly literal: string;
  readonly isInteger: boolean;

  constructor(literal: string) {
    this.literal = literal;
    this.isInteger = !/[.eE]/.test(literal);
  }

  /** The exact integer value; only meaningful when `isInteger`. */
  toBigInt(): bigint {
    return BigInt(this.literal);
  }

  /** The nearest float64 value. */
  toNumber(): number {
    return Number(this.literal);
  }

  toJSON(): number {
    return this.toNumber();
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

const MAX_DEPTH = 64;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export function parseJson(text: string): JsonValue {
  let pos = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
  };
  const expect = (word: string): void => {
    if (!text.startsWith(word, pos)) fail(`unexpected token, expected '${word}'`);
    pos += word.length;
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = '';
    let runStart = pos;
    for (;;) {
      if (pos >= text.length) fail('unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(runStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(runStart, pos);
        const e = text[pos + 1];
        if (e === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          pos += 6;
        } else {
          const mapped = e === undefined ? undefined : ESCAPES[e];
          if (mapped === undefined) fail('invalid escape in string');
          out += mapped;
          pos += 2;
        }
        runStart = pos;
        continue;
      }
      pos++;
    }
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipWhitespace();
    const c = text[pos];
    switch (c) {
      case '{': {
        pos++;
        const obj: JsonObject = Object.create(null);
        skipWhitespace();
        if (text[pos] === '}') {
          pos++;
          return obj;
        }
        for (;;) {
          skipWhitespace();
          if (text[pos] !== '"') fail('expected a string key');
          const keyPos = pos;
          const key = parseString();
          if (Object.hasOwn(obj, key)) {
            pos = keyPos;
            fail(`duplicate key "${key}"`);
          }
          skipWhitespace();
          expect(':');
          obj[key] = parseValue(depth + 1);
          skipWhitespace();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          expect('}');
          return obj;
        }
      }
      case '[': {
        pos++;
        const arr: JsonValue[] = [];
        skipWhitespace();
        if (text[pos] === ']') {
          pos++;
          return arr;
        }
        for (;;) {
          arr.push(parseValue(depth + 1));
          skipWhitespace();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          expect(']');
          return arr;
        }
      }
      case '"':
        return parseString();
      case 't':
        expect('true');
        return true;
      case 'f':
        expect('false');
        return false;
      case 'n':
        expect('null');
        return null;
      default: {
        NUMBER_RE.lastIndex = pos;
        const m = NUMBER_RE.exec(text);
        if (m === null)
          return fail(c === undefined ? 'unexpected end of input' : `unexpected character '${c}'`);
        pos += m[0].length;
        return new JsonNumber(m[0]);
      }
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (pos !== text.length) fail('unexpected data after the JSON value');
  return value;
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** Describes a JSON value's type for error messages: "got a string". */
export function describeJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (v instanceof JsonNumber) return `the number ${v.literal}`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `the boolean ${v}`;
}
