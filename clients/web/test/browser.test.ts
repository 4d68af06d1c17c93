import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type LocalStack, startStack } from '@sluice/local';
import type { Page } from 'playwright-core';
import {
  type Browser,
  CHROMIUM,
  collectPageErrors,
  eventually,
  FIXTURES,
  launch,
  screenshot,
} from './browser';

/*
 * The page in a real browser against the real local stack: drag-and-drop upload through Uppy to
 * S3, the asset going through the pipeline, the gallery, the details page, search, the dashboard
 * and the architecture page, at desktop and phone sizes. Screenshots land in
 * test-results/screenshots/.
 */

const WEB_ROOT = path.resolve(__dirname, '../dist');
const PHOTOS = ['jpeg/baseline-canon-40d.jpg', 'png/palette.png'];
const BROKEN = 'broken/corrupt-header.jpg';

let stack: LocalStack;
let browser: Browser;
let page: Page;
let errors: string[];
const uploaded: Record<string, string> = {};

beforeAll(async () => {
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) {
    throw new Error(
      `${WEB_ROOT} is not built: run npm run build -w @sluice/web (turbo's test task does it first)`,
    );
  }
  if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const logsDir = path.join(__dirname, '../test-results/stack-logs');
  rmSync(logsDir, { recursive: true, force: true });
  stack = await startStack({
    stateFile: false,
    namePrefix: 'web-browser-test',
    webRoot: WEB_ROOT,
    logsDir,
  });
  browser = await launch();
  page = await browser.context.newPage();
  errors = collectPageErrors(page);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  // Failed asset lookups while the pipeline runs are expected 404s; anything else is a bug.
  const unexpected = errors.filter((e) => !/404 \(Not Found\)/.test(e));
  errors.length = 0;
  expect(unexpected).toEqual([]);
});

/** Drops files on the Uppy dashboard the way a desktop drag and drop does: a DataTransfer on drop. */
async function dropFiles(target: string, files: string[]): Promise<void> {
  const payload = files.map((file) => ({
    name: path.basename(file),
    type: file.endsWith('.png') ? 'image/png' : 'image/jpeg',
    base64: readFileSync(path.join(FIXTURES, file)).toString('base64'),
  }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return dt;
  }, payload);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent(target, type, { dataTransfer: transfer });
  }
}

test('uploads photos dropped on the page, with per-file progress, and they go through the pipeline', async () => {
  await page.goto(`${stack.webUrl}#/upload`);
  await page.getByRole('heading', { name: 'Upload' }).waitFor();
  await page.getByText('Tenant').waitFor();
  await dropFiles('.uppy-Dashboard-AddFiles', [...PHOTOS, BROKEN]);
  await page.getByText('baseline-canon-40d.jpg').first().waitFor();
  await screenshot(page, 'upload-1-dropped');
  await page.locator('.uppy-StatusBar-actionBtn--upload').click();
  await page.getByRole('status').filter({ hasText: '3 files uploaded' }).waitFor({ timeout: 60_000 });
  await screenshot(page, 'upload-2-uploaded');

  const recent = JSON.parse(
    (await page.evaluate(() => localStorage.getItem('sluice.recentUploads'))) ?? '[]',
  ) as {
    assetId: string;
    fileName: string;
  }[];
  for (const entry of recent) uploaded[entry.fileName] = entry.assetId;
  expect(Object.keys(uploaded).sort()).toEqual([
    'baseline-canon-40d.jpg',
    'corrupt-header.jpg',
    'palette.png',
  ]);

  // Each card follows its asset: photos end Ready, the broken file Rejected.
  const cards = page.getByRole('list', { name: 'Recent uploads' });
  const card = (name: string) => cards.getByRole('listitem').filter({ hasText: name });
  await card('baseline-canon-40d.jpg').getByText('Ready', { exact: true }).waitFor({ timeout: 90_000 });
  await card('palette.png').getByText('Ready', { exact: true }).waitFor({ timeout: 90_000 });
  await card('corrupt-header.jpg').getByText('Rejected', { exact: true }).waitFor({ timeout: 90_000 });
  // Ready photos show a rendition from its short-lived URL.
  const image = card('baseline-canon-40d.jpg').locator('img');
  await expect(image.getAttribute('src')).resolves.toMatch(/renditions/);
  await eventually(
    'the thumbnail to load',
    () => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)),
    (width) => width > 0,
  );
  // Behind it, the placeholder decoded from the manifest's ThumbHash, drawn while the image loads.
  await expect(
    card('baseline-canon-40d.jpg')
      .locator('.thumb')
      .evaluate((el) => getComputedStyle(el).backgroundImage),
  ).resolves.toMatch(/^url\("data:image\/png;base64,/);
  await screenshot(page, 'upload-3-processed');
});

test('the gallery lists the processed assets, newest first, with their renditions', async () => {
  await page.goto(`${stack.webUrl}#/gallery`);
  const grid = page.getByRole('list', { name: 'Assets' });
  await grid.getByRole('listitem').filter({ hasText: 'baseline-canon-40d.jpg' }).waitFor();
  await grid.getByRole('listitem').filter({ hasText: 'palette.png' }).waitFor();
  await grid.locator('img').first().waitFor();
  await screenshot(page, 'gallery');
});

test('asset details show metadata, every stage, and a rejection with its reason', async () => {
  await page.goto(`${stack.webUrl}#/gallery`);
  await page.getByRole('link', { name: /baseline-canon-40d\.jpg/ }).click();
  await page.getByRole('heading', { level: 1, name: 'baseline-canon-40d.jpg' }).waitFor();
  const stages = page.locator('ol.stages li');
  const texts = (await stages.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
  expect(texts).toEqual([
    '✔ Uploaded to the ingest bucket (done)',
    '✔ Processed: renditions and metadata (done)',
    '✔ Indexed for search (done)',
    '✔ Original archived to cold storage (done)',
  ]);
  await expect(page.locator('dl.meta').textContent()).resolves.toMatch(/Dimensions\s*100×68/);
  await expect(page.locator('dl.meta').textContent()).resolves.toMatch(/Camera\s*Canon · Canon EOS 40D/);
  await expect(page.getByRole('table').textContent()).resolves.toMatch(/thumb\.webp/);
  await screenshot(page, 'details');

  await page.goto(`${stack.webUrl}#/assets/${uploaded['corrupt-header.jpg']}`);
  await page.getByRole('heading', { level: 1, name: 'corrupt-header.jpg' }).waitFor();
  await expect(page.locator('ol.stages li.rejected').textContent()).resolves.toMatch(
    /Rejected at \S+: undecodable-image/,
  );
  await screenshot(page, 'details-rejected');
});

test('search finds an asset by name, filters by kind and width, and "more like this" ranks by similarity', async () => {
  await page.goto(`${stack.webUrl}#/search`);
  await page.getByLabel('Words').fill('palette');
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByRole('list', { name: 'Results' });
  await results.getByRole('listitem').filter({ hasText: 'palette.png' }).waitFor();
  await expect(results.getByRole('listitem').count()).resolves.toBe(1);
  await screenshot(page, 'search-text');

  await page.goto(`${stack.webUrl}#/search?kind=image&minWidth=90`);
  await results.getByRole('listitem').filter({ hasText: 'baseline-canon-40d.jpg' }).waitFor();
  await expect(results.getByText('palette.png').count()).resolves.toBe(0);

  await page.goto(`${stack.webUrl}#/assets/${uploaded['palette.png']}`);
  await page.getByRole('link', { name: 'More like this' }).click();
  await page.getByText(/More like/).waitFor();
  await results.getByRole('listitem').filter({ hasText: 'baseline-canon-40d.jpg' }).waitFor();
  await screenshot(page, 'search-similar');
});

test('the dashboard charts throughput, latency by stage, failures by reason and queue depths from the logs', async () => {
  await page.goto(`${stack.webUrl}#/dashboard`);
  const latency = page.getByRole('img', { name: /Latency by stage/ });
  await eventually(
    'process latencies',
    () => latency.getAttribute('aria-label'),
    (label) => /process: p50 \d/.test(label ?? ''),
  );
  await expect(
    page.getByRole('img', { name: /Failures by reason/ }).getAttribute('aria-label'),
  ).resolves.toMatch(/undecodable-image \(process\): rejected 1/);
  await expect(
    page.getByRole('img', { name: /Queue and dead-letter queue depths/ }).getAttribute('aria-label'),
  ).resolves.toMatch(/processor-dlq: waiting 0/);
  await expect(page.getByRole('img', { name: /Throughput/ }).getAttribute('aria-label')).resolves.toMatch(
    /process [1-9]/,
  );
  await screenshot(page, 'dashboard');
});

test('the architecture page draws every service, bucket, topic and queue of the topology', async () => {
  await page.goto(`${stack.webUrl}#/architecture`);
  const diagram = page.getByRole('img', { name: 'Sluice architecture diagram' });
  await diagram.waitFor();
  for (const node of [
    'service:ingest',
    'service:processor',
    'bucket:archive',
    'topic:pipeline-events',
    'dlq:processor-dlq',
  ]) {
    await expect(page.locator(`[data-node="${node}"]`).count()).resolves.toBe(1);
  }
  await screenshot(page, 'architecture');
});

test('phone-sized: keyboard navigation, skip link, and the gallery in one column', async () => {
  const phone = await browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${stack.webUrl}#/gallery`);
  const phoneGrid = phone.getByRole('list', { name: 'Assets' });
  await phoneGrid
    .getByRole('listitem')
    .filter({ hasText: 'palette.png' })
    .getByText('Ready', { exact: true })
    .waitFor();
  await phoneGrid
    .getByRole('listitem')
    .filter({ hasText: 'baseline-canon-40d.jpg' })
    .getByText('Ready', { exact: true })
    .waitFor();
  await phone.keyboard.press('Tab');
  await expect(phone.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
  await phone.keyboard.press('Enter');
  await expect(phone.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
  // Nothing wider than the screen.
  await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
  await screenshot(phone, 'phone-gallery');
  await phone.goto(`${stack.webUrl}#/dashboard`);
  await phone.getByRole('img', { name: /Latency by stage/ }).waitFor();
  await expect(phone.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
  await screenshot(phone, 'phone-dashboard');
  await phone.close();
});
