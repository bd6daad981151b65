// Drives the map in Chromium as a person would, and a page of a front-end
// developer's own that uses only the TileJSON URLs.
//
//   node web/browsertest/map.mjs BASE_URL OUT_DIR
//
// BASE_URL is a running `shiptrack serve` holding the bundled case. The
// screenshots go to OUT_DIR. Exits non-zero, saying what failed, when the
// map does not behave. Run by TestMapInBrowser in cmd/shiptrack.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node map.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const SEA = 'nk-ru-2023-09-sea';
const RAIL = 'nk-ru-2023-09-rail';
const ANGARA = 'angara-rajin-dunay-2023-sea'; // under way on 1 September 2023, before SEA departs
const legLayers = ['legs-solid', 'legs-modeled', 'legs-schematic'];

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

const profile = mkdtempSync(path.join(tmpdir(), 'shiptrack-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.SHIPTRACK_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
});
try {
  await theMap(browser);
  await frontEndDeveloper(browser);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${failures === 0 ? 'PASS' : 'FAIL'}: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);

// watch records what a page got wrong: script errors, console errors, and
// requests that failed or were refused.
function watch(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  page.on('requestfailed', (r) => {
    // MapLibre cancels the tiles of a view it has moved away from.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return problems;
}

// idle waits until the map has drawn everything it has asked for.
async function idle(page) {
  await page.evaluate(() => new Promise((resolve) => {
    const m = window.map;
    m.triggerRepaint();
    if (m.loaded() && m.areTilesLoaded() && !m.isMoving()) { resolve(); return; }
    m.once('idle', () => resolve());
  }));
}

// rendered lists the ids of the features of the given layers drawn on
// screen.
function rendered(page, layers) {
  return page.evaluate((layers) => {
    const have = layers.filter((l) => window.map.getLayer(l));
    return [...new Set(window.map.queryRenderedFeatures({ layers: have }).map((f) => f.properties.id))];
  }, layers);
}


async function theMap(context) {
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await idle(page);

  const land = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['land'] }).length);
  check(land > 0, `the basemap's land is drawn (${land} features on screen)`);
  let legs = await rendered(page, legLayers);
  check(legs.includes(SEA), `the Najin → Dunay sea leg ${SEA} is drawn (drawn: ${legs.join(', ')})`);
  check(legs.includes(RAIL), `the rail leg ${RAIL} is drawn`);
  const places = await rendered(page, ['places']);
  check(places.includes('najin') && places.includes('tikhoretsk'), `Najin and the Tikhoretsk depot are drawn (drawn: ${places.length} places)`);
  const labels = await page.locator('.place-label', { hasText: 'Najin' }).count();
  check(labels === 1, 'Najin is labelled');
  check(await page.locator('#timeline .bar[data-leg="' + SEA + '"]').count() === 1, 'the timeline has a bar for the sea leg');
  await page.screenshot({ path: path.join(outDir, 'map.png') });

  // The slider, with the keyboard: the first day, then on to 1 September
  // 2023, a week before the first departure of the White House shipment.
  const slider = page.locator('#time');
  await slider.focus();
  await page.keyboard.press('Home');
  let shown = await page.locator('#date').textContent();
  for (let i = 0; i < 40 && shown !== '1 Sep 2023'; i++) {
    await page.keyboard.press('ArrowRight');
    shown = await page.locator('#date').textContent();
  }
  check(shown === '1 Sep 2023', `the slider reaches 1 Sep 2023 (shows ${shown})`);
  await idle(page);
  legs = await rendered(page, legLayers);
  check(!legs.includes(SEA) && !legs.includes(RAIL), `on 1 Sep 2023 the shipment's legs are gone (drawn: ${legs.join(', ')})`);
  check(legs.includes(ANGARA), `on 1 Sep 2023 Angara's passages, under way then, are drawn`);
  check(new URL(page.url()).searchParams.get('t') === '2023-09-01', `the URL keeps the date (${page.url()})`);
  await page.screenshot({ path: path.join(outDir, 'before-departure.png') });

  // Play: the date moves on by itself, and stops when asked.
  await page.click('#play');
  await page.waitForFunction(() => document.getElementById('date').textContent !== '1 Sep 2023');
  await page.click('#play');
  const played = await page.locator('#date').textContent();
  check(/Sep 2023$/.test(played) && played !== '1 Sep 2023', `play moves the date on (now ${played})`);

  // A shared link opens at the same date and view.
  await page.keyboard.press('Escape');
  const shared = page.url();
  const view = await page.evaluate(() => window.map.getZoom());
  await page.goto(shared);
  await page.waitForSelector('body[data-ready="true"]');
  await idle(page);
  check(await page.locator('#date').textContent() === played, `the shared link ${shared} opens on ${played}`);
  check(Math.abs(await page.evaluate(() => window.map.getZoom()) - view) < 0.01, 'the shared link keeps the view');

  // Every date again, then a click on the sea leg, close up.
  await page.click('#all');
  check(new URL(page.url()).searchParams.get('t') === null, 'all dates drops the date from the URL');
  await page.evaluate(() => window.map.jumpTo({ center: [131.3, 42.55], zoom: 7 }));
  await idle(page);
  // The middle of the line's middle segment: on the line whether it is
  // schematic (one segment) or modeled.
  const at = await page.evaluate(([id, layers]) => {
    const f = window.map.queryRenderedFeatures({ layers }).find((x) => x.properties.id === id);
    if (!f) return null;
    const cs = f.geometry.type === 'LineString' ? f.geometry.coordinates : f.geometry.coordinates[0];
    const i = Math.floor((cs.length - 2) / 2);
    const a = window.map.project(cs[i]), b = window.map.project(cs[i + 1]);
    return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  }, [SEA, legLayers]);
  check(at !== null, 'the sea leg is on screen close up');
  if (at) {
    await page.mouse.click(at.x, at.y);
    const choice = page.locator(`.maplibregl-popup button[data-leg="${SEA}"]`);
    await page.waitForSelector('.maplibregl-popup h3');
    if (await choice.count()) await choice.click();
    await page.waitForFunction((id) => {
      const p = document.querySelector('.maplibregl-popup');
      return p && p.textContent.includes(`id ${id}`) && p.textContent.includes('Sources for this leg');
    }, SEA);
    const leg = await (await fetch(`${base}/api/legs/${SEA}`)).json();
    const shipment = await (await fetch(`${base}/api/shipments/${leg.properties.shipment}`)).json();
    const text = await page.locator('.maplibregl-popup').textContent();
    check(text.includes(shipment.properties.title), 'the popup names the shipment');
    check(text.includes('1000 containers of military equipment and munitions'), 'the popup gives the cargo');
    check(text.includes('7 Sep 2023 – 1 Oct 2023'), 'the popup gives the departure window');
    check(text.includes('confidence medium'), 'the popup gives the confidence');
    const links = await page.locator('.maplibregl-popup a').evaluateAll((as) => as.map((a) => a.href));
    for (const c of [...leg.properties.sources, ...shipment.properties.sources]) {
      check(text.includes(c.publisher) && text.includes(c.claim), `the popup lists ${c.source} with its claim`);
      if (c.url) check(links.includes(c.url), `the popup links ${c.source}: ${c.url}`);
      else check(text.includes(`${c.title} (no link recorded)`), `the popup says ${c.source} has no link recorded`);
    }
    await page.locator('.maplibregl-popup .scroll').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.screenshot({ path: path.join(outDir, 'popup.png') });

    // The other legs on the same line: Angara's passages cite a source
    // with a link, which the popup makes a link to follow.
    await page.locator(`.maplibregl-popup button[data-leg="${ANGARA}"]`).click();
    await page.waitForFunction((id) => document.querySelector('.maplibregl-popup').textContent.includes(`id ${id}`), ANGARA);
    const angara = await (await fetch(`${base}/api/legs/${ANGARA}`)).json();
    const angaraShipment = await (await fetch(`${base}/api/shipments/${angara.properties.shipment}`)).json();
    const withURL = [...angara.properties.sources, ...angaraShipment.properties.sources].filter((c) => c.url);
    check(withURL.length > 0, `${ANGARA} cites a source with a link`);
    for (const c of withURL) {
      const a = page.locator(`.maplibregl-popup a[href="${c.url}"]`);
      check(await a.count() === 1 && await a.getAttribute('target') === '_blank', `the popup links ${c.source} to open in a new tab: ${c.url}`);
    }
  }
  // Layer toggles: rail legs off and on again, kept in the URL.
  await page.keyboard.press('Escape');
  const rail = page.locator('#layers input[value="rail"]');
  await rail.uncheck();
  await idle(page);
  legs = await rendered(page, legLayers);
  check(!legs.includes(RAIL) && legs.includes(SEA), `with rail legs off, the rail leg is hidden and the sea leg drawn (drawn: ${legs.join(', ')})`);
  check(new URL(page.url()).searchParams.get('hide') === 'rail', `the URL keeps the hidden layer (${page.url()})`);
  await rail.check();
  await idle(page);
  check((await rendered(page, legLayers)).includes(RAIL), 'with rail legs on again, the rail leg is drawn');

  // The timeline: a leg's bar opens that leg.
  await page.locator(`#timeline .bar[data-leg="${RAIL}"]`).click();
  const opened = await page.waitForFunction((id) => {
    const p = document.querySelector('.maplibregl-popup');
    return p && p.textContent.includes(`id ${id}`);
  }, RAIL, { timeout: 15_000 }).then(() => true, () => false);
  check(opened, 'the rail leg\'s bar on the timeline opens the rail leg');

  check(problems.length === 0, `the page raised no errors${problems.length ? `: ${problems.join('; ')}` : ''}`);
  await page.close();
}

// frontEndDeveloper loads a page from another origin with the developer's
// own copy of MapLibre and a style that names nothing of shiptrack's but
// the TileJSON URL.
async function frontEndDeveloper(context) {
  const page = await context.newPage();
  const problems = watch(page);
  const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'maplibre-gl', 'dist');
  const html = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><div id="map" style="width:900px;height:600px"></div>
<script type="module">
import * as maplibregl from '/maplibre-gl.mjs';
window.map = new maplibregl.Map({
  container: 'map', center: [90, 50], zoom: 2.2,
  style: {
    version: 8,
    sources: { legs: { type: 'vector', url: ${JSON.stringify(`${base}/tiles/legs.json`)} } },
    layers: [
      { id: 'paper', type: 'background', paint: { 'background-color': '#fdfdf8' } },
      { id: 'legs', type: 'line', source: 'legs', 'source-layer': 'legs',
        paint: { 'line-color': ['match', ['get', 'mode'], 'sea', '#06c', '#c30'], 'line-width': 3 } },
    ],
  },
});
</script>`;
  // The developer's own server, on another origin (another port).
  const server = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(html);
      return;
    }
    const file = path.basename(new URL(req.url, 'http://x').pathname);
    if (!/^maplibre-gl(-worker)?\.mjs$/.test(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    res.end(readFileSync(path.join(dist, file)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.map && window.map.loaded());
  await idle(page);
  const legs = await rendered(page, ['legs']);
  check(legs.includes(SEA) && legs.includes(RAIL), `a style with only the TileJSON URL draws the legs (drawn: ${legs.join(', ')})`);
  await page.screenshot({ path: path.join(outDir, 'frontend.png') });
  check(problems.length === 0, `the front-end page raised no errors${problems.length ? `: ${problems.join('; ')}` : ''}`);
  await page.close();
  server.close();
}
