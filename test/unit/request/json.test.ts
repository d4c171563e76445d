import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type JsonNumber, JsonSyntaxError, parseJson } from '../../../src/request/json.js';

describe('parseJson', () => {
  it('keeps integer literals exact beyond 2^53 and remembers the literal form', () => {
    const v = parseJson(
      '{"a": 18446744073709551615, "b": -9223372036854775808, "c": 4.0, "d": 1e3}',
    ) as Record<string, JsonNumber>;
    assert.equal(v.a?.toBigInt(), 18446744073709551615n);
    assert.equal(v.b?.toBigInt(), -9223372036854775808n);
    assert.equal(v.a?.isInteger, true);
    assert.equal(v.c?.isInteger, false);
    assert.equal(v.c?.literal, '4.0');
    assert.equal(v.d?.isInteger, false);
  });

  it('parses strings with escapes, nested arrays, booleans and null', () => {
    const v = parseJson(
      '{"s": "a\\"b\\u00e9\\n", "arr": [[1, 2], [], {}], "t": true, "f": false, "n": null}',
    );
    assert.deepEqual(JSON.parse(JSON.stringify(v)), {
      s: 'a"bé\n',
      arr: [[1, 2], [], {}],
      t: true,
      f: false,
      n: null,
    });
  });

  for (const [name, text] of [
    ['duplicate key with an equal value', '{"a": 1, "a": 1}'],
    ['duplicate key with another value', '{"dtype": "int32", "dtype": "int64"}'],
    ['trailing comma', '{"a": 1,}'],
    ['leading zero', '{"a": 01}'],
    ['NaN', '{"a": NaN}'],
    ['single quotes', "{'a': 1}"],
    ['trailing data', '{"a": 1} {}'],
    ['empty input', ''],
    ['unterminated string', '{"a": "b'],
    ['raw control character', '{"a": "\u0001"}'],
    ['deep nesting', `${'['.repeat(100)}${']'.repeat(100)}`],
  ] as const) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseJson(text), JsonSyntaxError);
    });
  }

  it('names the duplicate key', () => {
    assert.throws(() => parseJson('{"offset": 1, "offset": 2}'), /duplicate key "offset"/);
  });

  it('does not let __proto__ keys touch the prototype', () => {
    const v = parseJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), null);
    assert.ok(Object.hasOwn(v, '__proto__'));
  });
});
