# eightmin check --format html: rendered in headless Chromium, on a phone's
# window. Visit data is untrusted: a <script> in an id or a note stays text.
# Chromium is required (make deps installs it): without it this FAILS.
H=tests/data/html/day.ndjson

html_fail() {
    : >"$tmp/out"; : >"$tmp/err"
    failed "$1" "$2" "check --format html $H"
}

# html_has NAME FILE TEXT: FILE contains TEXT (fixed string).
html_has() {
    if grep -qF -- "$3" "$2"; then pass=$((pass + 1))
    else html_fail "$1" "$(basename "$2") lacks: $3"; fi
}

# html_lacks NAME FILE REGEX: FILE has no match for REGEX.
html_lacks() {
    if grep -qE -- "$3" "$2"; then html_fail "$1" "$(basename "$2") has: $(grep -oE -- "$3" "$2" | head -1)"
    else pass=$((pass + 1)); fi
}

chromium_run() {
    profile=$(mktemp -d)
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>"$tmp/chromium.err"
    rc=$?
    rm -rf "$profile"
    return $rc
}

"$EIGHTMIN" check --format html --output "$tmp/day.html" "$H" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 1 ]; then failed "html: exit 1 for an error finding" "exit $rc, wanted 1" "check --format html $H"
else pass=$((pass + 1)); fi
html_has "html: summary on stderr" "$tmp/err" "3 visits checked, 0 bad records skipped; findings: 1 error"

# The file itself: one self-contained page.
html_has "html: doctype" "$tmp/day.html" "<!DOCTYPE html>"
html_has "html: viewport for phones" "$tmp/day.html" '<meta name="viewport" content="width=device-width, initial-scale=1">'
html_has "html: printable" "$tmp/day.html" "@media print"
html_has "html: CSP forbids loading anything" "$tmp/day.html" "default-src &#39;none&#39;"
html_lacks "html: no network references" "$tmp/day.html" '<[^>]*[[:space:]](src|srcset|href|action|data)=|url\(|@import|https?:'
html_lacks "html: the id's script is escaped" "$tmp/day.html" "V<script"
html_lacks "html: the note's img is escaped" "$tmp/day.html" "<img"
html_has "html: escaped as text" "$tmp/day.html" "V&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;id&#39;)&lt;/script&gt;"

# The same report on standard output.
"$EIGHTMIN" check --format html "$H" >"$tmp/stdout.html" 2>/dev/null
if cmp -s "$tmp/stdout.html" "$tmp/day.html"; then pass=$((pass + 1))
else html_fail "html: stdout and --output agree" "the two reports differ"; fi
expect_exit "html: --output to a folder that is not there" 2 "cannot write the report" -- check --format html --output /nonexistent/x.html "$H"
expect_exit "html: unknown format names html" 2 "use text, ndjson or html" -- check --format pdf "$H"

if ! command -v chromium >/dev/null 2>&1; then
    html_fail "html: chromium" "chromium is not installed, so the HTML report cannot be rendered: run 'make deps' (it installs chromium)"
else
    # What a browser makes of it, after the page's script ran.
    chromium_run --dump-dom "file://$tmp/day.html" >"$tmp/dom.html"
    if [ ! -s "$tmp/dom.html" ]; then
        html_fail "html: chromium renders the page" "chromium --dump-dom printed nothing: $(tail -3 "$tmp/chromium.err")"
    else
        html_has "html dom: visit V2001" "$tmp/dom.html" "<h2>V2001 "
        html_has "html dom: visit V2002" "$tmp/dom.html" "<h2>V2002 "
        html_has "html dom: claim line" "$tmp/dom.html" '<td><code>97112</code></td><td class="n">2</td><td>GP</td>'
        html_has "html dom: finding" "$tmp/dom.html" "97112: billed 3, but 24 min earn 2 units under the CMS 8-minute rule"
        html_has "html dom: how to fix" "$tmp/dom.html" "<strong>How to fix:</strong> Bill 2 units for this code."
        html_has "html dom: cite" "$tmp/dom.html" "See CMS Pub. 100-04 ch. 5 §20.2"
        html_has "html dom: totals by rule" "$tmp/dom.html" '<td><code>medicare.units-match</code></td><td class="n">1</td><td class="n">0</td><td class="n">0</td><td class="n">1</td>'
        html_has "html dom: totals by payer" "$tmp/dom.html" '<td>medicare<br><span class="muted">Medicare Part B</span></td><td class="n">2</td><td class="n">3</td><td class="n">5</td><td class="n">1</td><td class="n">5</td><td class="n">1</td>'
        html_has "html dom: acme in totals" "$tmp/dom.html" '<td>acme-health<br>'
        html_has "html dom: severity filter" "$tmp/dom.html" '<input type="checkbox" id="show-error" value="error" checked="">'
        html_has "html dom: warning filter" "$tmp/dom.html" 'id="show-warning"'
        html_has "html dom: info filter" "$tmp/dom.html" 'id="show-info"'
        html_has "html dom: the page's script ran (CSP allows it)" "$tmp/dom.html" "Showing 7 of 7 findings"
        html_lacks "html dom: injected scripts did not run" "$tmp/dom.html" "data-pwned="
        n=$(grep -o '<script' "$tmp/dom.html" | wc -l)
        if [ "$n" -eq 1 ]; then pass=$((pass + 1))
        else html_fail "html dom: one script element" "found $n <script elements"; fi
        html_has "html dom: note text kept as text" "$tmp/dom.html" "&lt;/style&gt;&lt;b&gt;bold&lt;/b&gt;"
    fi
    # On a phone-sized window.
    rm -f "$tmp/phone.png"
    chromium_run --screenshot="$tmp/phone.png" --window-size=412,900 "file://$tmp/day.html" >/dev/null
    if [ -s "$tmp/phone.png" ] && [ "$(head -c 4 "$tmp/phone.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
        pass=$((pass + 1))
    else html_fail "html: phone screenshot" "no PNG written: $(tail -3 "$tmp/chromium.err")"; fi
fi
