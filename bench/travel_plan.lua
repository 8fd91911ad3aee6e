-- wrk script for TP: make a 14-day plan (offline) per request. The dates come from the
-- environment (bench/run sets them two weeks ahead) so they are never in the past.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
  '{"departure_date":"%s","arrival_date":"%s","travelers":2,"styles":["nature","city","food","budget"],' ..
  '"budget_krw_per_person":1500000,"transports":["public","taxi"],"language":"ko"}',
  os.getenv("TRAVEL_FROM"), os.getenv("TRAVEL_TO"))
