// The API's bearer-token authentication, as the dashboard meets it:
//  - every request carries "Authorization: Bearer <token>" once a token is stored (localStorage,
//    this origin only);
//  - a 401 {"error", "code"} opens the token dialog; the request waits and is sent again with
//    the token the person types (one dialog for all requests waiting at that moment);
//  - a 403 with code "insufficient_role" means the token is a viewer's: the role is remembered
//    with the token and operator controls (class "operator") are hidden from then on.
// A gateway without authentication never answers 401 or 403, and nothing here shows.
const TOKEN_KEY = 'sotto.token';
const ROLE_KEY = 'sotto.role';

let waitingForToken = null;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;  // storage disabled: the token lives as long as the page
  }
}

const memory = new Map();
function load(key) {
  const store = storage();
  return store ? store.getItem(key) : memory.get(key) ?? null;
}
function save(key, value) {
  const store = storage();
  if (value === null) {
    if (store) store.removeItem(key);
    memory.delete(key);
  } else if (store) {
    store.setItem(key, value);
  } else {
    memory.set(key, value);
  }
}

export function authHeaders() {
  const token = load(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export function isViewer() {
  return load(ROLE_KEY) === 'viewer';
}

// Shows what the stored token allows: operator controls hidden for a viewer, and a way to forget
// the token when one is stored.
export function applyRole() {
  document.body.classList.toggle('role-viewer', isViewer());
  document.getElementById('role-note').hidden = !isViewer();
  document.getElementById('forget-token').hidden = load(TOKEN_KEY) === null;
}

const REASONS = {
  missing_token: 'This gateway asks for an access token.',
  invalid_token: 'The gateway refused that token. Enter another one.',
  malformed_token: 'The gateway could not read that token. Enter it again.',
};

// A 401: resolves once a new token is stored.
export function askForToken(body) {
  if (!waitingForToken) {
    waitingForToken = new Promise((resolve) => {
      const dialog = document.getElementById('token-dialog');
      document.getElementById('token-reason').textContent =
          REASONS[body.code] ?? body.error ?? REASONS.missing_token;
      const form = document.getElementById('token-form');
      const input = document.getElementById('token-input');
      const submitted = (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        form.removeEventListener('submit', submitted);
        save(TOKEN_KEY, token);
        save(ROLE_KEY, null);  // a new token's role is learnt afresh
        input.value = '';
        dialog.close();
        applyRole();
        waitingForToken = null;
        resolve();
      };
      form.addEventListener('submit', submitted);
      if (!dialog.open) dialog.showModal();
      input.focus();
    });
  }
  return waitingForToken;
}

// A 403: the token is valid but its role is below what the request needs.
export function noteForbidden(body) {
  if (body.code === 'insufficient_role') {
    save(ROLE_KEY, 'viewer');
    applyRole();
  }
}

export function forgetToken() {
  save(TOKEN_KEY, null);
  save(ROLE_KEY, null);
  applyRole();
}
