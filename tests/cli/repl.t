# eightmin repl through a pipe (no prompt, banner or history; results
# printed), then on a terminal through tmux (tests/cli/repl_pty.sh).
R=tests/data/repl

# ---- a scripted session -----------------------------------------------------
expect_stdin "repl: a function over 3 lines" 0 "42" $R/session.txt -- repl
expect_stdin "repl: :payer" 0 "payer medicare (Medicare Part B)" $R/session.txt -- repl
expect_stdin "repl: :visits" 0 "visits loaded from plugins/examples/visits.ndjson, 1 bad record skipped" $R/session.txt -- repl
expect_stdin "repl: :visit by id" 0 "visit = visit V1001 2026-03-04 medicare (2 lines)" $R/session.txt -- repl
expect_stdin "repl: :check claim lines" 0 "claim  97112  x2  GP             dx 1,2" $R/session.txt -- repl
expect_stdin "repl: :explain the leftover unit" 0 "97112: 24 min = 1 full unit + 9 min left over; leftover-unit: the day's 47 timed minutes give 3 units (CMS); 97112 had the most left over -> 2 units" $R/session.txt -- repl
expect_stdin "repl: :explain the lost leftover" 0 "97110: 23 min = 1 full unit + 8 min left over; full-units: its 8 min left over lost the day's leftover unit to codes with more left over -> 1 unit" $R/session.txt -- repl
expect_stdin "repl: :explain the day" 0 "units (cms): 47 timed minutes -> 3 timed units; 3 units in all" $R/session.txt -- repl
expect_stdin "repl: :explain which rules ran" 0 "  medicare.units-match                 ran, no findings" $R/session.txt -- repl
expect_stdin "repl: a table pretty-printed, keys sorted" 0 '{ a = { 1, 2, "three" }, b = 2, ["not id"] = true }' $R/session.txt -- repl
expect_stdin "repl: a cycle is marked" 0 "{ me = <cycle: table: " $R/session.txt -- repl
expect_stdin "repl: a view prints as its tostring" 0 "<97112 24 min 2 units [GP]>" $R/session.txt -- repl
expect_stdin "repl: and as its fields" 0 '  interventions = {' $R/session.txt -- repl
expect_stdin "repl: result is set by :check" 0 "leftover-unit" $R/session.txt -- repl
expect_stdin "repl: :visit by line number" 0 "visit = visit V1003 2026-03-05 medicare (2 lines)" $R/session.txt -- repl
expect_stdin "repl: :units" 0 "97140: 7 min = 0 full units + 7 min left over; leftover-unit: the day's 40 timed minutes give 3 units (CMS); 97140 had the most left over -> 1 unit" $R/session.txt -- repl
expect_stdin "repl: :explain a rule that fired" 0 "  medicare.units-match                 ran, fired: 1 finding" $R/fired.txt -- repl
expect_stdin "repl: :explain shows the finding" 0 "medicare.units-match: 97112: billed 3, but 24 min earn 2 units" $R/fired.txt -- repl
expect_stdin "repl: --payer" 0 "medicare" $R/payer.txt -- repl --payer medicare
expect_stdin "repl: :clinic" 0 "clinic example (Example Physical Therapy)" $R/payer.txt -- repl --payer medicare
expect_stdin "repl: :explain a tie" 0 "97112 had as much left over as 97110 and won the tie (the clinic's preference, then input order) -> 2 units" $R/payer.txt -- repl --payer medicare
expect_stdin "repl: :explain clinic rules" 0 "  example.interventions-documented     ran, fired: 2 findings" $R/payer.txt -- repl --payer medicare
expect_stdin "repl: errors keep the session; a failed pipe exits 1" 1 "42" $R/errors.txt -- repl
expect_exit "repl: unknown payer" 2 "no payer named 'nosuch'" -- repl --payer nosuch
expect_exit "repl: stray argument" 2 "unexpected argument 'x'" -- repl x
expect_has "repl --help" "usage: eightmin repl" -- repl --help

# The exact output of a pipe: no prompt, no banner.
printf '1 + 1\n"text"\nreturn 1, "a"\n' | "$EIGHTMIN" repl >"$tmp/out" 2>"$tmp/err"
printf '2\ntext\n1\ta\n' >"$tmp/want"
if cmp -s "$tmp/out" "$tmp/want"; then pass=$((pass + 1))
else failed "repl: a pipe gets results only" "stdout differs from the expected:" "repl"; sed 's/^/  wanted: /' "$tmp/want"; fi

# Errors: a traceback into the line, on stderr.
"$EIGHTMIN" repl <$R/errors.txt >"$tmp/out" 2>"$tmp/err"
for part in "stdin:1: boom" "stack traceback:" "	stdin:1: in main chunk" \
            "stdin:1: attempt to index a nil value (local 't')" \
            "unknown command :nosuch (:help lists them)" ":visit: no visits loaded: :visits FILE"; do
    if grep -qF -- "$part" "$tmp/err"; then pass=$((pass + 1))
    else failed "repl: error message" "stderr lacks: $part" "repl < $R/errors.txt"; fi
done
if grep -q "repl.lua" "$tmp/err"; then failed "repl: traceback" "shows the REPL's own frames" "repl < $R/errors.txt"
else pass=$((pass + 1)); fi

# ---- on a terminal (needs tmux) ---------------------------------------------
if sh tests/cli/repl_pty.sh "$EIGHTMIN" >"$tmp/out" 2>"$tmp/err"; then pass=$((pass + 1))
else failed "repl on a terminal (tests/cli/repl_pty.sh)" "failed:" "repl (through tmux)"; fi

# :reload picks up an edit of the payer script.
cp plugins/payers/acme-health.lua "$tmp/mypayer.lua"
cat >"$tmp/reload.txt" <<EOT
:payer $tmp/mypayer.lua
s = io.open("$tmp/mypayer.lua"):read("a")
f = io.open("$tmp/mypayer.lua", "w"); f:write((s:gsub("Acme Health PPO", "Acme Two"))); f:close()
:reload
EOT
expect_stdin "repl: :payer FILE" 0 "payer mypayer (Acme Health PPO)" "$tmp/reload.txt" -- repl
expect_stdin "repl: :reload" 0 "payer mypayer (Acme Two)" "$tmp/reload.txt" -- repl
