// basemap.js - the configured base map under every map, public and police:
// the tarcza-tiles meta tag (which `tarcza serve --tiles` fills) as a Leaflet
// layer. Three forms, checked by the server before it serves them
// (src/http/static.c, docs/web.md):
//   XYZ   https://host/{z}/{x}/{y}.png
//   WMTS  RESTful https://host/.../{TileMatrix}/{TileRow}/{TileCol}.png, or KVP
//         ...?SERVICE=WMTS&REQUEST=GetTile&...&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol},
//         in a Web Mercator tile matrix set whose matrices are the zoom levels
//   WMS   ...?SERVICE=WMS&REQUEST=GetMap&LAYERS=...: Leaflet asks for each
//         256-pixel tile with its own BBOX in EPSG:3857
// The attribution is text: Leaflet takes it as HTML, so it is escaped here.

import * as L from '../vendor/leaflet/leaflet-src.esm.js';
import { escapeHtml } from './dom.js';

// The tile setting of the page: <meta name="tarcza-tiles" content="URL|attribution">.
export function tileSetting(doc = document) {
  const meta = doc.querySelector('meta[name="tarcza-tiles"]');
  const content = ((meta && meta.content) || '').trim();
  const bar = content.indexOf('|');
  const url = (bar < 0 ? content : content.slice(0, bar)).trim();
  const attribution = bar < 0 ? '' : content.slice(bar + 1).trim();
  return /^https?:\/\/[^/]+\//.test(url) ? { url, attribution } : null;
}

// The query of a URL as [key, value] pairs, keys as written (OGC servers read them in any case).
function queryOf(url) {
  const q = url.indexOf('?');
  return q < 0 ? [] : [...new URLSearchParams(url.slice(q + 1))];
}

export function tileForm(url) {
  const params = new Map(queryOf(url).map(([k, v]) => [k.toUpperCase(), v.toUpperCase()]));
  if (params.get('SERVICE') === 'WMS') return 'wms';
  if (url.includes('{TileMatrix}') || params.get('SERVICE') === 'WMTS') return 'wmts';
  return 'xyz';
}

// A WMS GetMap URL as Leaflet's WMS layer wants it: the address, and the parameters as options
// (SERVICE and REQUEST are Leaflet's own; BBOX, WIDTH, HEIGHT and SRS it adds per tile).
function wmsLayer(url, options) {
  const base = url.slice(0, url.indexOf('?'));
  const wms = { ...options, uppercase: true, crs: L.CRS.EPSG3857, format: 'image/png', transparent: false };
  for (const [key, value] of queryOf(url)) {
    const k = key.toLowerCase();
    if (k === 'service' || k === 'request' || k === 'srs' || k === 'crs') continue;
    wms[k] = k === 'transparent' ? value.toLowerCase() === 'true' : value;
  }
  return L.tileLayer.wms(base, wms);
}

// The base layer of a tile setting (tileSetting()), or null without one.
export function baseLayer(tiles) {
  if (!tiles) return null;
  const options = { attribution: escapeHtml(tiles.attribution), maxZoom: 19 };
  switch (tileForm(tiles.url)) {
    case 'wms':
      return wmsLayer(tiles.url, options);
    case 'wmts': // a Web Mercator matrix set: TileMatrix is the zoom, TileRow y and TileCol x
      return L.tileLayer(tiles.url.replaceAll('{TileMatrix}', '{z}').replaceAll('{TileRow}', '{y}')
        .replaceAll('{TileCol}', '{x}'), options);
    default:
      return L.tileLayer(tiles.url, options);
  }
}
