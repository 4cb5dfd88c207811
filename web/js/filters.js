// filters.js - the filter panel: view mode, status, period and categories
// (grouped, each group with a checkbox for all of it). Every change is
// reported at once through onChange(patch of the state); the panel keeps its
// own controls in step, so focus never jumps while someone is filtering.

import { h, fill, message } from './dom.js';
import { t, pick } from './i18n.js';
import { STATUSES, PERIODS } from './state.js';

export class Filters {
  constructor(el, catalog, onChange) {
    this.el = el;
    this.catalog = catalog;
    this.onChange = onChange;
    this.expanded = new Set(); // groups whose categories are shown
  }

  // Builds the panel in the current language from the state.
  render(state) {
    this.state = state;
    fill(this.el, this.modeSection(), this.statusSection(), this.periodSection(), this.categorySection());
    this.syncGroups();
  }

  modeSection() {
    const radio = (mode, key) => {
      const id = `f-mode-${mode}`;
      return h('div', { class: 'check' },
        h('input', {
          type: 'radio', name: 'f-mode', id, value: mode, checked: this.state.mode === mode,
          onchange: () => this.onChange({ mode }),
        }),
        h('label', { htmlFor: id }, t(key)));
    };
    return h('fieldset', { class: 'filter' }, h('legend', {}, t('filters.mode')),
      radio('clusters', 'filters.modeClusters'), radio('hex', 'filters.modeHex'));
  }

  statusSection() {
    const shown = this.state.statuses;
    const boxes = STATUSES.map((s) => {
      const id = `f-st-${s}`;
      return h('div', { class: 'check' },
        h('input', {
          type: 'checkbox', id, value: s, class: 'f-status', checked: !shown || shown.has(s),
          onchange: () => this.statusesChanged(),
        }),
        h('label', { htmlFor: id }, h('span', { class: `tz-swatch st-${s}`, 'aria-hidden': 'true' }),
          t(`status.${s}`)));
    });
    return h('fieldset', { class: 'filter' }, h('legend', {}, t('filters.status')), boxes);
  }

  statusesChanged() {
    const chosen = new Set(Array.from(this.el.querySelectorAll('.f-status:checked'), (x) => x.value));
    this.onChange({ statuses: chosen.size === STATUSES.length ? null : chosen });
  }

  periodSection() {
    const select = h('select', { id: 'f-period', onchange: () => this.periodChanged() },
      PERIODS.map((p) => h('option', { value: p, selected: this.state.period === p }, t(`period.${p}`))));
    const today = new Date().toISOString().slice(0, 10);
    const date = (id, key, value) => h('div', { class: 'field' },
      h('label', { htmlFor: id }, t(key)),
      h('input', { type: 'date', id, value, max: today, onchange: () => this.periodChanged() }));
    const custom = h('div', { id: 'f-custom', class: 'custom-range', hidden: this.state.period !== 'custom' },
      date('f-from', 'filters.from', this.state.from), date('f-to', 'filters.to', this.state.to),
      h('p', { class: 'field-error', id: 'f-range-error', hidden: true }));
    return h('fieldset', { class: 'filter' }, h('legend', {}, t('filters.period')),
      h('label', { htmlFor: 'f-period', class: 'visually-hidden' }, t('filters.period')), select, custom);
  }

  periodChanged() {
    const period = this.el.querySelector('#f-period').value;
    const from = this.el.querySelector('#f-from').value;
    const to = this.el.querySelector('#f-to').value;
    this.el.querySelector('#f-custom').hidden = period !== 'custom';
    const backwards = period === 'custom' && from && to && to < from;
    message(this.el.querySelector('#f-range-error'), backwards ? t('filters.rangeBackwards') : '');
    if (!backwards) this.onChange({ period, from: period === 'custom' ? from : '', to: period === 'custom' ? to : '' });
  }

  categorySection() {
    const cats = this.state.cats;
    const groups = this.catalog.groups.filter((g) => this.catalog.filterable(g).length);
    return h('fieldset', { class: 'filter' }, h('legend', {}, t('filters.categories')),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn small', onclick: () => this.setAll(true) }, t('filters.all')),
        h('button', { type: 'button', class: 'btn small', onclick: () => this.setAll(false) }, t('filters.none'))),
      h('ul', { class: 'groups' }, groups.map((g) => this.groupItem(g, cats))));
  }

  groupItem(g, cats) {
    const listId = `f-gl-${g.code}`;
    const open = this.expanded.has(g.code);
    const items = this.catalog.filterable(g).map((c) => {
      const id = `f-cat-${c.code}`;
      return h('li', { class: 'check' },
        h('input', {
          type: 'checkbox', id, value: c.code, class: 'f-cat', 'data-group': g.code,
          checked: !cats || cats.has(c.code), onchange: () => this.categoriesChanged(),
        }),
        h('label', { htmlFor: id }, pick(c.name), c.retired ? ` (${t('filters.retired')})` : ''));
    });
    const toggle = h('button', {
      type: 'button', class: 'disclosure', 'aria-expanded': String(open), 'aria-controls': listId,
      'aria-label': t('filters.showGroup', { group: pick(g.name) }),
      onclick: (e) => this.toggleGroup(g.code, e.currentTarget),
    }, h('span', { 'aria-hidden': 'true' }, '▸'));
    return h('li', { class: 'group' },
      h('div', { class: 'group-head check' },
        h('input', {
          type: 'checkbox', id: `f-grp-${g.code}`, class: 'f-group', value: g.code,
          onchange: (e) => this.groupChanged(g.code, e.target.checked),
        }),
        h('label', { htmlFor: `f-grp-${g.code}` }, pick(g.name),
          h('span', { class: 'muted' }, ` (${items.length})`)),
        toggle),
      h('ul', { id: listId, class: 'cats', hidden: !open }, items));
  }

  toggleGroup(code, button) {
    const open = !this.expanded.has(code);
    if (open) this.expanded.add(code);
    else this.expanded.delete(code);
    button.setAttribute('aria-expanded', String(open));
    this.el.querySelector(`#f-gl-${code}`).hidden = !open;
  }

  groupChanged(code, checked) {
    for (const box of this.el.querySelectorAll(`.f-cat[data-group="${code}"]`)) box.checked = checked;
    this.categoriesChanged();
  }

  setAll(checked) {
    for (const box of this.el.querySelectorAll('.f-cat')) box.checked = checked;
    this.categoriesChanged();
  }

  categoriesChanged() {
    this.syncGroups();
    const boxes = Array.from(this.el.querySelectorAll('.f-cat'));
    const chosen = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    this.onChange({ cats: chosen.size === boxes.length ? null : chosen });
  }

  // A group's checkbox: checked when all its categories are, mixed when some are.
  syncGroups() {
    for (const group of this.el.querySelectorAll('.f-group')) {
      const boxes = Array.from(this.el.querySelectorAll(`.f-cat[data-group="${group.value}"]`));
      const on = boxes.filter((b) => b.checked).length;
      group.checked = on === boxes.length;
      group.indeterminate = on > 0 && on < boxes.length;
    }
  }
}
