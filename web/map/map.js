// The shiptrack map: MapLibre GL JS over an offline Natural Earth basemap,
// the store's vector tile layers, a time slider and a timeline. Everything
// it loads comes from this server. The view is kept in the URL's hash
// (#map=zoom/lat/lon), the date and hidden layers in its query (?t=, ?hide=),
// so a link shows what its sender saw.
import * as maplibregl from './vendor/maplibre-gl.mjs';

const DAY = 86400;
const colors = { sea: '#1f5fa8', rail: '#a8321e', road: '#d98a00', air: '#d98a00', track: '#0f8f86', gap: '#c2185b', observation: '#6a3fa0' };
const status = document.getElementById('status');
const say = (msg) => { status.textContent = msg; };

// State that the URL carries.
const params = new URLSearchParams(location.search);
const hidden = new Set((params.get('hide') || '').split(',').filter(Boolean));
let day = null; // seconds since 1970 at 00:00 UTC of the day shown, or null for every date

const abs = (path) => new URL(path, location.href).href;
const tileSource = (layer) => ({ type: 'vector', url: abs(`/tiles/${layer}.json`) });

// Lines: one layer per kind of geometry, so that each has its own dashes.
const modeColor = ['match', ['get', 'mode'], 'sea', colors.sea, 'rail', colors.rail, colors.road];
const legWidth = ['interpolate', ['linear'], ['zoom'], 2, 2, 6, 3.5, 10, 5];
const legLayers = [
  { id: 'legs-solid', kinds: ['observed', 'reported'], dash: null },
  { id: 'legs-modeled', kinds: ['modeled'], dash: [3, 1.5] },
  { id: 'legs-schematic', kinds: ['schematic'], dash: [1.2, 1.2] },
];

// Each data layer: its base filter and whether the time slider filters it.
const dataLayers = [
  { id: 'tracks', source: 'tracks', type: 'line', timed: true,
    paint: { 'line-color': colors.track, 'line-width': 1.6, 'line-opacity': 0.9 } },
  ...legLayers.map((l) => ({
    id: l.id, source: 'legs', type: 'line', timed: true,
    filter: ['in', ['get', 'geometry_kind'], ['literal', l.kinds]],
    layout: { 'line-cap': l.dash ? 'butt' : 'round', 'line-join': 'round' },
    paint: { 'line-color': modeColor, 'line-width': legWidth, 'line-opacity': 0.85, ...(l.dash ? { 'line-dasharray': l.dash } : {}) },
  })),
  { id: 'gaps', source: 'gaps', type: 'line', timed: true,
    paint: { 'line-color': colors.gap, 'line-width': ['case', ['get', 'dark'], 2.5, 1.5], 'line-dasharray': [0.5, 1.5] } },
  { id: 'positions', source: 'positions', type: 'circle', timed: true,
    paint: { 'circle-color': colors.track, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 3, 1.5, 10, 4], 'circle-stroke-color': '#fff', 'circle-stroke-width': 0.5 } },
  { id: 'observations', source: 'observations', type: 'circle', timed: true,
    paint: { 'circle-color': colors.observation, 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } },
  { id: 'places', source: 'places', type: 'symbol', timed: false,
    layout: { 'icon-image': ['concat', 'place-', ['get', 'kind']], 'icon-allow-overlap': true, 'icon-ignore-placement': true,
      'icon-size': ['interpolate', ['linear'], ['zoom'], 2, 0.75, 6, 1] } },
];

// Which toggle shows which layers; the leg toggles filter the legs by mode.
const legModes = { sea: ['sea'], rail: ['rail'], road: ['road', 'air'] };
const toggleLayers = { places: ['places'], tracks: ['tracks'], gaps: ['gaps'], positions: ['positions'], observations: ['observations'] };

const empty = { type: 'FeatureCollection', features: [] };
const sharedView = /(^|[#&])map=/.test(location.hash); // MapLibre writes its own at once
const map = new maplibregl.Map({
  container: 'map',
  hash: 'map',
  center: [88, 50],
  zoom: 2.4,
  attributionControl: { compact: false },
  style: {
    version: 8,
    sources: {
      land: { type: 'geojson', data: empty, attribution: 'Basemap: <a href="https://www.naturalearthdata.com/">Natural Earth</a> (public domain), via world-atlas' },
      borders: { type: 'geojson', data: empty },
      places: tileSource('places'), legs: tileSource('legs'), tracks: tileSource('tracks'),
      gaps: tileSource('gaps'), positions: tileSource('positions'), observations: tileSource('observations'),
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#cadbe6' } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': '#f2efe6' } },
      { id: 'coast', type: 'line', source: 'land', paint: { 'line-color': '#93aab8', 'line-width': 0.6 } },
      { id: 'borders', type: 'line', source: 'borders', paint: { 'line-color': '#a39390', 'line-width': 0.8, 'line-dasharray': [3, 2] } },
      ...dataLayers.map(({ timed, ...l }) => ({ ...l, 'source-layer': l.source })),
    ],
  },
});
window.map = map;
// Resolves once the style has loaded, however late it is asked.
const styleLoaded = new Promise((resolve) => map.once('load', resolve));
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
map.addControl(new maplibregl.ScaleControl(), 'bottom-right');
map.on('error', (e) => { console.error(e.error || e); say(`Map error: ${e.error ? e.error.message : e}`); });

// The basemap: Natural Earth 1:50m land and the borders between countries.
Promise.all([fetch('/map/vendor/land-50m.json'), fetch('/map/vendor/countries-50m.json')])
  .then((rs) => Promise.all(rs.map((r) => { if (!r.ok) throw new Error(`${r.url}: ${r.status}`); return r.json(); })))
  .then(([land, countries]) => {
    const set = () => {
      map.getSource('land').setData(unwrap(topojson.feature(land, land.objects.land)));
      map.getSource('borders').setData(unwrap(topojson.mesh(countries, countries.objects.countries, (a, b) => a !== b)));
    };
    styleLoaded.then(set);
  })
  .catch((e) => say(`Basemap: ${e.message}`));

// unwrap makes each ring and line of world-atlas's geometry continuous
// across the antimeridian: the TopoJSON is stitched for spherical drawing,
// so a ring round Chukotka jumps from 180° to -180°, which a flat map draws
// as a band across the world. Longitudes past 180° are what MapLibre's
// GeoJSON tiler wraps round to the other side.
function unwrap(g) {
  const line = (cs) => {
    let shift = 0;
    return cs.map((c, i) => {
      if (i > 0) {
        const d = c[0] - cs[i - 1][0];
        if (d > 180) shift -= 360;
        else if (d < -180) shift += 360;
      }
      return [c[0] + shift, c[1]];
    });
  };
  const geom = (x) => {
    switch (x.type) {
      case 'LineString': return { ...x, coordinates: line(x.coordinates) };
      case 'MultiLineString': case 'Polygon': return { ...x, coordinates: x.coordinates.map(line) };
      case 'MultiPolygon': return { ...x, coordinates: x.coordinates.map((p) => p.map(line)) };
      default: return x;
    }
  };
  if (g.type === 'FeatureCollection') return { ...g, features: g.features.map((f) => ({ ...f, geometry: geom(f.geometry) })) };
  if (g.type === 'Feature') return { ...g, geometry: geom(g.geometry) };
  return geom(g);
}

// Place symbols, drawn here so that the style needs no sprite.
function icon(draw, size = 18) {
  const ratio = 2, c = document.createElement('canvas');
  c.width = c.height = size * ratio;
  const g = c.getContext('2d');
  g.scale(ratio, ratio);
  g.lineWidth = 2;
  g.strokeStyle = '#fff';
  draw(g, size);
  return { canvas: c, image: g.getImageData(0, 0, c.width, c.height), ratio };
}
const icons = {
  port: icon((g, s) => { g.fillStyle = '#14365e'; g.beginPath(); g.arc(s / 2, s / 2, s / 2 - 2, 0, 2 * Math.PI); g.fill(); g.stroke();
    g.beginPath(); g.arc(s / 2, s / 2, 2.5, 0, 2 * Math.PI); g.fillStyle = '#fff'; g.fill(); }),
  rail_station: icon((g, s) => { g.fillStyle = '#7a2414'; g.fillRect(4, 4, s - 8, s - 8); g.strokeRect(4, 4, s - 8, s - 8); }, 16),
  rail_terminal: icon((g, s) => { g.fillStyle = '#7a2414'; g.fillRect(3, 3, s - 6, s - 6); g.strokeRect(3, 3, s - 6, s - 6);
    g.fillStyle = '#fff'; g.fillRect(s / 2 - 2, s / 2 - 2, 4, 4); }),
  depot: icon((g, s) => { g.fillStyle = '#111'; g.beginPath(); g.moveTo(s / 2, 1.5); g.lineTo(s - 1.5, s / 2); g.lineTo(s / 2, s - 1.5); g.lineTo(1.5, s / 2);
    g.closePath(); g.fill(); g.stroke(); g.fillStyle = '#e53935'; g.beginPath(); g.arc(s / 2, s / 2, 3, 0, 2 * Math.PI); g.fill(); }, 22),
  border_crossing: icon((g, s) => { g.fillStyle = '#555'; g.beginPath(); g.moveTo(s / 2, 2); g.lineTo(s - 2, s - 3); g.lineTo(2, s - 3); g.closePath(); g.fill(); g.stroke(); }),
};
map.on('styleimagemissing', (e) => {
  const ic = icons[e.id.replace(/^place-/, '')];
  if (ic) map.addImage(e.id, ic.image, { pixelRatio: ic.ratio });
});
for (const el of document.querySelectorAll('[data-sw]')) {
  const ic = icons[el.dataset.sw === 'places' ? 'port' : el.dataset.sw];
  el.style.backgroundImage = `url(${ic.canvas.toDataURL()})`;
}

// Filters: each layer's own, the leg modes shown, and the date.
function timeFilter() {
  if (day === null) return true;
  return ['all', ['<=', ['get', 'start_unix'], day + DAY - 1], ['>=', ['get', 'end_unix'], day]];
}
function applyFilters() {
  const modes = Object.entries(legModes).filter(([k]) => !hidden.has(k)).flatMap(([, m]) => m);
  for (const l of dataLayers) {
    const parts = [];
    if (l.filter) parts.push(l.filter);
    if (l.source === 'legs') parts.push(['in', ['get', 'mode'], ['literal', modes]]);
    if (l.timed) parts.push(timeFilter());
    map.setFilter(l.id, parts.length ? ['all', ...parts] : null);
  }
  for (const [toggle, ids] of Object.entries(toggleLayers)) {
    for (const id of ids) map.setLayoutProperty(id, 'visibility', hidden.has(toggle) ? 'none' : 'visible');
  }
  document.getElementById('map').classList.toggle('no-places', hidden.has('places'));
}

// The URL keeps the date and the hidden layers; MapLibre keeps the view in
// the hash and leaves the query alone.
function saveURL() {
  const q = new URLSearchParams();
  if (day !== null) q.set('t', isoDay(day));
  if (hidden.size) q.set('hide', [...hidden].sort().join(','));
  const search = q.toString();
  history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}

// Layer toggles.
for (const box of document.querySelectorAll('#layers input')) {
  box.checked = !hidden.has(box.value);
  box.addEventListener('change', () => {
    if (box.checked) hidden.delete(box.value); else hidden.add(box.value);
    applyFilters();
    saveURL();
  });
}

// Dates.
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const unix = (s) => Math.floor(Date.parse(s) / 1000);
const startOfDay = (t) => Math.floor(t / DAY) * DAY;
const isoDay = (t) => new Date(t * 1000).toISOString().slice(0, 10);
function longDay(t) {
  const d = new Date(t * 1000);
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
function windowText(w) {
  const a = unix(w.earliest), b = unix(w.latest);
  if (startOfDay(a) === startOfDay(b)) return longDay(a);
  return `${longDay(a)} – ${longDay(b)}`;
}

// The time slider runs over the days of the legs, a week either side.
const slider = document.getElementById('time');
const output = document.getElementById('date');
const playButton = document.getElementById('play');
let first = 0;
let timer = null;

function setDay(t) {
  day = t === null ? null : startOfDay(t);
  slider.classList.toggle('off', day === null);
  if (day !== null) slider.value = String(Math.round((day - first) / DAY));
  output.textContent = day === null ? 'All dates' : longDay(day);
  applyFilters();
  timeline.cursor(day);
  saveURL();
}
slider.addEventListener('input', () => { stop(); setDay(first + Number(slider.value) * DAY); });
document.getElementById('all').addEventListener('click', () => { stop(); setDay(null); });

function stop() {
  if (timer) clearInterval(timer);
  timer = null;
  playButton.textContent = '▶';
  playButton.setAttribute('aria-label', 'Play through time');
}
playButton.addEventListener('click', () => {
  if (timer) { stop(); return; }
  const last = first + Number(slider.max) * DAY;
  if (day === null || day >= last) setDay(first);
  playButton.textContent = '⏸';
  playButton.setAttribute('aria-label', 'Pause');
  timer = setInterval(() => {
    if (day >= last) { stop(); return; }
    setDay(day + DAY);
  }, 350);
});

// The timeline: a row per shipment, a bar per leg from its earliest
// departure to its latest arrival. Clicking a bar opens the leg; clicking
// elsewhere shows that day.
const timeline = (() => {
  const el = document.getElementById('timeline');
  let span = [0, 1];
  const overlay = document.createElement('div');
  overlay.className = 'overlay';
  const cursor = document.createElement('div');
  cursor.className = 'cursor';
  cursor.hidden = true;
  overlay.append(cursor);
  const pct = (t) => `${((t - span[0]) / (span[1] - span[0])) * 100}%`;
  const row = (name, cls = 'row') => {
    const r = document.createElement('div');
    r.className = cls;
    const n = document.createElement('div');
    n.className = 'name';
    n.textContent = name;
    n.title = name;
    const track = document.createElement('div');
    track.className = 'track';
    r.append(n, track);
    el.append(r);
    return track;
  };
  return {
    draw(shipments, legs, from, to) {
      span = [from, to];
      el.replaceChildren();
      const ticks = row('', 'row ticks');
      for (let d = new Date(from * 1000); d.getTime() / 1000 < to; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
        const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
        if (t < from) continue;
        const tick = document.createElement('div');
        tick.className = 'tick';
        tick.style.left = pct(t);
        tick.textContent = `${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
        ticks.append(tick);
      }
      for (const sh of shipments) {
        const track = row(sh.properties.title);
        for (const leg of legs.filter((l) => l.properties.shipment === sh.id)) {
          const p = leg.properties;
          const bar = document.createElement('div');
          bar.className = `bar ${p.mode} ${p.geometry_kind}`;
          bar.dataset.leg = leg.id;
          bar.style.left = pct(unix(p.start));
          bar.style.width = `calc(${pct(unix(p.end) + 1)} - ${pct(unix(p.start))})`;
          bar.title = `${p.origin_name || p.origin} → ${p.destination_name || p.destination} by ${p.mode}: departs ${windowText(p.depart)}, arrives ${windowText(p.arrive)}`;
          bar.addEventListener('click', (e) => { e.stopPropagation(); openLeg(leg); });
          track.append(bar);
        }
      }
      el.append(overlay);
    },
    cursor(t) {
      cursor.hidden = t === null;
      if (t !== null) cursor.style.left = `calc(${pct(t + DAY / 2)} - 1px)`;
    },
    dayAt(clientX) {
      const r = overlay.getBoundingClientRect();
      return span[0] + ((clientX - r.left) / r.width) * (span[1] - span[0]);
    },
    el,
  };
})();
timeline.el.addEventListener('click', (e) => {
  if (!e.target.closest('.track')) return;
  stop();
  setDay(Math.min(Math.max(timeline.dayAt(e.clientX), first), first + Number(slider.max) * DAY));
});

// Popups: what was clicked, with the shipment, cargo, dates, confidence and
// every source with its link and claim, read from the API.
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const cache = new Map();
function api(path) {
  if (!cache.has(path)) {
    cache.set(path, fetch(path).then((r) => { if (!r.ok) throw new Error(`${path}: ${r.status}`); return r.json(); }));
  }
  return cache.get(path);
}
function sourceList(claims) {
  if (!claims || !claims.length) return '<p class="meta">No source given.</p>';
  return `<ul class="sources">${claims.map((c) => {
    const title = `${esc(c.publisher || c.source)}${c.title ? `: ${esc(c.title)}` : ''}`;
    const link = c.url ? `<a href="${esc(c.url)}" target="_blank" rel="noopener noreferrer">${title}</a>` : `${title} <span class="meta">(no link recorded)</span>`;
    return `<li>${link}${c.published ? ` (${esc(c.published)})` : ''}<br><span class="claim">“${esc(c.claim)}”</span></li>`;
  }).join('')}</ul>`;
}
function cargoText(c) {
  return [c.qualifier, c.quantity, c.unit, c.unit ? `of ${c.description}` : c.description].filter((x) => x !== null && x !== undefined && x !== '').join(' ');
}
async function legHTML(id) {
  const leg = await api(`/api/legs/${encodeURIComponent(id)}`);
  const p = leg.properties;
  const sh = (await api(`/api/shipments/${encodeURIComponent(p.shipment)}`)).properties;
  const vessel = p.vessel_name || p.vessel;
  return `<h3>${esc(sh.title)}</h3>
    <p class="meta">${esc(sh.status)} · confidence ${esc(sh.confidence)}</p>
    <dl><dt>Cargo</dt><dd>${esc(cargoText(sh.cargo))}</dd></dl>
    <h4>Leg ${esc(p.seq)}: ${esc(p.mode)}, ${esc(p.origin_name || p.origin)} → ${esc(p.destination_name || p.destination)}</h4>
    <dl>
      ${vessel ? `<dt>Vessel</dt><dd>${esc(vessel)}</dd>` : ''}
      ${p.carrier ? `<dt>Carrier</dt><dd>${esc(p.carrier)}</dd>` : ''}
      <dt>Departs</dt><dd>${esc(windowText(p.depart))}</dd>
      <dt>Arrives</dt><dd>${esc(windowText(p.arrive))}</dd>
      <dt>Line</dt><dd>${esc(p.geometry_kind)}, ${esc(Math.round(p.length_km))} km</dd>
      <dt>Confidence</dt><dd>${esc(p.confidence || sh.confidence)}</dd>
    </dl>
    ${p.note ? `<p class="note">${esc(p.note)}</p>` : ''}
    <h4>Sources for this leg</h4>${sourceList(p.sources)}
    <h4>Sources for the shipment</h4>${sourceList(sh.sources)}
    <p class="meta">id ${esc(id)}</p>`;
}
async function placeHTML(id) {
  const p = (await api(`/api/places/${encodeURIComponent(id)}`)).properties;
  return `<h3>${esc(p.name)}</h3><p class="meta">${esc(p.kind.replace('_', ' '))} · ${esc(p.country)}${p.unlocode ? ` · ${esc(p.unlocode)}` : ''}</p>
    ${p.aliases && p.aliases.length ? `<p>Also: ${esc(p.aliases.join(', '))}</p>` : ''}${p.note ? `<p class="note">${esc(p.note)}</p>` : ''}`;
}
function propsHTML(title, p, keys) {
  return `<h3>${esc(title)}</h3><dl>${keys.filter((k) => p[k] !== undefined).map((k) => `<dt>${esc(k)}</dt><dd>${esc(p[k])}</dd>`).join('')}</dl>`;
}

const popup = new maplibregl.Popup({ maxWidth: '380px', className: 'popup' });
async function show(lngLat, html) {
  popup.setLngLat(lngLat).setHTML('<p class="meta">Loading…</p>');
  if (!popup.isOpen()) popup.addTo(map);
  try {
    popup.setHTML(`<div class="scroll">${await html}</div>`);
    popup.setLngLat(popup.getLngLat()); // place it again now that its size is known
  } catch (e) {
    popup.setHTML(`<p>Could not load the details: ${esc(e.message)}</p>`);
  }
}

// openLeg shows one leg, chosen on the timeline: the map goes to it.
function openLeg(leg) {
  const coords = (leg.geometry.type === 'LineString' ? [leg.geometry.coordinates] : leg.geometry.coordinates).flat();
  const b = coords.reduce((bb, c) => bb.extend(c), new maplibregl.LngLatBounds(coords[0], coords[0]));
  map.fitBounds(b, { padding: { top: 40, bottom: 40, left: 270, right: 40 }, maxZoom: 7 });
  show(coords[Math.floor(coords.length / 2)], legHTML(leg.id));
}

// Where several legs share a line, the popup offers each; a choice shows it.
let chooseLeg = () => {};
document.addEventListener('click', (e) => {
  const b = e.target.closest('.maplibregl-popup button[data-leg]');
  if (b) chooseLeg(b.dataset.leg);
});

const clickable = ['places', 'observations', 'positions', 'gaps', ...legLayers.map((l) => l.id), 'tracks'];
map.on('click', (e) => {
  const box = [[e.point.x - 5, e.point.y - 5], [e.point.x + 5, e.point.y + 5]];
  const hits = map.queryRenderedFeatures(box, { layers: clickable.filter((id) => map.getLayer(id)) });
  if (!hits.length) return;
  const top = hits[0];
  const p = top.properties;
  if (top.source === 'legs') {
    const ids = [...new Set(hits.filter((f) => f.source === 'legs').map((f) => f.properties.id))];
    const render = async (chosen) => {
      const choices = ids.length > 1
        ? `<p class="meta">${ids.length} legs here:</p><div class="choices">${ids.map((id) => `<button type="button" data-leg="${esc(id)}" class="${id === chosen ? 'on' : ''}">${esc(id)}</button>`).join('')}</div>`
        : '';
      return choices + await legHTML(chosen);
    };
    chooseLeg = (id) => show(popup.getLngLat(), render(id));
    show(e.lngLat, render(ids[0]));
  } else if (top.source === 'places') {
    show(e.lngLat, placeHTML(p.id));
  } else if (top.source === 'positions') {
    show(e.lngLat, propsHTML(`AIS position, MMSI ${p.mmsi}`, p, ['time', 'sog', 'cog', 'heading', 'nav_status']));
  } else if (top.source === 'tracks') {
    show(e.lngLat, propsHTML(`AIS track ${p.id}`, p, ['mmsi', 'vessel', 'leg', 'points', 'start', 'end']));
  } else if (top.source === 'gaps') {
    show(e.lngLat, propsHTML(`AIS gap ${p.id}`, p, ['mmsi', 'vessel', 'dark', 'offshore_nm', 'start', 'end']));
  } else {
    show(e.lngLat, propsHTML(`Observation ${p.id}`, p, ['kind', 'subject', 'source', 'start', 'end']));
  }
});
map.on('mousemove', (e) => {
  const layers = clickable.filter((id) => map.getLayer(id));
  map.getCanvas().style.cursor = map.queryRenderedFeatures(e.point, { layers }).length ? 'pointer' : '';
});

// Place names as HTML labels: the basemap has no glyphs to draw text with.
function labelPlaces(places) {
  for (const f of places.features) {
    const el = document.createElement('div');
    el.className = `place-label ${f.properties.kind}`;
    el.textContent = f.properties.name;
    new maplibregl.Marker({ element: el, anchor: 'left', offset: [11, 0] }).setLngLat(f.geometry.coordinates).addTo(map);
    labels.push({ el, rank: labelRank[f.properties.kind] ?? 9 });
  }
  labels.sort((a, b) => a.rank - b.rank);
  declutter();
}
// Labels that would overlap one drawn first are hidden: depots, then ports,
// then the rest.
const labelRank = { depot: 0, port: 1, border_crossing: 2, rail_terminal: 3, rail_station: 4 };
const labels = [];
function declutter() {
  const shown = [];
  for (const l of labels) {
    l.el.style.visibility = '';
    const r = l.el.getBoundingClientRect();
    const clash = r.width === 0 || shown.some((s) => r.left < s.right + 4 && r.right + 4 > s.left && r.top < s.bottom && r.bottom > s.top);
    if (clash) l.el.style.visibility = 'hidden'; else shown.push(r);
  }
}
map.on('moveend', declutter);
const zoomClass = () => document.getElementById('map').classList.toggle('low-zoom', map.getZoom() < 4.5);
map.on('zoom', zoomClass);

// Start: the data for the timeline and the labels, then the filters from
// the URL.
styleLoaded.then(async () => {
  applyFilters();
  zoomClass();
  try {
    const [shipments, legs, places] = await Promise.all([
      api('/api/shipments?limit=10000'), api('/api/legs?limit=10000'), api('/api/places?limit=10000')]);
    labelPlaces(places);
    const starts = legs.features.map((l) => unix(l.properties.start));
    const ends = legs.features.map((l) => unix(l.properties.end));
    first = startOfDay(Math.min(...starts)) - 7 * DAY;
    const last = startOfDay(Math.max(...ends)) + 7 * DAY;
    slider.max = String(Math.round((last - first) / DAY));
    slider.value = slider.max;
    timeline.draw(shipments.features, legs.features, first, last + DAY);
    if (!sharedView && legs.features.length) {
      const all = legs.features.flatMap((l) => (l.geometry.type === 'LineString' ? l.geometry.coordinates : l.geometry.coordinates.flat()));
      const b = all.reduce((bb, c) => bb.extend(c), new maplibregl.LngLatBounds(all[0], all[0]));
      map.fitBounds(b, { padding: { top: 40, bottom: 30, left: 270, right: 60 }, animate: false });
    }
  } catch (e) {
    say(`Could not load the shipments: ${e.message}`);
  }
  const t = params.get('t');
  setDay(t && !Number.isNaN(Date.parse(t)) ? unix(t) : null);
  document.body.dataset.ready = 'true';
});
