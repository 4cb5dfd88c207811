// app.js - the public threat map: loads the catalogue and the districts,
// builds the map, the filters and the panels, keeps the view in the URL and
// asks GET /api/v1/map for what is in view whenever the view or a filter
// changes (debounced; a newer question aborts the one still in flight).

import { $, h, debounce, message } from './dom.js';
import { t, tn, setLang, translatePage, formatNumber } from './i18n.js';
import { api, ApiError } from './api.js';
import { Catalog } from './catalog.js';
import { parseHash, parseTrack, toHash, periodRange, STATUSES } from './state.js';
import {
  createMap, addBaseLayers, tileSetting, ReportLayer, Legend, PickMarker, POLAND, zoomToCluster, translateZoom,
  AreaPreview,
} from './mapview.js';
import { Filters } from './filters.js';
import { Panel, Drawer } from './panel.js';
import { ReportForm } from './report.js';
import { flush } from './outbox.js';
import { TrackForm } from './track.js';
import { reportView } from './details.js';
import { AlertsForm } from './alerts.js';

const MOVE_DELAY = 150; // ms of quiet after panning before the map is asked again

class App {
  async start() {
    const [categories, districts, outline] = await Promise.all([
      api.categories(), api.districts(), api.outline().catch(() => null),
    ]);
    this.catalog = new Catalog(categories);
    this.state = parseHash(window.location.hash, this.catalog);
    setLang(this.state.lang);
    translatePage();
    this.buildMap(districts, outline);
    this.buildPanels(districts);
    this.applyLanguage();
    this.map.on('moveend', () => this.moved());
    this.showInitialView();
    this.map.on('click', (e) => this.mapClicked(e));
    // The event's own URL: a move of the map may have rewritten location.hash since.
    window.addEventListener('hashchange', (e) => this.hashChanged(new URL(e.newURL).hash));
    this.query.now();
    const track = parseTrack(window.location.hash);
    if (track) this.openTrack(track.id, track.token, null);
    this.installable();
  }

  // The installable web app (manifest.webmanifest, sw.js) and the outbox of reports written
  // offline: sent when the page opens online and whenever the network returns.
  installable() {
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => {});
    const say = (text) => {
      message($('#outbox-status'), text);
      message($('#announce'), text);
    };
    const send = () => flush(api.submit, {
      sent: (a) => say(t('report.outboxSent', { id: a.id, token: a.token })),
      refused: (e) => say(t('report.outboxRefused', { detail: e.message })),
    }).catch(() => {});
    window.addEventListener('online', send);
    if (navigator.onLine) send();
  }

  buildMap(districts, outline) {
    const tiles = tileSetting();
    this.mapEl = $('#map');
    this.map = createMap(this.mapEl, tiles);
    this.base = addBaseLayers(this.map, outline, districts, tiles);
    this.reports = new ReportLayer(this.map, this.catalog, {
      onCluster: (p, latlng) => this.clusterChosen(p, latlng),
      onReport: (p, latlng, e) => this.reportChosen(p, latlng, e),
    });
    this.legend = new Legend(this.map, this.catalog);
    this.pick = new PickMarker(this.map);
    this.query = debounce(() => this.runQuery(), MOVE_DELAY);
    this.mapEl.setAttribute('role', 'region');
    // The panels take room from the map: Leaflet must learn its new size (it keeps the centre).
    new ResizeObserver(() => this.map.invalidateSize()).observe(this.mapEl);
  }

  buildPanels(districts) {
    this.filters = new Filters($('#filters-body'), this.catalog, (patch) => this.filtersChanged(patch));
    this.drawer = new Drawer($('#filters'), $('#btn-filters'), $('#btn-filters-close'));
    this.panel = new Panel($('#panel'), (view) => this.panelClosed(view));
    this.panel.onShow = (view) => this.mapEl.classList.toggle('picking', view === 'report');
    this.form = new ReportForm($('#panel'), this.catalog, {
      pickMarker: this.pick,
      centre: () => {
        const c = this.map.getCenter();
        return { lat: c.lat, lon: c.lng };
      },
      flyTo: (lat, lon) => this.map.setView([lat, lon], Math.max(this.map.getZoom(), 16)),
      submitted: (answer) => this.reportSubmitted(answer),
      track: (id, token) => this.openTrack(id, token, $('#btn-done-track')),
    });
    this.track = new TrackForm($('#panel'), this.catalog);
    this.alerts = new AlertsForm($('#panel'), this.catalog, districts, {
      subscribe: api.subscribe,
      bounds: () => this.map.getBounds(),
      centre: () => {
        const c = this.map.getCenter();
        return { lat: c.lat, lon: c.lng };
      },
      preview: (shape) => this.alertsPreview(shape),
    });
    $('#btn-alerts').addEventListener('click', (e) => this.openAlerts(e.currentTarget));
    $('#btn-report').addEventListener('click', (e) => this.openReport(e.currentTarget));
    $('#btn-report-again').addEventListener('click', () => this.openReport(null));
    $('#btn-track').addEventListener('click', (e) => this.openTrack('', '', e.currentTarget));
    // The skip link moves focus only: as a plain link it would replace the URL's state with "#map".
    $('.skip-link').addEventListener('click', (e) => {
      e.preventDefault();
      this.mapEl.focus();
    });
    $('#btn-lang').addEventListener('click', () => {
      this.state.lang = this.state.lang === 'pl' ? 'en' : 'pl';
      this.applyLanguage();
      this.writeHash();
    });
  }

  showInitialView() {
    const s = this.state;
    if (s.lat !== null) {
      this.map.setView([s.lat, s.lon], s.zoom);
    } else {
      const bounds = this.base.districts.getBounds();
      if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [16, 16] });
      else this.map.setView([POLAND.lat, POLAND.lon], POLAND.zoom);
    }
    this.base.whenReady();
  }

  // Every string on the page in the state's language.
  applyLanguage() {
    setLang(this.state.lang);
    translatePage();
    document.title = t('app.documentTitle');
    $('#btn-lang-text').setAttribute('lang', this.state.lang === 'pl' ? 'en' : 'pl');
    this.mapEl.setAttribute('aria-label', t('map.label'));
    this.mapEl.setAttribute('aria-roledescription', t('map.roledescription'));
    this.filters.render(this.state);
    this.form.render();
    this.track.render();
    this.alerts.render();
    this.panel.retitle();
    this.legend.render();
    translateZoom(this.map);
    this.reports.refresh();
    if (this.details) this.showDetails(this.details);
    if (this.lastSummary) this.summarise(this.lastSummary);
  }

  writeHash() {
    const hash = toHash(this.state, this.catalog);
    if (window.location.hash.replace(/^#/, '') !== hash) {
      window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#${hash}`);
    }
  }

  moved() {
    const c = this.map.getCenter();
    Object.assign(this.state, { lat: c.lat, lon: c.lng, zoom: this.map.getZoom() });
    this.writeHash();
    this.query();
    if (this.alerts) this.alerts.refreshPreview(); // a circle follows the map's centre
  }

  filtersChanged(patch) {
    Object.assign(this.state, patch);
    this.writeHash();
    this.query.now();
  }

  // Someone edited the URL or opened a shared link in this tab.
  hashChanged(hash) {
    if (!hash.includes('=')) return; // an in-page anchor, not a view
    const track = parseTrack(hash);
    if (track) {
      this.openTrack(track.id, track.token, null);
      return;
    }
    const previous = this.state.lang;
    this.state = parseHash(hash, this.catalog);
    if (this.state.lat !== null) this.map.setView([this.state.lat, this.state.lon], this.state.zoom);
    if (previous !== this.state.lang) this.applyLanguage();
    else this.filters.render(this.state);
    this.query.now();
  }

  // The question for GET /api/v1/map, or null when the filters leave nothing to show.
  mapParams() {
    const s = this.state;
    if ((s.cats && s.cats.size === 0) || (s.statuses && s.statuses.size === 0)) return null;
    const b = this.map.getBounds(); // exactly the view: the count shown over the map is what is in it
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v)).toFixed(5);
    const params = {
      bbox: [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
        clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].join(','),
      zoom: Math.round(this.map.getZoom()),
      mode: s.mode,
      ...periodRange(s),
    };
    if (s.cats) {
      const { groups, categories } = this.catalog.compress(s.cats);
      params.group = groups.join(',');
      params.category = categories.join(',');
    }
    if (s.statuses) params.status = STATUSES.filter((x) => s.statuses.has(x)).join(',');
    return params;
  }

  async runQuery() {
    if (this.inFlight) this.inFlight.abort();
    const params = this.mapParams();
    if (!params) {
      this.inFlight = null;
      this.reports.clear();
      this.legend.update(this.state.mode, null);
      this.summarise({ key: 'map.nothingSelected' });
      this.mapEl.setAttribute('aria-busy', 'false');
      return;
    }
    const controller = new AbortController();
    this.inFlight = controller;
    this.mapEl.setAttribute('aria-busy', 'true');
    try {
      const fc = await api.map(params, controller.signal);
      if (this.inFlight !== controller) return;
      this.reports.render(fc, params.mode);
      this.legend.update(params.mode, fc);
      this.summarise({ count: matched(fc), mode: params.mode, truncated: Boolean(fc && fc.truncated) });
    } catch (err) {
      if (err.name === 'AbortError' || this.inFlight !== controller) return;
      if (!(err instanceof ApiError)) throw err;
      this.summarise({ key: err.status ? 'map.loadFailed' : 'error.network', error: true });
    } finally {
      if (this.inFlight === controller) {
        this.inFlight = null;
        this.mapEl.setAttribute('aria-busy', 'false');
      }
    }
  }

  // The line under the map: how many reports are in view, or what went wrong.
  summarise(what) {
    this.lastSummary = what;
    const el = $('#summary');
    el.textContent = what.key ? t(what.key) : tn(what.mode === 'hex' ? 'map.countHex' : 'map.count', what.count);
    if (what.truncated) el.textContent += ` ${t('map.truncated')}`;
    el.classList.toggle('error', Boolean(what.error));
    if (what.error) message($('#announce'), t(what.key));
  }

  mapClicked(e) {
    if (this.panel.isOpen('report')) this.form.setPoint(e.latlng.lat, e.latlng.lng);
    if (this.panel.isOpen('alerts')) this.alerts.mapClicked(e.latlng.lat, e.latlng.lng);
  }

  // The area the subscribe form is choosing, drawn on the map (mapview.js).
  alertsPreview(shape) {
    if (!this.areaPreview) this.areaPreview = new AreaPreview(this.map);
    this.areaPreview.show(shape);
  }

  clusterChosen(p, latlng) {
    if (!zoomToCluster(this.map, p, latlng)) message($('#announce'), tn('cluster.samePlace', p.count));
  }

  reportChosen(p, latlng, e) {
    if (this.panel.isOpen('report')) {
      this.form.setPoint(latlng.lat, latlng.lng);
      return;
    }
    const opener = e && e.target && e.target.getElement ? e.target.getElement() : document.activeElement;
    this.openDetails(p.id, opener);
  }

  async openDetails(id, opener) {
    this.details = null;
    this.panel.show('details', opener);
    $('#details-body').textContent = t('common.loading');
    try {
      this.showDetails(await api.report(id));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      $('#details-body').textContent = t(err.status === 404 ? 'details.gone' : 'map.loadFailed');
    }
  }

  showDetails(report, said) {
    this.details = report;
    const open = ['new', 'verifying', 'confirmed', 'referred'].includes(report.status);
    const button = open && !said
      ? h('button', { type: 'button', class: 'btn me-too', id: 'btn-me-too' }, t('details.meTooAsk')) : null;
    if (button) button.addEventListener('click', () => this.meToo(report, button));
    $('#details-body').replaceChildren(reportView(report, this.catalog), button || '',
      h('p', { class: 'me-too-state', id: 'me-too-state', tabindex: '-1', 'aria-live': 'polite' }, said || ''));
  }

  // "Me too": the citizen confirms a threat already on the map instead of filing it again.
  async meToo(report, button) {
    button.disabled = true;
    try {
      const answer = await api.meToo(report.id);
      this.showDetails({ ...report, me_too: answer.me_too },
        t('details.meTooDone', { count: formatNumber(answer.me_too) }));
      $('#me-too-state').focus();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const key = { 409: 'details.meTooAlready', 404: 'details.gone', 429: 'error.tooMany', 0: 'error.network' }[err.status];
      button.disabled = err.status !== 409 && err.status !== 404;
      $('#me-too-state').textContent = key ? t(key) : t('error.generic', { detail: err.message });
    }
  }

  openReport(opener) {
    if (!this.panel.isOpen('report')) this.form.reset();
    this.drawer.close(false);
    this.panel.show('report', opener);
  }

  openTrack(id, token, opener) {
    this.drawer.close(false);
    this.panel.show('track', opener);
    if (id || token) {
      this.track.fillIn(id, token);
      this.track.lookUp();
      this.writeHash(); // the token leaves the address bar once it is in the form
    }
  }

  // The subscribe form: it follows the view as it is when sent, so the map stays usable.
  openAlerts(opener) {
    if (!this.panel.isOpen('alerts')) this.alerts.reset();
    this.drawer.close(false);
    this.panel.show('alerts', opener);
    this.alerts.refreshPreview();
  }

  reportSubmitted(answer) {
    this.pick.clear();
    this.panel.show('report-done');
    message($('#announce'), t('report.doneAnnounce', { id: answer.id }));
    this.query.now();
  }

  panelClosed(view) {
    this.mapEl.classList.remove('picking');
    if (view === 'alerts') this.alerts.refreshPreview();
    if (view === 'report' || view === 'report-done') this.pick.clear();
    if (view === 'details') this.details = null;
  }
}

function matched(fc) {
  if (fc && Number.isFinite(fc.matched)) return fc.matched;
  let n = 0;
  for (const f of (fc && fc.features) || []) n += (f.properties && f.properties.count) || 1;
  return n;
}

const app = new App();
app.start().catch((err) => {
  const el = $('#summary');
  el.textContent = t(err instanceof ApiError && err.status === 0 ? 'error.network' : 'error.start');
  el.classList.add('error');
  el.setAttribute('role', 'alert');
  console.error(err);
});
export default app;
