/** Keeps the README in step with the code: every setting and every error code is documented with its status. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SETTINGS } from '../../src/config.js';
import { COMPRESSION_IDS, FILTER_IDS } from '../../src/decode/registry.js';
import { ERROR_STATUS } from '../../src/http/error-response.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two set-up commands', () => {
    const firstScreen = readme.split('\n').slice(0, 40).join('\n');
    assert.match(firstScreen, /npm ci && npm start/);
    assert.match(firstScreen, /npm test/);
  });

  it('documents every setting with its flag and environment variable', () => {
    for (const s of Object.values(SETTINGS)) {
      assert.ok(readme.includes(`| \`--${s.flag}\` | \`${s.env}\` |`), `README lacks a row for --${s.flag}`);
    }
  });

  it('lists every codec id in the codec table', () => {
    for (const id of [...COMPRESSION_IDS, ...FILTER_IDS]) {
      assert.ok(new RegExp(`^\\| [^|]*\`${id}\``, 'm').test(readme), `README's codec table lacks ${id}`);
    }
  });

  it('documents every error code with the status it maps to', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.ok(readme.includes(`| \`${code}\` | ${status} |`), `README lacks a row for ${code} → ${status}`);
    }
  });
});
