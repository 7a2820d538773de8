// The device registry as a table: last seen, battery, model and version, drops, queue depth,
// events. Filters (site, text, drops, queue) and the sort order live in the URL, so a filtered
// view can be bookmarked or sent. On a phone each row becomes a card (style.css).
import { getJson } from '../api.js';
import { el, field } from '../dom.js';
import { ago, count, modelText, volts } from '../format.js';

// Rows drawn at most: a phone stays fast with a large fleet; the filter narrows the rest.
const MAX_ROWS = 200;

const COLUMNS = [
  { key: 'device', label: 'Device', value: (d) => d.device },
  { key: 'site', label: 'Site', value: (d) => d.site },
  { key: 'last_seen', label: 'Last seen', value: (d) => d.last_seen },
  { key: 'battery_mv', label: 'Battery', value: (d) => d.battery_mv },
  { key: 'model', label: 'Model', value: (d) => d.model_id * 1e6 + d.model_version },
  { key: 'events_dropped', label: 'Drops', value: (d) => d.events_dropped },
  { key: 'events_queued', label: 'Queue', value: (d) => d.events_queued },
  { key: 'events', label: 'Events', value: (d) => d.events },
];

function cell(column, device) {
  const label = { dataset: { label: column.label } };
  switch (column.key) {
    case 'device':
      return el('th', { scope: 'row', ...label },
          el('a', { href: `#/devices/${device.device}` }, device.device));
    case 'site':
      return el('td', label, device.site);
    case 'last_seen':
      return el('td', label, el('time', { datetime: device.last_seen, title: device.last_seen },
          ago(device.last_seen)));
    case 'battery_mv':
      return el('td', label, field('battery', volts(device.battery_mv)));
    case 'model':  // one child, so the phone's label-value row keeps its two ends
      return el('td', label, el('span', {}, field('model', modelText(device)),
          el('span', { class: 'muted' }, ` · SDK ${device.sdk_version}`)));
    default:
      return el('td', { ...label, class: `number ${column.key !== 'events' &&
          device[column.key] ? 'warn' : ''}` }, field(column.key, count(device[column.key])));
  }
}

function matches(device, filter) {
  if (filter.q) {
    const text = `${device.device} ${device.site} ${modelText(device)}`.toLowerCase();
    if (!text.includes(filter.q.toLowerCase())) return false;
  }
  if (filter.drops && !device.events_dropped) return false;
  if (filter.queue && !device.events_queued) return false;
  return true;
}

function sorted(devices, sort) {
  const descending = sort.startsWith('-');
  const column = COLUMNS.find((c) => c.key === sort.replace(/^-/, '')) ?? COLUMNS[0];
  const direction = descending ? -1 : 1;
  return [...devices].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    if (x < y) return -direction;
    if (x > y) return direction;
    return a.device < b.device ? -1 : 1;
  });
}

export function devicesView(params) {
  const filter = {
    site: params.get('site') ?? '',
    q: params.get('q') ?? '',
    drops: params.get('drops') === '1',
    queue: params.get('queue') === '1',
    sort: params.get('sort') ?? 'device',
  };
  let devices = [];
  let sites = [];

  // Filters change the URL without a hashchange, so typing keeps the focus.
  const remember = () => {
    const query = new URLSearchParams();
    if (filter.site) query.set('site', filter.site);
    if (filter.q) query.set('q', filter.q);
    if (filter.drops) query.set('drops', '1');
    if (filter.queue) query.set('queue', '1');
    if (filter.sort !== 'device') query.set('sort', filter.sort);
    const text = query.toString();
    history.replaceState(null, '', `#/devices${text ? `?${text}` : ''}`);
  };

  const siteSelect = el('select', { id: 'filter-site', name: 'site', onchange: () => {
    filter.site = siteSelect.value;
    remember();
    view.refresh().catch(() => {});  // the next poll shows the error
  } });
  const search = el('input', { id: 'filter-text', name: 'q', type: 'search', value: filter.q,
    placeholder: 'device, site or model', autocomplete: 'off', oninput: () => {
      filter.q = search.value.trim();
      remember();
      draw();
    } });
  const checkbox = (key, label) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', id: `filter-${key}`, checked: filter[key], onchange:
        (event) => {
          filter[key] = event.target.checked;
          remember();
          draw();
        } }), label);
  const summary = el('p', { class: 'muted', id: 'device-count', 'aria-live': 'polite' });
  const head = el('thead', {});
  const body = el('tbody', {});

  function drawHead() {
    head.replaceChildren(el('tr', {}, COLUMNS.map((column) => {
      const active = filter.sort.replace(/^-/, '') === column.key;
      const descending = active && filter.sort.startsWith('-');
      return el('th', { scope: 'col', 'aria-sort': active ? (descending ? 'descending' :
        'ascending') : null }, el('button', { type: 'button', class: 'sort', onclick: () => {
        filter.sort = active && !descending ? `-${column.key}` : column.key;
        remember();
        draw();
      } }, column.label, active ? (descending ? ' ▼' : ' ▲') : ''));
    })));
  }

  function draw() {
    drawHead();
    const chosen = devices.filter((device) => matches(device, filter));
    const rows = sorted(chosen, filter.sort).slice(0, MAX_ROWS);
    body.replaceChildren(...rows.map((device) => el('tr', { dataset: { device: device.device } },
        COLUMNS.map((column) => cell(column, device)))));
    summary.replaceChildren(field('shown', count(rows.length)), ' of ',
        field('matching', count(chosen.length)), ' matching devices',
        chosen.length > rows.length ? ` (the first ${MAX_ROWS}; narrow the filter)` : '');
  }

  function drawSites() {
    const names = ['', ...sites];
    if (filter.site && !sites.includes(filter.site)) names.push(filter.site);
    siteSelect.replaceChildren(...names.map((name) => el('option', { value: name,
      selected: name === filter.site }, name || 'All sites')));
  }

  const node = el('div', { class: 'devices' },
      el('form', { class: 'filters', role: 'search', onsubmit: (e) => e.preventDefault() },
          el('label', { for: 'filter-site' }, 'Site'), siteSelect,
          el('label', { for: 'filter-text' }, 'Find'), search,
          checkbox('drops', 'with drops'), checkbox('queue', 'queue not empty')),
      summary,
      el('div', { class: 'table-scroll' }, el('table', { class: 'registry' }, head, body)));
  let shown = '';

  const view = {
    title: 'Devices',
    nav: 'devices',
    node,
    async refresh() {
      const site = filter.site;
      const query = site ? `?site=${encodeURIComponent(site)}` : '';
      const [fleet, registry] = await Promise.all([getJson('/api/v1/fleet'),
        getJson(`/api/v1/devices${query}`)]);
      if (site !== filter.site) return;  // the filter moved on while this was in flight
      const snapshot = JSON.stringify([fleet.sites.map((s) => s.site), registry, site,
        Math.floor(Date.now() / 10000)]);
      if (snapshot === shown) return;
      shown = snapshot;
      sites = fleet.sites.map((s) => s.site);
      devices = registry.devices;
      drawSites();
      draw();
    },
  };
  return view;
}
