-- A 2 KB form POST of plain English text (lorem ipsum trips CRS rule 932150).
local sentence = "The quarterly review went well and the team agreed to ship the new release next week. "
local comment = ""
while #comment < 1900 do comment = comment .. sentence end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "name=Jane+Doe&email=jane%40example.com&comment=" .. comment:gsub(" ", "+")
