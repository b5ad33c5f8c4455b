-- wrk script for the empty Next.js route in the signups bench (bench/signups.ts): the same kind of
-- request as a signup (POST, a small JSON body), so its rate is what the framework alone allows.
wrk.method = "POST"
wrk.body = '{"email":"reader@example.com","source":"bench"}'
wrk.headers["Content-Type"] = "application/json"
