// Builds DOM nodes from the gateway's data without innerHTML: every text goes in as a text node,
// so a device id or an error message can never become markup.
const SVG_NS = 'http://www.w3.org/2000/svg';
// Set as properties (their live state), not as attributes.
const PROPERTIES = new Set(['value', 'checked', 'selected', 'disabled', 'hidden']);

function children(list) {
  const out = [];
  for (const child of list.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    out.push(child instanceof Node ? child : String(child));
  }
  return out;
}

// el('a', {href: '#/', class: 'x', dataset: {site: 'a'}, onclick: f}, 'text', otherNode)
export function el(tag, props = {}, ...content) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children(content));
  return node;
}

// SVG elements take presentation attributes (fill, x, width...), which a strict CSP allows.
export function svg(tag, attributes = {}, ...content) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    if (key === 'class') node.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, String(value));
  }
  node.append(...children(content));
  return node;
}

// A number a person reads and a test can find: <span data-field="name">1,234</span>.
export function field(name, text) {
  return el('span', { dataset: { field: name } }, text);
}
