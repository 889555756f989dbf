# eightmin check: a rule's backtracking pattern (hours in stock Lua) is
# stopped by the instruction budget; the other rules and visits still run.
D=tests/data/check
P=tests/data/payers
N=/dev/null

expect_stdin "pattern-bomb: budget" 1 "pattern-bomb.bad aborted: instruction budget exceeded at tests/data/payers/pattern-bomb.lua:11" $N -- check --payer $P/pattern-bomb.lua $D/two.ndjson
expect_stdin "pattern-bomb: same visit, next rule" 1 "pattern-bomb.normal: checked T1" $N -- check --payer $P/pattern-bomb.lua $D/two.ndjson
expect_stdin "pattern-bomb: next visit" 1 "pattern-bomb.normal: checked T2" $N -- check --payer $P/pattern-bomb.lua $D/two.ndjson
