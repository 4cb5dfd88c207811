-- wrk script: GET /api/v1/map with random viewports over Kraków and Poland, random zooms,
-- filters and modes, the mix a public map sees.
local filters = {"", "", "&category=illegal_parking", "&status=new,verifying",
  "&group=road,public_order", "&from=2026-10-25", "&category=speeding&from=2026-06-01"}

request = function()
  local zoom = math.random(6, 18)
  local span_lon = 1280 * 360 / (256 * 2 ^ zoom)
  local span_lat = span_lon * 0.6
  local lat, lon
  if zoom < 9 then lat, lon = 52.0, 19.4 else
    lat = 50.0 + math.random() * 0.12; lon = 19.82 + math.random() * 0.36 end
  local mode = math.random() < 0.2 and "&mode=hex" or ""
  local path = string.format("/api/v1/map?bbox=%.5f,%.5f,%.5f,%.5f&zoom=%d%s%s",
    lon - span_lon / 2, lat - span_lat / 2, lon + span_lon / 2, lat + span_lat / 2, zoom,
    filters[math.random(#filters)], mode)
  return wrk.format("GET", path)
end
