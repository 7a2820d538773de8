// The dashboard's entry point: routes the URL's #fragment to a view, polls the view's data every
// few seconds while the page is visible, and says in the status line whether what is shown is
// current. Views: #/ fleet, #/devices[?filters], #/devices/ID, #/rollouts, #/rollouts/ID.
import { applyRole, forgetToken } from './auth.js';
import { el } from './dom.js';
import { clock } from './format.js';
import { deviceView } from './views/device.js';
import { devicesView } from './views/devices.js';
import { overviewView } from './views/overview.js';
import { rolloutsView } from './views/rollouts.js';

const POLL_MS = 3000;

const ROUTES = [
  [/^\/?$/, () => overviewView()],
  [/^\/devices$/, (match, params) => devicesView(params)],
  [/^\/devices\/([a-z0-9][a-z0-9-]{0,31})$/, (match) => deviceView(match[1])],
  [/^\/rollouts$/, () => rolloutsView()],
  [/^\/rollouts\/([1-9][0-9]{0,17})$/, (match) => rolloutsView(Number(match[1]))],
];

const main = document.getElementById('view');
const status = document.getElementById('status');
let current = null;
let timer = null;
let generation = 0;
let refreshing = false;

function setStatus(text, kind) {
  status.textContent = text;
  status.className = `status ${kind}`;
}

function notFound(path) {
  return {
    title: 'Not found',
    nav: '',
    node: el('p', { class: 'empty' }, `Nothing at #${path}. `, el('a', { href: '#/' }, 'Fleet')),
    refresh: async () => {},
  };
}

function viewFor(hash) {
  const [path, query] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query ?? '');
  for (const [pattern, make] of ROUTES) {
    const match = pattern.exec(path || '/');
    if (match) return make(match, params);
  }
  return notFound(path);
}

// One refresh at a time; a view change during one starts the new view's as soon as it ends.
async function tick() {
  clearTimeout(timer);
  if (document.hidden || refreshing) return;  // visibilitychange resumes
  const mine = generation;
  refreshing = true;
  try {
    await current.refresh();
    if (mine === generation) setStatus(`Live · updated ${clock(new Date())}`, 'live');
  } catch (error) {
    if (mine === generation) {
      setStatus(`${error.message} · retrying every ${POLL_MS / 1000} s`, 'error');
    }
  } finally {
    refreshing = false;
    timer = setTimeout(tick, mine === generation ? POLL_MS : 0);
  }
}

function show() {
  generation += 1;
  clearTimeout(timer);
  current = viewFor(location.hash);
  document.title = `${current.title} · sotto`;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === current.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  main.replaceChildren(current.node);
  setStatus('Loading…', 'loading');
  tick();
}

window.addEventListener('hashchange', show);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) tick();
});
document.getElementById('forget-token').addEventListener('click', () => {
  forgetToken();
  show();
});
applyRole();
show();
