// One rollout as a card: state, per-wave progress, failure reasons, the halt reason and, for
// operators, pause / resume / abort. Abort asks once more on the card itself (no browser dialog,
// which a phone may suppress) before it is sent.
import { post } from '../api.js';
import { el, field } from '../dom.js';
import { count } from '../format.js';

const ACTIONS = {
  running: ['pause', 'abort'],
  paused: ['resume', 'abort'],
};

function progress(name, done, total, label) {
  return el('div', { class: 'progress-line' },
      el('progress', { max: Math.max(total, 1), value: done, 'aria-label': label,
        dataset: { field: name } }),
      el('span', {}, label));
}

function wave(rollout, entry) {
  const devices = entry.devices ?? 0;
  const activated = entry.activated ?? 0;
  const failed = entry.failed ?? 0;
  const current = entry.wave === rollout.current_wave &&
      (rollout.state === 'running' || rollout.state === 'paused');
  return el('li', { class: `wave ${current ? 'current' : ''}`, dataset: { wave: entry.wave } },
      el('div', { class: 'wave-head' },
          el('strong', {}, `Wave ${entry.wave}`),
          el('span', { class: 'muted' }, ` up to ${rollout.waves[entry.wave - 1]} %`),
          current ? el('span', { class: 'badge' }, 'current') : null),
      el('progress', { max: Math.max(devices, 1), value: activated + failed,
        'aria-label': `wave ${entry.wave}` }),
      el('span', {}, field('wave-activated', count(activated)), ' of ',
          field('wave-devices', count(devices)), ' activated, ',
          field('wave-failed', count(failed)), ' failed'));
}

// onChanged(): called after an action succeeded, to refresh the view at once.
// confirming: the set of rollout ids whose abort awaits its confirmation (kept by the view, so
// a refresh does not lose it).
export function rolloutCard(rollout, { onChanged, confirming, detailLink = true }) {
  const message = el('p', { class: 'action-error', role: 'alert', hidden: true });
  const act = async (action, button) => {
    button.disabled = true;
    message.hidden = true;
    try {
      await post(`/api/v1/rollouts/${rollout.id}/${action}`);
      confirming.delete(rollout.id);
      onChanged();
    } catch (error) {
      message.textContent = `${action} failed: ${error.message}`;
      message.hidden = false;
      button.disabled = false;
    }
  };
  const buttons = (ACTIONS[rollout.state] ?? []).map((action) => {
    if (action === 'abort' && confirming.has(rollout.id)) {
      return [
        el('button', { type: 'button', class: 'danger', dataset: { action: 'confirm-abort' },
          onclick: (event) => act('abort', event.currentTarget) }, 'Abort: sure?'),
        el('button', { type: 'button', class: 'quiet', dataset: { action: 'keep' },
          onclick: () => {
            confirming.delete(rollout.id);
            onChanged();
          } }, 'Keep going'),
      ];
    }
    if (action === 'abort') {
      return el('button', { type: 'button', class: 'danger', dataset: { action },
        onclick: () => {
          confirming.add(rollout.id);
          onChanged();
        } }, 'Abort');
    }
    return el('button', { type: 'button', dataset: { action },
      onclick: (event) => act(action, event.currentTarget) },
    action === 'pause' ? 'Pause' : 'Resume');
  });

  const d = rollout.devices;
  const finished = d.activated + d.failed;
  const failures = Object.entries(rollout.failures);
  return el('article', { class: `card rollout state-${rollout.state}`,
    dataset: { rollout: rollout.id } },
  el('h2', {}, detailLink ?
        el('a', { href: `#/rollouts/${rollout.id}` }, `Rollout ${rollout.id}`) :
        `Rollout ${rollout.id}`,
  ' ', el('span', { class: `badge state ${rollout.state}` }, field('state', rollout.state))),
  el('p', { class: 'muted' }, `model v${rollout.model_version} · wave `,
      field('current-wave', String(rollout.current_wave)), ` of ${rollout.wave_count} · waves ` +
        `${rollout.waves.join('/')} % · halts above ${rollout.max_failure_pct} % failed`),
  progress('overall', finished, d.total,
      `${count(finished)} of ${count(d.total)} devices finished`),
  el('p', { class: 'counts' },
      field('activated', count(d.activated)), ' activated · ',
      field('failed', count(d.failed)), ' failed · ',
      field('transferring', count(d.transferring)), ' transferring · ',
      field('pending', count(d.pending)), ' pending'),
  rollout.halt_reason ? el('p', { class: 'halt', role: 'note' },
      field('halt-reason', rollout.halt_reason)) : null,
  failures.length ? el('ul', { class: 'failures', 'aria-label': 'failure reasons' },
      failures.map(([reason, n]) => el('li', { dataset: { reason } },
          el('code', {}, reason), ' × ', field('failure-count', count(n))))) : null,
  el('ol', { class: 'waves' }, rollout.wave_progress.map((entry) => wave(rollout, entry))),
  buttons.length ? el('div', { class: 'actions operator' }, buttons) : null,
  message);
}
