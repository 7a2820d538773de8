// How the dashboard writes numbers, times and device readings. Locale fixed to en-US so the page
// reads the same on every browser (and a test can parse it).
const LOCALE = 'en-US';

export function count(value) {
  return Number(value ?? 0).toLocaleString(LOCALE);
}

// Rounded half up to centivolts in integers (3305 mV reads 3.31 V), never by binary fractions.
export function volts(millivolts) {
  if (!(millivolts > 0)) return '—';
  const centivolts = Math.round(millivolts / 10);
  return `${Math.floor(centivolts / 100)}.${String(centivolts % 100).padStart(2, '0')} V`;
}

export function score(value) {
  return Number(value).toFixed(2);
}

function pad(number) {
  return String(number).padStart(2, '0');
}

// "model 3 v2"; a device that never ran a model reports id and version 0.
export function modelText(device) {
  return device.model_id || device.model_version ?
    `model ${device.model_id} v${device.model_version}` : 'no model';
}

// "2026-12-04 14:03:07" in the browser's time zone.
export function dateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
      `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function clock(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

// "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; a date after a week. Never-seen
// devices carry the epoch.
export function ago(iso, now = Date.now()) {
  const time = new Date(iso).getTime();
  if (Number.isNaN(time) || time <= 0) return 'never';
  const seconds = Math.round((now - time) / 1000);
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)} d ago`;
  return dateTime(iso).slice(0, 10);
}

// The API's quantity names carry their unit (proto/sotto/v1/event.proto).
const READINGS = {
  temperature_centi_c: (v) => `${(v / 100).toFixed(2)} °C`,
  soil_moisture_permille: (v) => `soil ${(v / 10).toFixed(1)} %`,
  vibration_rms_milli_g: (v) => `${(v / 1000).toFixed(3)} g RMS`,
  relative_humidity_permille: (v) => `${(v / 10).toFixed(1)} % RH`,
  zone: (v) => `zone ${v}`,
};

export function reading({ quantity, value }) {
  const format = READINGS[quantity];
  return format ? format(value) : `${quantity} ${value}`;
}

export function plural(number, one, many = `${one}s`) {
  return `${count(number)} ${number === 1 ? one : many}`;
}
