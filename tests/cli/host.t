# The Lua host: units --payer, run, and bad invocations.
nl='
'
expect_out "units --payer ama-default" "97112 2${nl}97110 2${nl}total 4" -- units --payer ama-default 97112=24 97110=23
expect_out "units --payer medicare" "97112 2${nl}97110 1${nl}total 3" -- units --payer medicare 97112=24 97110=23
expect_out "units --payer acme-health: full 15 minutes only" "97112 1${nl}97110 1${nl}total 2" -- units --payer acme-health 97112=24 97110=23
expect_out "units --payer=FILE --json" '{"method":"ama","timed_minutes":47,"total_units":4,"lines":[{"cpt":"97112","minutes":24,"units":2,"reason":"leftover-unit"},{"cpt":"97110","minutes":23,"units":2,"reason":"leftover-unit"}]}' -- units --payer=plugins/payers/ama-default.lua --json 97112=24 97110=23
expect_exit "units --payer unknown" 2 "no payer named 'nosuch'" -- units --payer nosuch 97112=8
expect_exit "units --payer with a bad code" 2 "unknown code 99999" -- units --payer medicare 99999=8
expect_exit "units --payer with bad minutes" 2 "minutes must be a whole number" -- units --payer medicare 97112=x
expect_exit "units --payer and --method" 2 "not both" -- units --payer medicare --method ama 97112=8
expect_out "run: a workflow script" "visits 2 bad 0 errors 0" -- run tests/data/run/count.lua tests/data/check/two.ndjson
expect_exit "run: a failing script names its line" 1 "tests/data/run/fails.lua:3:" -- run tests/data/run/fails.lua
expect_exit "run: no script" 2 "no script given" -- run
expect_exit "run: missing script" 2 "nosuch.lua" -- run nosuch.lua
expect_exit "check: unreadable input" 2 "nosuch.ndjson" -- check --payer medicare nosuch.ndjson
expect_exit "check: unknown format" 2 "unknown format 'xml'" -- check --format xml
expect_exit "check: unknown option" 2 "unknown option '--frob'" -- check --frob
expect_has "check --help" "usage: eightmin check" -- check --help
H=tests/data/check/hostile.ndjson
expect_stdin "a visit cannot name a script file as its payer" 1 "eightmin.payer: payer '../plugins/payers/medicare.lua' is not a payer name" /dev/null -- check $H
expect_stdin "a code's lines adding up past a day" 1 "the lines of 97110 add up to 2000 minutes, more than a day (1440)" /dev/null -- check $H
expect_stdin "3000 lines of one code" 1 "the lines of 97110 add up to 3000 minutes" /dev/null -- check $H
expect_stdin "the visit after hostile ones is still checked" 1 "claim  97110  x2" /dev/null -- check $H
VB="--payer tests/data/payers/visit-budget.lua tests/data/check/two.ndjson"
expect_stdin "one budget per visit: the rules after it is spent are named" 1 "eightmin.visit-budget: the visit's scripts spent its instruction budget (50000000); not run: visit-budget.loop6, visit-budget.loop7, visit-budget.loop8, visit-budget.normal" /dev/null -- check $VB
expect_stdin "the next visit gets a fresh budget" 1 "visit-budget.normal: checked T2" /dev/null -- check $VB
expect_stdin "sandbox: table.insert on a table with __len is refused" 1 "table-len.bad aborted: tests/data/payers/table-len.lua:11: table functions take plain tables in the sandbox (this one has __len)" /dev/null -- check --payer tests/data/payers/table-len.lua tests/data/check/two.ndjson
expect_exit "units(): prefer strings freed by an item's metamethod" 1 "prefer[1]: string expected, got nil" -- run tests/data/run/prefer-gc.lua
# Ties in leftover minutes are the clinician's choice (CMS Ex2, Ex5, WebPT).
T=tests/data/check/ties.ndjson
expect_stdin "tie: Ex2 with the extra unit on 97110 stands" 0 "claim  97110  x2" /dev/null -- check $T
expect_stdin "tie: Ex5 with the unit on 97110 stands" 0 "claim  97110  x1" /dev/null -- check $T
expect_stdin "tie: the WebPT 2/1/1 choice stands" 0 "claim  97112  x1" /dev/null -- check $T
expect_stdin "tie: no units finding" 0 "3 visits checked, 0 bad records skipped; findings: 0 errors, 0 warnings" /dev/null -- check $T
expect_stdin "not a tie: the extra unit on the code with fewer leftover minutes is still an error" 1 "medicare.units-match: 97110: billed 2, but 23 min earn 1 unit" tests/data/check/ex1-swapped.ndjson -- check -
expect_stdin "claim hook: a __len on the returned lines never runs in the host" 0 "claim  97112  x2" /dev/null -- check --payer tests/data/payers/claim-len.lua tests/data/check/two.ndjson
expect_stdin "claim hook: a claim line's lines must be line numbers" 1 "claim-lines.claim: claim line 1: lines[1] is not valid" /dev/null -- check --payer tests/data/payers/claim-lines.lua tests/data/check/two.ndjson
expect_stdin "claim hook: the log still gets every visit" 1 "claim  97110  x2" /dev/null -- check --payer tests/data/payers/claim-lines.lua --log /dev/null tests/data/check/two.ndjson
expect_exit "a clinic may not take a payer's id" 2 "a clinic script may not have the id of the payer 'medicare'" -- check --payer medicare --clinic tests/data/clinics/medicare.lua tests/data/check/two.ndjson
expect_stdin "a refused clinic: every visit of the payer says so, the run goes on" 2 "eightmin.clinic: tests/data/payers/clinic-lowers.lua: severity.medicare.units-match" /dev/null -- check --clinic tests/data/payers/clinic-lowers.lua tests/data/check/ok.ndjson
expect_stdin "a visit cannot name a payer's test file" 1 "payer 'medicare_test' is not a payer name" tests/data/check/payer-test-file.ndjson -- check -
expect_out "units --payer with a units function" "97112 2${nl}97110 2${nl}total 4" -- units --payer tests/data/payers/units-function.lua 97112=24 97110=23
expect_out "units --payer with a units function, --json" '{"method":"custom","timed_minutes":24,"total_units":2,"lines":[{"cpt":"97112","minutes":24,"units":2,"reason":"payer-function"}]}' -- units --payer tests/data/payers/units-function.lua --json 97112=24
bin_log=$(mktemp)
"$EIGHTMIN" check $VB --log "$bin_log" >/dev/null 2>&1
expect_out "decision log: rules the visit budget did not reach are not logged as run" "ok" -- run tests/data/run/log-ran.lua "$bin_log"
rm -f "$bin_log"
