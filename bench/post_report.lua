-- wrk script: POST /api/v1/reports with points scattered around Kraków's old town.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local categories = {"illegal_parking", "illegal_parking", "speeding", "public_drinking", "vandalism"}

request = function()
  local lat = 50.055 + math.random() * 0.015
  local lon = 19.925 + math.random() * 0.025
  local body = string.format(
    '{"category":"%s","lat":%.6f,"lon":%.6f,"description":"Samochody na chodniku."}',
    categories[math.random(#categories)], lat, lon)
  return wrk.format(nil, nil, nil, body)
end
