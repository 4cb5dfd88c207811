// dom.js - building elements without HTML strings.
//
// Everything the page shows from the server or the URL goes in as text
// (textContent), never as markup, and nothing sets a style attribute: the
// page's Content-Security-Policy allows neither inline scripts nor inline
// styles.

const PROPS = new Set(['hidden', 'checked', 'disabled', 'value', 'indeterminate', 'tabIndex',
  'htmlFor', 'id', 'type', 'name', 'open']);

// h('button', {class: 'btn', onclick: fn, 'aria-label': 'x'}, 'text', childNode, ...)
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false && !PROPS.has(key)) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPS.has(key)) el[key] = value;
    else if (key === 'style') throw new Error('inline styles are not allowed');
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

// Replaces el's children.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Shows or hides a message element (an empty message hides it).
export function message(el, text) {
  el.textContent = text || '';
  el.hidden = !text;
}

// Calls fn at most once per `ms`, after the last call (a trailing debounce).
export function debounce(fn, ms) {
  let timer = 0;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.now = (...args) => {
    clearTimeout(timer);
    fn(...args);
  };
  return wrapped;
}

// Escapes text for the few places a library insists on HTML (Leaflet's attribution).
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
