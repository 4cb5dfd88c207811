// panel.js - the side panel (report form, tracking, a report's details) and
// the filter drawer of narrow screens. Opening moves focus into the panel,
// Escape or the close button closes it and gives focus back to the control
// that opened it, so the page can be used from the keyboard alone.

import { t } from './i18n.js';

const TITLES = {
  report: 'report.title',
  'report-done': 'report.doneTitle',
  track: 'track.title',
  details: 'details.title',
  alerts: 'alerts.title',
};

export class Panel {
  constructor(el, onClose) {
    this.el = el;
    this.title = el.querySelector('#panel-title');
    this.onClose = onClose;
    this.view = null;
    this.opener = null;
    el.querySelector('#btn-panel-close').addEventListener('click', () => this.close());
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      }
    });
  }

  // Shows one view; opener (the control used) gets focus back on close.
  show(view, opener) {
    const previous = this.view;
    for (const v of this.el.querySelectorAll('.view')) v.hidden = v.dataset.view !== view;
    this.view = view;
    if (opener) this.opener = opener;
    this.retitle();
    this.el.hidden = false;
    document.body.classList.add('panel-open');
    for (const button of document.querySelectorAll('[aria-controls="panel"]')) {
      button.setAttribute('aria-expanded', String(view.startsWith(button.dataset.view || '-')));
    }
    this.title.focus();
    if (previous !== view && this.onShow) this.onShow(view, previous);
  }

  retitle() {
    if (this.view) this.title.textContent = t(TITLES[this.view]);
  }

  isOpen(view) {
    return !this.el.hidden && (!view || this.view === view);
  }

  close() {
    if (this.el.hidden) return;
    const was = this.view;
    this.el.hidden = true;
    this.view = null;
    document.body.classList.remove('panel-open');
    for (const button of document.querySelectorAll('[aria-controls="panel"]')) {
      button.setAttribute('aria-expanded', 'false');
    }
    this.onClose(was);
    const opener = this.opener;
    this.opener = null;
    if (opener && document.contains(opener)) opener.focus();
  }
}

// The filter panel as a drawer below 720 px; a plain sidebar above.
export class Drawer {
  constructor(el, toggle, closeButton) {
    this.el = el;
    this.toggle = toggle;
    this.narrow = window.matchMedia('(max-width: 720px)');
    toggle.addEventListener('click', () => (this.isOpen() ? this.close() : this.open()));
    closeButton.addEventListener('click', () => this.close());
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.narrow.matches) {
        e.preventDefault();
        this.close();
      }
    });
    this.narrow.addEventListener('change', () => this.close(false));
  }

  isOpen() {
    return this.el.classList.contains('open');
  }

  // While the drawer covers the page on a phone, what is behind it takes no focus.
  setBehindInert(inert) {
    for (const el of document.querySelectorAll('.map-wrap, #panel')) el.inert = inert;
  }

  open() {
    this.el.classList.add('open');
    if (this.narrow.matches) this.setBehindInert(true);
    this.toggle.setAttribute('aria-expanded', 'true');
    this.el.querySelector('#filters-title').focus();
  }

  close(focus = true) {
    const was = this.isOpen();
    this.el.classList.remove('open');
    this.setBehindInert(false);
    this.toggle.setAttribute('aria-expanded', 'false');
    if (was && focus && this.narrow.matches) this.toggle.focus();
  }
}
