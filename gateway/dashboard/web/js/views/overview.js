// The fleet at a glance: totals, one card per site (devices, the models they run, events by kind,
// drops, low batteries, last seen, events per window) and what needs an operator's eye (rollouts
// in progress, quarantined messages).
import { getJson } from '../api.js';
import { countChart, KINDS, windowsOf } from '../charts.js';
import { el, field } from '../dom.js';
import { ago, count } from '../format.js';

function total(sites, key) {
  return sites.reduce((sum, site) => sum + site[key], 0);
}

function stat(name, label, value, extraClass = '') {
  return el('div', { class: `stat ${extraClass}` }, el('dt', {}, label),
      el('dd', {}, field(name, count(value))));
}

// "model 2 v1 on 20, rules on 3": what decides on the site's devices, from their Health.
function modelsText(models) {
  return models.map((m) => (m.model_id ? `model ${m.model_id} v${m.model_version}` : 'rules') +
      ` on ${m.devices}`).join(', ');
}

function siteCard(site, aggregates) {
  return el('article', { class: 'card site', dataset: { site: site.site } },
      el('h2', {}, el('a', { href: `#/devices?site=${encodeURIComponent(site.site)}` }, site.site)),
      el('dl', { class: 'stats' },
          stat('devices', 'Devices', site.devices),
          stat('events', 'Events', site.events),
          stat('events-dropped', 'Dropped', site.events_dropped,
              site.events_dropped ? 'warn' : ''),
          stat('low-battery-devices', 'Low battery', site.low_battery_devices,
              site.low_battery_devices ? 'warn' : '')),
      el('p', { class: 'models' }, 'Decides by ', field('models', modelsText(site.models))),
      el('dl', { class: 'kinds' }, KINDS.map((kind) => el('div', { class: `kind kind-${kind}` },
          el('dt', {}, kind), el('dd', {}, field(`kind-${kind}`, count(site.by_kind[kind])))))),
      el('p', { class: 'muted' }, 'Last seen ', el('time', { datetime: site.last_seen,
        title: site.last_seen }, ago(site.last_seen))),
      aggregates ? countChart(windowsOf(aggregates), 'Events per window') : null);
}

function attention(rollouts, quarantine) {
  const open = rollouts.filter((r) => r.state === 'running' || r.state === 'paused' ||
      r.state === 'halted');
  return el('section', { class: 'attention' },
      el('a', { class: `pill ${open.length ? 'active' : ''}`, href: '#/rollouts' },
          field('open-rollouts', count(open.length)), ' rollouts in progress or halted'),
      el('span', { class: `pill ${quarantine.total ? 'warn' : ''}`,
        title: 'Messages acknowledged but not valid events or Health' },
      field('quarantined', count(quarantine.total)), ' quarantined messages'));
}

export function overviewView() {
  const node = el('div', { class: 'overview' });
  let shown = '';
  return {
    title: 'Fleet',
    nav: 'overview',
    node,
    async refresh() {
      const [fleet, rollouts, quarantine] = await Promise.all([
        getJson('/api/v1/fleet'), getJson('/api/v1/rollouts'),
        getJson('/api/v1/quarantine?limit=1'),
      ]);
      const aggregates = await Promise.all(fleet.sites.map((site) =>
        getJson(`/api/v1/aggregates?scope=site&id=${encodeURIComponent(site.site)}`)));
      // The 10 s clock term keeps "last seen ... ago" current when nothing else changes.
      const snapshot = JSON.stringify([fleet, rollouts, quarantine.total, aggregates,
        Math.floor(Date.now() / 10000)]);
      if (snapshot === shown) return;  // unchanged: keep the DOM (and the reader's place)
      shown = snapshot;
      const sites = fleet.sites;
      node.replaceChildren(
          el('dl', { class: 'stats totals', dataset: { scope: 'fleet' } },
              stat('sites', 'Sites', sites.length),
              stat('devices', 'Devices', total(sites, 'devices')),
              stat('events', 'Events', total(sites, 'events')),
              stat('low-battery-devices', 'Low battery', total(sites, 'low_battery_devices'))),
          attention(rollouts.rollouts, quarantine),
          sites.length ? el('div', { class: 'cards' }, sites.map((site, i) =>
            siteCard(site, aggregates[i]))) :
            el('p', { class: 'empty' }, 'No device has reported yet.'));
    },
  };
}
