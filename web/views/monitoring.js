// Active monitoring pieces shared by the runners, connection and feed views: the schedule
// control (off / every N minutes, and "workspace default" for a connection), the words for a
// schedule, chips looked up once per name, and the one refresh timer a live view may hold.
import { errorText, field, h, setFieldMessage } from '../dom.js';

// The server's bound: a week, in minutes.
export const MAX_INTERVAL_MINUTES = 10080;
// How often a view showing monitoring results asks the server again.
export const REFRESH_MS = 3000;

export function scheduleText(minutes) {
  if (!minutes) return 'off';
  return minutes === 1 ? 'every minute' : `every ${minutes} minutes`;
}

// A live view refreshes while it is on the page; the router stops it on every navigation.
// `route` is app.routeSeq as the view began rendering: a view finished after the user moved
// on starts nothing.
export function keepRefreshing(app, refresh, route) {
  if (route !== app.routeSeq) return;
  clearInterval(app.refreshTimer);
  let busy = false;
  const timer = setInterval(async () => {
    if (app.routeSeq !== route) {  // the user has moved on
      clearInterval(timer);
      return;
    }
    if (busy || document.hidden) return;
    busy = true;
    try {
      await refresh();
    } catch {
      // A failed refresh keeps what is shown; the next tick tries again.
    } finally {
      busy = false;
    }
  }, REFRESH_MS);
  app.refreshTimer = timer;
}

export function stopRefreshing(app) {
  clearInterval(app.refreshTimer);
  app.refreshTimer = null;
}

// "→" for the eye, "to" for a screen reader: a state change from one chip to another.
export function arrow() {
  return [h('span', { 'aria-hidden': 'true' }, '→ '), h('span', { class: 'visually-hidden' }, 'to ')];
}

// Chips by state or outcome name, asked of the core once per name.
export function chipCache(app) {
  const states = new Map();
  const outcomes = new Map();
  const get = async (map, name, ask) => {
    if (!map.has(name)) map.set(name, await ask(name).catch(() => ({ label: name, tone: 'neutral' })));
    return map.get(name);
  };
  return {
    state: (name) => get(states, name, app.cv.stateChip),
    outcome: (name) => get(outcomes, name, app.cv.outcomeChip),
  };
}

// The schedule picker. `inherit` adds "Workspace default" (a connection's own schedule);
// value() is null for the default, 0 for off, N for every N minutes; undefined when the
// number is not a whole number of minutes in range.
export function scheduleControl({ label, current, inherit = false, defaultText = '',
  disabled = false }) {
  const mode = h('select', { disabled },
    inherit ? h('option', { value: 'inherit', selected: current === null },
      `Workspace default (${defaultText})`) : null,
    h('option', { value: 'off', selected: current === 0 }, 'Off'),
    h('option', { value: 'every', selected: Boolean(current) }, 'Every N minutes'));
  const minutes = h('input', { type: 'number', min: 1, max: MAX_INTERVAL_MINUTES, step: 1,
    inputmode: 'numeric', value: String(current || 5), disabled });
  const minutesField = field('Minutes between tests', minutes,
    { hint: `1 to ${MAX_INTERVAL_MINUTES} (a week). Tests are spread out so they do not all ` +
      'fire at once.' });
  const modeField = field(label, mode);
  const sync = () => { minutesField.hidden = mode.value !== 'every'; };
  mode.addEventListener('change', sync);
  sync();
  return {
    fields: [modeField, minutesField],
    minutesField,
    value() {
      if (mode.value === 'inherit') return null;
      if (mode.value === 'off') return 0;
      const n = Number(minutes.value);
      return Number.isInteger(n) && n >= 1 && n <= MAX_INTERVAL_MINUTES ? n : undefined;
    },
  };
}

// The form around a scheduleControl: checks the number, then `save(minutes)`; a failure is
// shown in `status`. `button` is the submit label, or null for a read-only form.
export function scheduleForm(control, { button, status, save }) {
  return h('form', { class: 'inline-form schedule-form', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      const minutes = control.value();
      if (minutes === undefined) {
        setFieldMessage(control.minutesField, 'A whole number of minutes, at least 1.');
        return;
      }
      setFieldMessage(control.minutesField, '');
      try {
        await save(minutes);
      } catch (error) {
        status.dataset.state = 'error';
        status.textContent = errorText(error);
      }
    } }, control.fields, button ? h('button', { type: 'submit' }, button) : null, status);
}
