#!/bin/sh
# gen_visits.sh N: N realistic visits as NDJSON on stdout (about 1 KB each),
# cycling through a few shapes of a therapy day.
n=${1:-10000}
awk -v n="$n" 'BEGIN {
  split("97112 97110 97116 97140 97530 97035", codes, " ")
  for (i = 1; i <= n; i++) {
    d = (i % 28) + 1
    a = 8 + (i * 7) % 30; b = 5 + (i * 11) % 25; c = (i * 13) % 20
    c1 = codes[(i % 6) + 1]; c2 = codes[((i + 1) % 6) + 1]; c3 = codes[((i + 3) % 6) + 1]
    printf "{\"id\":\"B%d\",\"date\":\"2026-03-%02d\",\"payer\":\"medicare\",\"pos\":\"11\",", i, d
    printf "\"patient\":{\"id\":\"P%d\",\"dob\":\"1948-02-11\"},", i % 500
    printf "\"provider\":{\"npi\":\"1234567893\",\"discipline\":\"PT\",\"credential\":\"PT\"},"
    printf "\"diagnoses\":[\"I69.354\",\"R26.81\"],\"lines\":["
    printf "{\"cpt\":\"%s\",\"minutes\":%d,\"units\":%d,\"modifiers\":[\"GP\"],", c1, a, int((a + 7) / 15)
    printf "\"interventions\":[{\"text\":\"tandem stance on foam, eyes closed, 3x30 s\",\"goal\":\"balance\"}]},"
    printf "{\"cpt\":\"%s\",\"minutes\":%d,\"by\":\"PTA\",\"modifiers\":[\"GP\"]},", c2, b
    printf "{\"cpt\":\"%s\",\"start\":\"10:00\",\"end\":\"10:%02d\"},{\"cpt\":\"97010\"}],", c3, c
    printf "\"note\":{\"impairments\":\"impaired static and dynamic balance, BBS 41/56\","
    printf "\"measures\":[{\"name\":\"BBS\",\"value\":41,\"prior\":35},{\"name\":\"TUG\",\"value\":13.2}],"
    printf "\"functional_progress\":\"walks 150 ft with SBA, was CGA\","
    printf "\"medical_necessity\":\"fall risk; skilled balance training needed\","
    printf "\"total_timed_minutes\":%d,\"total_minutes\":%d}}\n", a + b + c, a + b + c + 10
  }
}'
