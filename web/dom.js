// DOM building without innerHTML: every text goes in as a text node, so nothing a server or
// a kubeconfig sends can become markup. No inline styles or handlers (the CSP forbids them).

// h('button', {class: 'secondary', onclick: fn, dataset: {id}}, 'Save')
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name in element && typeof value !== 'string') {
      element[name] = value;  // checked, disabled, value, hidden...
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(element) {
  while (element.firstChild) element.firstChild.remove();
  return element;
}

export function replace(element, ...children) {
  return append(clear(element), children);
}

// A status chip as the core describes it ({label, tone}).
export function chip(description, extraClass = '') {
  if (!description) return null;
  return h('span', { class: `chip tone-${description.tone ?? 'neutral'} ${extraClass}`.trim(),
    title: description.tooltip || description.code || undefined }, description.label);
}

let fieldCounter = 0;
// A labelled control with an optional hint and a per-field message slot.
export function field(label, control, { hint, message } = {}) {
  fieldCounter += 1;
  const id = control.id || `f${fieldCounter}`;
  control.id = id;
  const described = [];
  const hintNode = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintNode) described.push(hintNode.id);
  const messageNode = h('p', { class: 'field-message', id: `${id}-message`, role: 'alert' },
    message ?? '');
  described.push(messageNode.id);
  control.setAttribute('aria-describedby', described.join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintNode,
    messageNode);
}

export function setFieldMessage(wrapper, message) {
  const node = wrapper.querySelector('.field-message');
  if (node) node.textContent = message ?? '';
  const control = wrapper.querySelector('input, select, textarea');
  if (control) control.setAttribute('aria-invalid', message ? 'true' : 'false');
}

export function formatTime(unixSeconds) {
  if (!unixSeconds) return 'never';
  return new Date(unixSeconds * 1000).toLocaleString();
}

export function errorText(error) {
  const code = error?.code ?? 'unexpected';
  const message = error?.message ?? String(error);
  return message && message !== code ? `${message} (${code})` : code;
}
