/**
 * The docs page in a real headless browser (Debian's chromium through playwright-core, never a downloaded one):
 * every operation of both API versions is listed, a request sent from the page's panel against the seeded demo
 * store shows the decoded result, no request leaves this server, and a screenshot lands in test-output/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { DemoStore } from '../../src/demo/demo-store.js';
import { OP_NAMES } from '../../src/ops/registry.js';
import { startDemo } from '../support/demo.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join('test-output', 'docs-page.png');
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is absent (install Debian's chromium: apt-get install chromium; .ci/run does)`;

// The test compiles without DOM types; these callbacks run in the page, where `document` exists.
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

/** Waits until the element's text contains `text`. */
function waitForText(page: Page, selector: string, text: string) {
  return page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent?.includes(want) === true,
    [selector, text] as const,
    { timeout: 10_000 },
  );
}

describe('docs page in headless chromium', { skip }, () => {
  let store: DemoStore;
  let app: FastifyInstance;
  let origin: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    ({ store, app, origin } = await startDemo());
    profile = mkdtempSync(join(tmpdir(), 's3as-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (req) => requested.push(req.url()));
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await page.goto(`${origin}/docs`);
    await page.waitForSelector('#try-send:not([disabled])', { timeout: 20_000 });
    await page.waitForSelector('.opblock', { timeout: 20_000 });
  });

  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await app?.close();
    await store?.close();
  });

  test('Swagger UI lists every operation of both versions', async () => {
    const paths = await page.$$eval('.opblock-summary-path', (els) =>
      els.map((el) => el.getAttribute('data-path')),
    );
    for (const version of ['v1', 'v2']) {
      for (const op of OP_NAMES)
        assert.ok(paths.includes(`/${version}/${op}`), `/${version}/${op} not listed`);
    }
  });

  test('the request panel offers every operation of both versions', async () => {
    for (const version of ['v1', 'v2']) {
      await page.selectOption('#try-version', version);
      const ops = await page.$$eval('#try-op option', (els) => els.map((el) => el.getAttribute('value')));
      assert.deepEqual([...ops].sort(), [...OP_NAMES].sort(), `${version} operations`);
    }
  });

  test('a v2 sum sent from the panel shows the decoded CBOR result', async () => {
    await page.selectOption('#try-version', 'v2');
    await page.selectOption('#try-op', 'sum');
    await page.selectOption('#try-example', 'arange');
    const example = JSON.parse(await page.inputValue('#try-body')) as { url: string };
    assert.equal(example.url, 'http://localhost:9000/sample-data/data-float32.dat');
    // The page's examples name the store `npm start` runs; this one listens on a port chosen at run time.
    const body = { ...example, url: `${store.url}/sample-data/data-float32.dat` };
    await page.fill('#try-body', JSON.stringify(body, null, 2));
    assert.equal(await page.inputValue('#try-user'), 'minioadmin');
    await page.click('#try-send');
    await page.waitForSelector('#try-result [data-field="values"]', { timeout: 10_000 });
    const field = (name: string) => page.textContent(`#try-result [data-field="${name}"]`);
    assert.equal(await field('values'), '45.0'); // numpy.arange(10, dtype='float32').sum()
    assert.equal(await field('dtype'), 'float32');
    assert.equal(await field('shape'), '[]');
    assert.equal(await field('count'), '[10]');
    assert.match((await page.textContent('#try-status')) ?? '', /→ 200 OK \(application\/cbor, \d+ bytes\)/);
  });

  test('a v1 count sent from the panel shows values from the raw bytes and headers', async () => {
    await page.selectOption('#try-version', 'v1');
    await page.selectOption('#try-op', 'count');
    await page.selectOption('#try-example', 'contract-E');
    const body = { ...JSON.parse(await page.inputValue('#try-body')), source: store.url };
    await page.fill('#try-body', JSON.stringify(body));
    // Bucket `sample` is public-read: the panel sends no Authorization header when both keys are empty.
    await page.fill('#try-user', '');
    await page.fill('#try-password', '');
    await page.click('#try-send');
    await waitForText(page, '#try-status', '/v1/count →');
    const field = (name: string) => page.textContent(`#try-result [data-field="${name}"]`);
    assert.equal(await field('values'), '[1, 2, 1]'); // API.md §13 E
    assert.equal(await field('dtype'), 'int64');
    assert.equal(await field('count'), '[1, 2, 1]');
  });

  test('an error from the server is shown with its message and causes', async () => {
    await page.selectOption('#try-version', 'v2');
    await page.selectOption('#try-op', 'sum');
    await page.selectOption('#try-example', 'arange');
    const body = {
      ...JSON.parse(await page.inputValue('#try-body')),
      url: `${store.url}/sample-data/absent.dat`,
    };
    await page.fill('#try-body', JSON.stringify(body));
    await page.fill('#try-user', 'minioadmin');
    await page.fill('#try-password', 'minioadmin');
    await page.click('#try-send');
    await waitForText(page, '#try-status', '→ 400');
    const causes = await page.$$eval('#try-result [data-field="caused_by"]', (els) =>
      els.map((el) => el.textContent),
    );
    assert.ok(
      causes.some((c) => c?.includes('NoSuchKey')),
      `caused_by: ${JSON.stringify(causes)}`,
    );
  });

  test('the page loads nothing from another origin and logs no errors; screenshot saved', async () => {
    // Leave the page showing the panel's result for the screenshot.
    await page.fill(
      '#try-body',
      JSON.stringify(
        {
          interface_type: 's3',
          url: `${store.url}/sample-data/data-float32.dat`,
          dtype: 'float32',
        },
        null,
        2,
      ),
    );
    await page.click('#try-send');
    await waitForText(page, '#try-result [data-field="values"]', '45.0');
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
    const foreign = requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
    assert.deepEqual(foreign, []);
    assert.deepEqual(
      consoleErrors.filter((e) => !/status of 40[01]/.test(e)),
      [],
    );
  });
});
