# eightmin test: the runner of *_test.lua files, on the fixture files of
# tests/data/runner (failing.lua, syntax_error.lua and endless.lua are not
# named *_test.lua, so only an explicit path runs them).
R=tests/data/runner
nl='
'

# ---- passing --------------------------------------------------------------
expect_out "test: a passing file" "15 passed, 0 failed" -- test $R/passing_test.lua
expect_out "test: a folder runs only its *_test.lua files" "15 passed, 0 failed" -- test $R
expect_out "test: a file named twice runs once" "15 passed, 0 failed" -- test $R/passing_test.lua $R
expect_has "test plugins: the plugins' own tests pass" ", 0 failed" -- test plugins
expect_has "test plugins: lib.assistant's tests run" "lib.assistant split > OTA brings CO" -- test --verbose plugins

# ---- failing: exit 1, file:line, the diff ---------------------------------
expect_stdin "test: a failing file exits 1" 1 "1 passed, 5 failed" /dev/null -- test $R/failing.lua
expect_stdin "test: FAIL file:line: group > test" 1 "FAIL $R/failing.lua:7: diffs > a table diff names the path" /dev/null -- test $R/failing.lua
expect_stdin "test: a table diff names the path that differs" 1 "  expected.lines[2].units = 2, got 3" /dev/null -- test $R/failing.lua
expect_stdin "test: a string diff quotes both" 1 '  expected "GP", got "GP CQ"' /dev/null -- test $R/failing.lua
expect_stdin "test: a failure swallowed by pcall still fails" 1 "FAIL $R/failing.lua:13: diffs > the first failure counts, even under pcall" /dev/null -- test $R/failing.lua
expect_stdin "test: ... and shows the first failed expectation" 1 "  expected 2, got 1" /dev/null -- test $R/failing.lua
expect_stdin "test: a missing finding names the rule" 1 "  expected a finding medicare.telehealth, got:" /dev/null -- test $R/failing.lua
expect_stdin "test: ... and lists the findings there were" 1 "    error line 1 medicare.units-match: 97112: billed 3" /dev/null -- test $R/failing.lua
expect_stdin "test: an error fails the test at its line" 1 "FAIL $R/failing.lua:29: an error in a test" /dev/null -- test $R/failing.lua
expect_stdin "test: ... with the error's message" 1 "  $R/failing.lua:29: attempt to index a nil value (local 't')" /dev/null -- test $R/failing.lua
expect_stdin "test: passing and failing files together" 1 "16 passed, 5 failed" /dev/null -- test $R/passing_test.lua $R/failing.lua

# ---- options --------------------------------------------------------------
expect_out "test --filter: only the matching tests" "1 passed, 0 failed" -- test --filter "passes$" $R/failing.lua
expect_out "test --filter=: a group" "5 passed, 0 failed" -- test --filter=^check $R/passing_test.lua
expect_out "test --filter: nothing matched" "0 passed, 0 failed" -- test --filter no-such-test $R/passing_test.lua
expect_exit "test --filter: a bad pattern" 2 "--filter '[': malformed pattern" -- test --filter "[" $R
expect_has "test --verbose: each passing test" "ok   $R/passing_test.lua:31: matchers > nested > names join with >" -- test --verbose $R/passing_test.lua
expect_stdin "test --verbose: failures too" 1 "ok   $R/failing.lua:32: this one passes" /dev/null -- test --verbose $R/failing.lua
expect_out "test --coverage: the rules that never fired" "coverage: tiny: 1 of 2 rules fired; never: tiny.quiet${nl}2 passed, 0 failed" -- test --coverage $R/coverage.lua
expect_has "test --help" "usage: eightmin test" -- test --help

# ---- files that break -----------------------------------------------------
expect_stdin "test: a syntax error is one failed test" 1 "FAIL $R/syntax_error.lua:5: (the file did not load)" /dev/null -- test $R/syntax_error.lua
expect_stdin "test: ... with the compiler's message" 1 "  $R/syntax_error.lua:5: 'end' expected (to close 'function' at line 3) near <eof>" /dev/null -- test $R/syntax_error.lua
expect_stdin "test: a syntax error, then the other files run" 1 "15 passed, 1 failed" /dev/null -- test $R/syntax_error.lua $R/passing_test.lua
expect_stdin "test: an endless loop fails its test" 1 "FAIL $R/endless.lua:5: loops forever" /dev/null -- test $R/endless.lua
expect_stdin "test: ... out of its instruction budget" 1 "instruction budget exceeded at $R/endless.lua:5" /dev/null -- test $R/endless.lua
expect_stdin "test: after an endless loop the run goes on" 1 "1 passed, 1 failed" /dev/null -- test $R/endless.lua

# ---- usage errors ---------------------------------------------------------
expect_exit "test: unknown option" 2 "unknown option '--frob'" -- test --frob $R
expect_exit "test: a missing path" 2 "no-such-folder: no such file or folder" -- test no-such-folder
expect_exit "test: --filter needs a value" 2 "--filter needs a value" -- test --filter
