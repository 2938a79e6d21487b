// Opens an HTML file in Debian's headless Chromium and checks that it is a quiet, self-contained
// page: no console errors or warnings, no uncaught exceptions, no request to anything but the file
// itself. Takes a full-page screenshot for a person to look at.
//
//   node tests/browser/check_html.mjs report.html report.png
//
// Prints one summary line (then one line per problem) and exits 0 when there were no problems,
// 1 when there were, 2 on bad usage or when the browser could not be run.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const [htmlArg, pngArg] = process.argv.slice(2);
if (!htmlArg || !pngArg || process.argv.length > 4) {
  console.error('usage: node check_html.mjs <html file> <screenshot.png>');
  process.exit(2);
}
const htmlPath = resolve(htmlArg);
if (!existsSync(htmlPath)) {
  console.error(`check_html: no such file: ${htmlPath}`);
  process.exit(2);
}
const pageUrl = pathToFileURL(htmlPath).href;

const problems = [];
const profile = mkdtempSync(join(tmpdir(), 'gavel-check-html-'));
let context;
let exitCode = 2;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    const type = msg.type();
    if (type === 'error' || type === 'warning') problems.push(`console ${type}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // Any request other than the page itself is a problem, even one that would fail: a
  // self-contained report loads nothing. Requests that would leave the host are aborted.
  page.on('request', (req) => {
    const url = req.url();
    if (url !== pageUrl && !url.startsWith('data:')) problems.push(`request: ${url}`);
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort();
  });

  await page.goto(pageUrl, { waitUntil: 'load', timeout: 30000 });
  await page.waitForTimeout(300);  // late errors from timers and deferred loads
  await page.screenshot({ path: resolve(pngArg), fullPage: true });
  const title = await page.title();
  const unique = [...new Set(problems)];
  console.log(`check_html: ${unique.length === 0 ? 'OK' : 'FAIL'} ${htmlPath} (title "${title}"): ` +
              `${unique.length} problem(s); screenshot ${resolve(pngArg)}`);
  for (const p of unique) console.log(`  ${p}`);
  exitCode = unique.length === 0 ? 0 : 1;
} catch (err) {
  console.error(`check_html: could not check ${htmlPath}: ${err.message}`);
  exitCode = 2;
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
process.exit(exitCode);
