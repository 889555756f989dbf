# eightmin units: CMS Pub. 100-04 ch. 5 s20.2 examples, the AMA rule, errors.
nl='
'
expect_out "cms example 1" "97112 2${nl}97110 1${nl}total 3" -- units 97112=24 97110=23
expect_out "cms example 3" "97110 2${nl}97140 1${nl}total 3" -- units 97110=33 97140=7
expect_out "cms example 4" "97110 1${nl}97140 1${nl}97116 1${nl}97035 0${nl}total 3" -- units 97110=18 97140=13 97116=10 97035=8
expect_out "cms example 5: one unit" "97112 1${nl}97110 0${nl}97140 0${nl}total 1" -- units 97112=7 97110=7 97140=7
expect_out "cms 60 min of 97530" "97530 4${nl}total 4" -- units 97530=60
expect_out "explicit --method cms" "97112 2${nl}97110 1${nl}total 3" -- units --method cms 97112=24 97110=23
expect_out "ama per code" "97112 2${nl}97110 2${nl}total 4" -- units --method ama 97112=24 97110=23
expect_out "ama 7+7+7 is nothing" "97112 0${nl}97110 0${nl}97140 0${nl}total 0" -- units --method=ama 97112=7 97110=7 97140=7
expect_out "ama 33+7" "97110 2${nl}97140 0${nl}total 2" -- units --method ama 97110=33 97140=7
expect_out "repeated codes are summed" "97112 2${nl}97110 1${nl}total 3" -- units 97112=12 97110=23 97112=12
expect_out "untimed code is 1 unit, not timed" "97161 1${nl}97112 1${nl}total 2" -- units 97161=45 97112=10
expect_out "untimed with timed pooling" "97010 1${nl}97110 1${nl}97140 1${nl}total 3" -- units 97010=15 97110=18 97140=10
expect_out "7 minutes alone is nothing" "97112 0${nl}total 0" -- units 97112=7
expect_out "8 minutes alone is 1" "97112 1${nl}total 1" -- units 97112=8
expect_out "0 minutes" "97112 0${nl}total 0" -- units 97112=0
expect_out "1440 minutes" "97110 96${nl}total 96" -- units 97110=1440
expect_out "lowercase code" "G0283 1${nl}total 1" -- units g0283=10
expect_out "json" '{"method":"cms","timed_minutes":47,"total_units":3,"lines":[{"cpt":"97112","minutes":24,"units":2,"reason":"leftover-unit"},{"cpt":"97110","minutes":23,"units":1,"reason":"full-units"}]}' -- units --json 97112=24 97110=23
expect_out "json ama" '{"method":"ama","timed_minutes":47,"total_units":4,"lines":[{"cpt":"97112","minutes":24,"units":2,"reason":"leftover-unit"},{"cpt":"97110","minutes":23,"units":2,"reason":"leftover-unit"}]}' -- units --json --method ama 97112=24 97110=23
expect_out "explain" "97110 2  full-units: 33 min = 2 full units + 3 min left over${nl}97140 1  leftover-unit: 7 min = 0 full units + 7 min left over${nl}total 3${nl}timed minutes 40 -> 3 timed units (cms)" -- units --explain 97110=33 97140=7

expect_exit "no arguments" 2 "no CODE=MINUTES given" -- units
expect_exit "unknown code" 2 "unknown code 97999" -- units 97999=10
expect_exit "not a code" 2 "not a procedure code" -- units 97-12=10
expect_exit "missing =" 2 "expected CODE=MINUTES" -- units 97112
expect_exit "bad number" 2 "minutes must be a whole number" -- units 97112=abc
expect_exit "fraction" 2 "minutes must be a whole number" -- units 97112=7.5
expect_exit "negative minutes" 2 "minutes cannot be negative" -- units 97112=-5
expect_exit "over a day" 2 "minutes must be 0 to 1440" -- units 97112=1441
expect_exit "huge number" 2 "minutes must be 0 to 1440" -- units 97112=99999999999999999999999
expect_exit "empty minutes" 2 "minutes missing" -- units 97112=
expect_exit "day total over 1440" 2 "more than a day" -- units 97112=1000 97110=1000
expect_exit "unknown method" 2 "unknown method 'xyz'" -- units --method xyz 97112=8
expect_exit "method without value" 2 "needs a value" -- units --method
expect_exit "unknown option" 2 "unknown option '--frobnicate'" -- units --frobnicate 97112=8
expect_has "units help" "usage: eightmin units [--method cms|ama]" -- units --help
expect_has "top-level help" "units [--method cms|ama|--payer NAME]" -- --help
expect_exit "unknown command" 2 "unknown command 'frob'" -- frob
expect_out "options after the pairs" "97112 2${nl}97110 2${nl}total 4" -- units 97112=24 97110=23 --method ama
expect_out "json after the pairs" '{"method":"cms","timed_minutes":8,"total_units":1,"lines":[{"cpt":"97112","minutes":8,"units":1,"reason":"leftover-unit"}]}' -- units 97112=8 --json
expect_exit "-- ends the options" 2 "'--json': expected CODE=MINUTES" -- units 97112=8 -- --json
