// Rollouts: every rollout as a card, newest first (#/rollouts), and one rollout with its
// devices (#/rollouts/ID).
import { getJson } from '../api.js';
import { el, field } from '../dom.js';
import { count } from '../format.js';
import { rolloutCard } from './rollout_card.js';

function listView() {
  const node = el('div', { class: 'rollouts' });
  const confirming = new Set();
  let last = null;
  let shown = '';
  const view = {
    title: 'Rollouts',
    nav: 'rollouts',
    node,
    async refresh() {
      last = await getJson('/api/v1/rollouts');
      draw();
    },
  };
  const changed = () => {
    draw();
    view.refresh().catch(() => {});  // the next poll shows the error
  };
  // Redrawn only on a change, so a button is not replaced under a finger for nothing.
  function draw() {
    const snapshot = JSON.stringify([last, [...confirming]]);
    if (!last || snapshot === shown) return;
    shown = snapshot;
    const rollouts = [...last.rollouts].sort((a, b) => b.id - a.id);
    node.replaceChildren(rollouts.length ?
      el('div', { class: 'cards' }, rollouts.map((rollout) =>
        rolloutCard(rollout, { onChanged: changed, confirming }))) :
      el('p', { class: 'empty' }, 'No rollouts yet. Start one with ',
          el('code', {}, 'sottoctl rollout start'), '.'));
  }
  return view;
}

function deviceRow(device) {
  return el('tr', { dataset: { device: device.device } },
      el('th', { scope: 'row', dataset: { label: 'Device' } },
          el('a', { href: `#/devices/${device.device}` }, device.device)),
      el('td', { dataset: { label: 'Wave' } }, String(device.wave)),
      el('td', { dataset: { label: 'State' } }, device.state),
      el('td', { dataset: { label: 'Failure' } }, device.failure === 'none' ? '—' :
        el('code', {}, device.failure)),
      el('td', { class: 'number', dataset: { label: 'Bytes stored' } }, count(device.next_offset)));
}

function detailView(id) {
  const card = el('div', {});
  const stateFilter = el('select', { id: 'filter-state', onchange: () => draw() },
      ['all', 'pending', 'transferring', 'activated', 'failed'].map((state) =>
        el('option', { value: state }, state === 'all' ? 'All states' : state)));
  const body = el('tbody', {});
  const summary = el('p', { class: 'muted' });
  const confirming = new Set();
  let last = null;
  let shown = '';
  const node = el('div', { class: 'rollout-detail' }, card,
      el('section', {}, el('h2', {}, 'Devices'),
          el('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
              el('label', { for: 'filter-state' }, 'State'), stateFilter),
          summary,
          el('div', { class: 'table-scroll' }, el('table', { class: 'registry' },
              el('thead', {}, el('tr', {}, ['Device', 'Wave', 'State', 'Failure',
                'Bytes stored'].map((label) => el('th', { scope: 'col' }, label)))), body))));
  const view = {
    title: `Rollout ${id}`,
    nav: 'rollouts',
    node,
    async refresh() {
      last = await getJson(`/api/v1/rollouts/${id}`);
      draw();
    },
  };
  function draw() {
    const snapshot = JSON.stringify([last, [...confirming], stateFilter.value]);
    if (!last || snapshot === shown) return;
    shown = snapshot;
    card.replaceChildren(rolloutCard(last, { confirming, detailLink: false, onChanged: () => {
      draw();
      view.refresh().catch(() => {});
    } }));
    const wanted = stateFilter.value;
    const devices = last.device_list.filter((d) => wanted === 'all' || d.state === wanted);
    body.replaceChildren(...devices.map(deviceRow));
    summary.replaceChildren(field('shown', count(devices.length)), ' of ',
        count(last.device_list.length), ' devices');
  }
  return view;
}

export function rolloutsView(id) {
  return id === undefined ? listView() : detailView(id);
}
