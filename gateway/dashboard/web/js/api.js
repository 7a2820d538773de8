// Requests to the gateway's /api/v1 (the same endpoints sottoctl uses), with the token from
// auth.js. Errors come back as ApiError carrying the gateway's own {"error"} text.
import { askForToken, authHeaders, noteForbidden } from './auth.js';

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;  // 0: no answer
    this.code = code;
  }
}

async function body(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

async function request(method, path) {
  for (;;) {
    let response;
    try {
      response = await fetch(path, { method, headers: authHeaders(), cache: 'no-store' });
    } catch (error) {
      throw new ApiError(0, `cannot reach the gateway (${error.message})`);
    }
    const json = await body(response);
    if (response.status === 401) {
      await askForToken(json);
      continue;  // again, with the new token
    }
    if (response.status === 403) noteForbidden(json);
    if (!response.ok) {
      throw new ApiError(response.status, json.error ?? `HTTP ${response.status}`, json.code);
    }
    return json;
  }
}

export function getJson(path) {
  return request('GET', path);
}

export function post(path) {
  return request('POST', path);
}
