// One device: its registry facts, charts over the aggregation windows, and its event timeline
// (newest first, in the device's own boot and sequence order, with older pages on demand).
import { getJson } from '../api.js';
import { countChart, scoreChart, windowsOf } from '../charts.js';
import { el, field } from '../dom.js';
import { ago, count, dateTime, modelText, reading, score, volts } from '../format.js';

const PAGE = 50;

function fact(label, name, text) {
  return el('div', { class: 'fact' }, el('dt', {}, label), el('dd', {}, field(name, text)));
}

function facts(device) {
  return el('dl', { class: 'facts' },
      fact('Site', 'site', el('a', { href: `#/devices?site=${device.site}` }, device.site)),
      fact('Last seen', 'last-seen', el('time', { datetime: device.last_seen,
        title: dateTime(device.last_seen) }, ago(device.last_seen))),
      fact('Battery', 'battery', volts(device.battery_mv)),
      fact('Model', 'model', modelText(device)),
      fact('SDK', 'sdk', String(device.sdk_version)),
      fact('Class', 'class', String(device.device_class)),
      fact('Boot', 'boot', device.boot_id === null ? 'unknown' : String(device.boot_id)),
      fact('Events', 'events', count(device.events)),
      fact('Dropped', 'events-dropped', count(device.events_dropped)),
      fact('Queued', 'events-queued', count(device.events_queued)),
      fact('First seen', 'first-seen', dateTime(device.first_seen)));
}

function eventItem(event) {
  return el('li', { class: `event kind-${event.kind}`, dataset: { event: event.id } },
      el('time', { datetime: event.time, title: `received ${dateTime(event.received_at)}` },
          dateTime(event.time)),
      el('span', { class: 'badge' }, event.kind),
      el('span', {}, `class ${event.class}`),
      el('span', { class: 'score' }, `score ${score(event.score)}`),
      event.readings.length ? el('span', { class: 'readings' },
          event.readings.map(reading).join(' · ')) : null);
}

export function deviceView(id) {
  const head = el('div', {});
  const charts = el('div', { class: 'charts' });
  const timeline = el('ol', { class: 'timeline', id: 'timeline' });
  const more = el('button', { type: 'button', class: 'quiet', id: 'older-events', hidden: true });
  let olderLoaded = false;  // the person paged back: polling leaves the timeline alone
  let nextBeforeId = null;
  let shown = '';

  async function loadOlder() {
    more.disabled = true;
    try {
      const page = await getJson(`/api/v1/events?device=${id}&limit=${PAGE}` +
          `&before_id=${nextBeforeId}`);
      olderLoaded = true;
      timeline.append(...page.events.map(eventItem));
      nextBeforeId = page.next_before_id;
      more.hidden = nextBeforeId === null;
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => loadOlder().catch((error) => {
    more.textContent = `Older events (${error.message})`;
  }));
  more.textContent = 'Older events';

  const node = el('div', { class: 'device', dataset: { deviceView: id } },
      el('h1', {}, id), head,
      el('section', {}, el('h2', {}, 'Over the aggregation windows'), charts),
      el('section', {}, el('h2', {}, 'Latest events'), timeline, more));

  return {
    title: id,
    nav: 'devices',
    node,
    async refresh() {
      const [device, aggregates, page] = await Promise.all([
        getJson(`/api/v1/devices/${id}`),
        getJson(`/api/v1/aggregates?scope=device&id=${id}`),
        olderLoaded ? null : getJson(`/api/v1/events?device=${id}&limit=${PAGE}`),
      ]);
      const snapshot = JSON.stringify([device, aggregates, page, Math.floor(Date.now() / 10000)]);
      if (snapshot === shown) return;
      shown = snapshot;
      head.replaceChildren(facts(device));
      const range = windowsOf(aggregates);
      const hours = aggregates.window_s % 3600 === 0 ? `${aggregates.window_s / 3600} h` :
        `${aggregates.window_s} s`;
      charts.replaceChildren(countChart(range, `Events per ${hours} window`),
          scoreChart(range, `Score per ${hours} window`));
      if (page) {
        timeline.replaceChildren(...page.events.map(eventItem));
        if (!page.events.length) timeline.append(el('li', { class: 'empty' }, 'No events yet.'));
        nextBeforeId = page.next_before_id;
        more.hidden = nextBeforeId === null;
      }
    },
  };
}
