#!/usr/bin/env bash
# run.sh CELGATE SRCDIR TEST: the end-to-end tests of `celgate test`
# (registered in tests/kaptest/CMakeLists.txt). Each test runs celgate test
# from tests/kaptest/ (so that reported paths are stable) and checks exit
# status and output; golden files sit in tests/kaptest/expected/.
# UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
set -u
celgate=$1
src=$2
what=$3
here=$src/tests/kaptest
cd "$here" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {
    local msg=$1; shift
    if "$@"; then echo "ok: $msg"; else echo "FAIL: $msg"; fails=$((fails + 1)); fi
}
# run ARGS...: stdout in $tmp/out, stderr in $tmp/err, status in $rc
run() {
    "$celgate" test "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
golden() { # name: compares $tmp/out and $tmp/err with expected/name.{out,err}
    if [[ ${UPDATE_GOLDEN:-} == 1 ]]; then
        cp "$tmp/out" "expected/$1.out"; cp "$tmp/err" "expected/$1.err"
        echo "updated: expected/$1"
        return
    fi
    check "$1: stdout as expected/$1.out" diff -u "expected/$1.out" "$tmp/out"
    check "$1: stderr as expected/$1.err" diff -u "expected/$1.err" "$tmp/err"
}
# Each case of the compat suites is named after what kaptest reports for it:
# "PASS: ..." or "FAIL: ...". celgate test must report the same.
parity() {
    local bad
    bad=$(grep -E '^\[VAP\] (PASS|FAIL): .* \[(PASS|FAIL): .*\]$' "$tmp/out" |
          sed -E 's/^\[VAP\] (PASS|FAIL): .* \[(PASS|FAIL): .*\]$/\1 \2/' | awk '$1 != $2' | wc -l)
    local named
    named=$(grep -cE '^\[VAP\] (PASS|FAIL): .* \[(PASS|FAIL): .*\]$' "$tmp/out")
    echo "parity: $named named cases, $bad reported otherwise than kaptest"
    [[ $named -gt 0 && $bad -eq 0 ]]
}

case $what in
compat)
    run compat/deployments.test/kaptest.yaml compat/context.test/kaptest.yaml compat/legacy.test/kaptest.yaml
    check "compat: exit 2 (kaptest's setup errors are among the cases)" test "$rc" -eq 2
    check "compat: every case passes or fails as in kaptest" parity
    check "compat: POLICY NOT FOUND reported as kaptest does" grep -qx 'FAIL: no-such-policy ==> POLICY NOT FOUND' "$tmp/out"
    check "compat: kaptest's grand total" grep -qx 'Total: 57, Pass: 44, Fail: 13' "$tmp/out"
    check "compat: the v0.1 layout has its notice" grep -q "notice: compat/legacy.test/kaptest.yaml: no version" "$tmp/err"
    golden compat
    ;;
extensions)
    run extensions/policies.test
    check "extensions: all pass (exit 0)" test "$rc" -eq 0
    check "extensions: 24 cases" grep -qx 'Total: 24, Pass: 24, Fail: 0' "$tmp/out"
    run extensions/failing.test
    check "extensions: wrong assertions fail (exit 1)" test "$rc" -eq 1
    check "extensions: every case of failing.test fails" grep -qx 'Total: 11, Pass: 0, Fail: 11' "$tmp/out"
    golden extensions-failing
    run -v extensions/policies.test
    golden extensions-verbose
    ;;
errors)
    run errors/bad-cases.yaml errors/bad-policy.yaml errors/bad-version.yaml errors/cel-errors.yaml \
        errors/missing-files.yaml errors/no-resources.yaml errors/not-a-map.yaml errors/yaml-syntax.yaml \
        errors/no-such-manifest.yaml
    check "errors: setup errors exit 2" test "$rc" -eq 2
    check "errors: a CEL compile error points into the policy file" \
        grep -qx '    errors/cel-policy.yaml:21:32: spec.validations\[0\].expression: .*' "$tmp/out"
    check "errors: with the caret under the column" grep -qx '       |                                ^' "$tmp/out"
    check "errors: a setup error names the manifest, case and where" \
        grep -qx -- '--- CASE: errors/bad-cases.yaml:19:5: vapTestSuites\[0\].tests\[3\] "UPDATE without an oldObject"' "$tmp/out"
    golden errors
    ;;
wrong)
    # a deliberately wrong expectation about a bundled policy fails, saying which case and why
    run wrong-expectation
    check "wrong expectation: exit 1" test "$rc" -eq 1
    check "wrong expectation: the case's line" grep -qx '\[VAP\] FAIL: servicecidrs.default - (CREATE) ServiceCIDR:newcidr3 - ADMIT ==> DENY \[wrongly expects 172.20.0.0/16 to be allowed\]' "$tmp/out"
    check "wrong expectation: where the case is" grep -qx -- '--- CASE: wrong-expectation/kaptest.yaml:17:5: vapTestSuites\[0\].tests\[1\] "wrongly expects 172.20.0.0/16 to be allowed"' "$tmp/out"
    check "wrong expectation: why (the denial)" grep -qx -- '--- DENY: reason "Invalid", message "failed expression: object.spec.cidrs.all(newCIDR, variables.allowed.exists(allowedCIDR, cidr(allowedCIDR).containsCIDR(newCIDR)))"' "$tmp/out"
    check "wrong expectation: and the validation that denied" grep -qx '    ../../policies/servicecidr-default.yaml:20:18: spec.validations\[0\].expression' "$tmp/out"
    check "wrong expectation: the passing case stays quiet" test "$(grep -c '^---' "$tmp/out")" -eq 2
    ;;
policies)
    cd "$src" || exit 1
    run policies/
    check "policies/: exit 0" test "$rc" -eq 0
    check "policies/: both suites found" test "$(grep -c '^\[policies/servicecidr-.*.test/kaptest.yaml\]$' "$tmp/out")" -eq 2
    check "policies/: no failure" grep -qx 'Total: 21, Pass: 21, Fail: 0' "$tmp/out"
    for ex in "ServiceCIDR:newcidr1 - ADMIT ==> ADMIT" "ServiceCIDR:newcidr2 - ADMIT ==> ADMIT" \
              "ServiceCIDR:newcidr3 - DENY ==> DENY" "ServiceCIDR:kubernetes - SKIP ==> SKIP"; do
        check "policies/: servicecidrs.default: $ex" grep -q "PASS: servicecidrs.default - (CREATE) $ex" "$tmp/out"
    done
    check "policies/: servicecidrs.deny refuses newcidr1..3" \
        test "$(grep -cE 'PASS: servicecidrs.deny - \(CREATE\) ServiceCIDR:newcidr[123] - DENY ==> DENY' "$tmp/out")" -ge 3
    check "policies/: servicecidrs.deny lets the API server write kubernetes" \
        grep -q 'PASS: servicecidrs.deny - (UPDATE) ServiceCIDR:kubernetes -> kubernetes - ADMIT ==> ADMIT' "$tmp/out"
    run --coverage policies/
    cd "$here" || exit 1
    golden policies-coverage
    ;;
outputs)
    # -o json: one document, parsed by python's json
    run -o json compat/deployments.test
    check "json: exit status as for text (2)" test "$rc" -eq 2
    check "json: parses, and counts match" python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["manifests"][0]
assert (d["total"], d["pass"], d["fail"]) == (34, 24, 10), (d["total"], d["pass"], d["fail"])
assert d["setupError"] is True
c = [x for x in m["cases"] if x.get("name") == "FAIL: expects admit, the policy denies"][0]
assert c["status"] == "fail" and c["expect"] == "admit" and c["actual"] == "deny", c
assert c["decisions"][0] == {"evaluation": "deny", "index": 0, "message": "specified replicas 6 exceeds limit 5",
                             "reason": "Invalid"}, c["decisions"]
assert c["line"] == 42 and c["id"] == "vapTestSuites[0].tests[4]"
PY
    check "json: coverage as JSON" bash -c "'$celgate' test -o json --coverage wrong-expectation | python3 -c '
import json, sys
d = json.load(sys.stdin)
v = d[\"coverage\"][0]
assert v[\"policy\"] == \"servicecidrs.default\"
c = v[\"matchConditions\"][0]
assert (c[\"name\"], c[\"evaluated\"], c[\"true\"], c[\"false\"], c[\"error\"]) == (\"exclude-default-servicecidr\", 2, 2, 0, 0), c
assert v[\"validations\"][0][\"true\"] == 1 and v[\"validations\"][0][\"false\"] == 1
assert v[\"validations\"][0][\"neverSeen\"] == \"error\"
'"
    # --junit: valid XML, the same stdout as without it
    run compat/deployments.test
    cp "$tmp/out" "$tmp/plain"
    run --junit "$tmp/report.xml" compat/deployments.test compat/context.test errors/bad-cases.yaml errors/not-a-map.yaml
    run --junit "$tmp/one.xml" compat/deployments.test
    check "junit: stdout unchanged by --junit" cmp -s "$tmp/plain" "$tmp/out"
    run --junit "$tmp/report.xml" compat/deployments.test compat/context.test errors/bad-cases.yaml errors/not-a-map.yaml \
        hostile/kaptest.yaml
    check "junit: parses (python xml.etree), with the counts" python3 - "$tmp/report.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
assert r.tag == "testsuites"
suites = r.findall("testsuite")
assert len(suites) == 5, len(suites)
n = lambda s, a: int(s.get(a))
assert sum(n(s, "tests") for s in suites) == n(r, "tests")
assert sum(n(s, "failures") for s in suites) == n(r, "failures")
fails = [c for c in r.iter("testcase") if c.find("failure") is not None]
errs = [c for c in r.iter("testcase") if c.find("error") is not None]
assert len(fails) == n(r, "failures"), (len(fails), n(r, "failures"))
assert len(errs) == sum(n(s, "errors") for s in suites), len(errs)
f = [c for c in fails if "expects admit, the policy denies" in c.get("name")][0]
assert f.find("failure").get("message") == "ADMIT ==> DENY"
assert "specified replicas 6 exceeds limit 5" in f.find("failure").text
h = [s for s in suites if s.get("name") == "hostile/kaptest.yaml"][0]
t = ET.tostring(h, encoding="unicode")
assert "<&>" not in t and "&lt;&amp;&gt;" in t
PY
    if command -v xmllint >/dev/null; then
        check "junit: xmllint --noout accepts it" xmllint --noout "$tmp/report.xml"
    else
        echo "skipped: xmllint (libxml2-utils) not installed; python's parser checked the file"
    fi
    check "junit: an unwritable path is a setup error" bash -c "'$celgate' test --junit /nonexistent/x.xml wrong-expectation >/dev/null 2>&1; test \$? -eq 2"
    # --run selects cases
    run --run 'newcidr3' wrong-expectation
    check "run: one case selected" grep -qx 'Total: 1, Pass: 0, Fail: 1' "$tmp/out"
    run --run 'newcidr1' wrong-expectation
    check "run: the other" grep -qx 'Total: 1, Pass: 1, Fail: 0' "$tmp/out"
    check "run: exit 0 when the selected cases pass" test "$rc" -eq 0
    run --run 'is allowed\]$' wrong-expectation
    check "run: matched against the case name too" grep -qx 'Total: 1, Pass: 1, Fail: 0' "$tmp/out"
    run --run '(' wrong-expectation
    check "run: a bad pattern is a setup error" test "$rc" -eq 2
    run -o yaml wrong-expectation
    check "options: an unknown format is refused" test "$rc" -eq 2
    run --k8s-version 1.2 wrong-expectation
    check "options: a bad --k8s-version is refused" test "$rc" -eq 2
    run --k8s-version 1.30 wrong-expectation
    check "options: --k8s-version 1.30 runs" test "$rc" -eq 1
    ;;
init)
    mkdir -p "$tmp/p"
    cp "$src/policies/servicecidr-default.yaml" "$tmp/p/"
    "$celgate" test init "$tmp/p/servicecidr-default.yaml" >"$tmp/out" 2>"$tmp/err"
    check "init: exit 0" test $? -eq 0
    check "init: says where" grep -qx "Test dir is generated at \"$tmp/p/servicecidr-default.test\"." "$tmp/out"
    check "init: kaptest.yaml as kaptest init writes it" diff -u expected/init-kaptest.yaml "$tmp/p/servicecidr-default.test/kaptest.yaml"
    check "init: resources.yaml" test -f "$tmp/p/servicecidr-default.test/resources.yaml"
    "$celgate" test init "$tmp/p/servicecidr-default.yaml" >"$tmp/out" 2>"$tmp/err"
    check "init: never overwrites (exit 2)" test $? -eq 2
    check "init: says so" grep -q "file already exists: $tmp/p/servicecidr-default.test/kaptest.yaml" "$tmp/err"
    "$celgate" test "$tmp/p" >"$tmp/out" 2>"$tmp/err"
    check "init: the scaffold runs, and its CHANGEME objects are setup errors" test $? -eq 2
    check "init: found by discovery" grep -qx "\[$tmp/p/servicecidr-default.test/kaptest.yaml\]" "$tmp/out"
    check "init: CHANGEME not found" grep -q -- '--- ERROR: get object: no resource matches CHANGEME:ok' "$tmp/out"
    "$celgate" test init "$tmp/p/nope.yaml" >/dev/null 2>"$tmp/err"
    check "init: a missing policy file (exit 2)" test $? -eq 2
    ;;
discovery)
    run compat
    check "discovery: the three compat manifests" test "$(grep -c '^\[compat/.*\]$' "$tmp/out")" -eq 3
    check "discovery: resource files are not taken for manifests" bash -c "! grep -q '^\[.*resources.yaml\]' '$tmp/out'"
    check "discovery: in name order" bash -c "grep '^\[compat/' '$tmp/out' | sort -c"
    mkdir -p "$tmp/d/sub/.kaptest" "$tmp/d/x.test" "$tmp/d/.hidden" "$tmp/empty"
    printf 'version: v1alpha1\npolicies: [p.yaml]\nresources: [r.yaml]\nvapTestSuites: []\n' >"$tmp/d/sub/.kaptest/suite.yaml"
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' >"$tmp/d/x.test/resources.yaml"
    printf 'policies: [p.yaml]\n' >"$tmp/d/x.test/other.yml"
    printf 'policies: [p.yaml]\n' >"$tmp/d/.hidden/kaptest.yaml"
    printf 'policies: [p.yaml]\n' >"$tmp/d/not-a-test-dir.yaml"
    run "$tmp/d"
    check "discovery: .kaptest and *.test manifests, not resources, hidden folders or loose files" \
        test "$(grep '^\[' "$tmp/out" | tr '\n' ' ')" = "[$tmp/d/sub/.kaptest/suite.yaml] [$tmp/d/x.test/other.yml] "
    run "$tmp/empty"
    check "discovery: a folder without manifests is a setup error" test "$rc" -eq 2
    check "discovery: saying so" grep -q "no test manifests found" "$tmp/err"
    ;;
*)
    echo "unknown test $what"; exit 2 ;;
esac
echo "$fails failed"
test "$fails" -eq 0
