// catalog.js - the category catalogue of GET /api/v1/categories, with the
// questions the page asks of it. Categories are data: their names come in
// both languages from the server, and the page has no list of its own.

export class Catalog {
  constructor(doc) {
    this.groups = (doc && doc.groups) || [];
    this.byCode = new Map();
    for (const g of this.groups) {
      for (const c of g.categories) this.byCode.set(c.code, { ...c, group: g.code });
    }
  }

  category(code) {
    return this.byCode.get(code) || null;
  }

  group(code) {
    return this.groups.find((g) => g.code === code) || null;
  }

  // Categories the public map can ever show (not visibility "never"): the filter's choices.
  filterable(group) {
    return group.categories.filter((c) => c.visibility !== 'never');
  }

  // Categories that take new reports: the report form's choices.
  reportable(group) {
    return group.categories.filter((c) => !c.retired);
  }

  groupCodes(groupCode) {
    const g = this.group(groupCode);
    return g ? this.filterable(g).map((c) => c.code) : [];
  }

  allCodes() {
    return this.groups.flatMap((g) => this.groupCodes(g.code));
  }

  // Splits a selection into whole groups and single categories (shorter URLs and queries).
  compress(selected) {
    const groups = [];
    const categories = [];
    for (const g of this.groups) {
      const codes = this.groupCodes(g.code);
      const chosen = codes.filter((c) => selected.has(c));
      if (codes.length && chosen.length === codes.length) groups.push(g.code);
      else categories.push(...chosen);
    }
    return { groups, categories };
  }
}
