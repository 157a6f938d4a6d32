#!/usr/bin/env bash
# eval_cost.sh: `celgate eval --cost` against Kubernetes' own runtime cost
# figures. Two sources, both restated as facts (expression, input, cost):
#   - the worked IP/CIDR examples of ../shared/spec/cel-k8s-library.md §6
#     (upstream's library/cost_test.go);
#   - apiextensions-apiserver's TestCelCostStability, which evaluates with
#     the real base environment (OptOptimize on, has() free), the
#     environment every Kubernetes expression is compiled in. The inputs
#     are the test's objects as JSON bound to `self`; only cases whose
#     result does not depend on a CRD schema (formats, list-type=set,
#     escaped property names) or on another library are taken.
# Then the per-call limit: Kubernetes' 1,000,000 by default, stopping with
# cel-go's message, and --cost-limit overriding it.
set -u
celgate=$1
fails=0
n=0

# cost [--var-json JSON] EXPR: the cost `celgate eval --cost` reports
cost_of() {
    local json=$1 expr=$2
    if [ -n "$json" ]; then
        "$celgate" eval --json --cost --var "self=$json" "$expr"
    else
        "$celgate" eval --json --cost "$expr"
    fi | sed -n 's/.*"cost": \([0-9]*\).*/\1/p'
}

want() { # expected-cost json expr
    local expect=$1 json=$2 expr=$3 got
    got=$(cost_of "$json" "$expr")
    n=$((n + 1))
    if [ "$got" = "$expect" ]; then
        echo "ok: cost $got: $expr"
    else
        echo "FAIL: $expr: cost '${got}', want $expect"
        fails=$((fails + 1))
    fi
}

# ---- spec §6: IP and CIDR (no input)
want 2 '' "ip('192.168.0.1')"
want 4 '' "ip('2001:db8:3333:4444:5555:6666:7777:8888')"
for m in family isUnspecified isLoopback isLinkLocalMulticast isLinkLocalUnicast isGlobalUnicast; do
    want 3 '' "ip('192.168.0.1').$m()"
    want 5 '' "ip('2001:db8:3333:4444:5555:6666:7777:8888').$m()"
done
want 5 '' "ip('192.168.0.1') == ip('192.168.0.1')"
want 7 '' "ip('2001:db8:3333:4444:5555:6666:7777:8888') == ip('192.168.0.1')"
want 3 '' "ip.isCanonical('192.168.0.1')"
want 8 '' "ip.isCanonical('2001:db8:3333:4444:5555:6666:7777:8888')"
want 3 '' "ip.isCanonical('2001:db8::abcd')"
want 2 '' "cidr('192.168.0.0/16')"
want 2 '' "cidr('2001:db8::/32')"
for m in ip prefixLength masked; do
    want 3 '' "cidr('192.168.0.0/16').$m()"
    want 3 '' "cidr('2001:db8::/32').$m()"
done
want 5 '' "cidr('2001:db8::/32') == cidr('2001:db8::/32')"
want 7 '' "cidr('192.168.0.0/16').containsCIDR(cidr('192.0.0.0/30'))"
want 7 '' "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.0.0/16'))"
want 7 '' "cidr('192.168.0.0/16').containsCIDR('192.0.0.0/30')"
want 7 '' "cidr('192.168.0.0/16').containsCIDR('192.168.0.0/16')"
want 4 '' "cidr('192.168.0.0/16').containsIP(ip('192.0.0.1'))"
want 5 '' "cidr('192.168.0.0/16').containsIP(ip('192.169.0.1'))"
want 5 '' "cidr('192.168.0.0/16').containsIP(ip('192.169.169.250'))"
want 4 '' "cidr('192.168.0.0/16').containsIP('192.0.0.1')"
want 5 '' "cidr('192.168.0.0/16').containsIP('192.169.0.1')"
want 7 '' "cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/126'))"
want 7 '' "cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/32'))"
want 7 '' "cidr('2001:db8::/32').containsCIDR('2001:db8::/126')"
want 7 '' "cidr('2001:db8::/32').containsCIDR('2001:db8::/32')"
want 7 '' "cidr('2001:db8::/32').containsIP(ip('2001:db8:3333:4444:5555:6666:7777:8888'))"
want 5 '' "cidr('2001:db8::/32').containsIP(ip('2001:db8::1'))"
want 7 '' "cidr('2001:db8::/32').containsIP('2001:db8:3333:4444:5555:6666:7777:8888')"
want 5 '' "cidr('2001:db8::/32').containsIP('2001:db8::1')"

# ---- TestCelCostStability (the API server's environment)
M=9223372036854775807
J="{\"val1\":$M,\"val2\":$M,\"val3\":2147483647,\"val4\":2147483647,\"val5\":$M,\"val6\":$M}"
want 11 "$J" "self.val1 == self.val2 && self.val1 == $M && self.val2 == $M"
want 5 "$J" "self.val1 == self.val6"
want 4 "$J" "type(self.val1) == int"
want 5 "$J" "self.val3 + 1 == 2147483647 + 1"
F=1.7976931348623157e308
J="{\"val1\":$F,\"val2\":$F,\"val3\":3.4028234663852886e38,\"val4\":3.4028234663852886e38,\"val5\":$F,\"val6\":$F,\"val7\":1.0}"
want 5 "$J" "self.val1 == self.val6"
want 4 "$J" "type(self.val1) == double"
want 3 "$J" "self.val7 == 1.0"
J='{"val1":5,"val2":10.0,"val3":10.0,"val4":10.0,"val5":10,"val6":10,"val7":10}'
want 6 "$J" "double(self.val1) < self.val2"
want 6 "$J" "self.val1 < int(self.val2)"
want 1 "$J" "double(5) < 10.0"
want 1 "$J" "5 < int(10.0)"
want 4 "$J" "double(self.val1) < 10.0"
J='{"val1":"Rook takes 👑","val2":"Rook takes 👑"}'
want 14 "$J" "self.val1 == self.val2 && self.val1 == 'Rook takes 👑' && self.val2 == 'Rook takes 👑'"
want 8 "$J" "self.val1.matches('^[^0-9]*\$')"
want 7 "$J" "!self.val1.matches('^[0-9]*\$')"
want 4 "$J" "type(self.val1) == string"
want 4 "$J" "size(self.val1) == 12"
J='{"val1":"l1\nl2","val2":"l1\nl2"}'
want 11 "$J" "self.val1 == self.val2 && self.val1 == 'l1\\nl2' && self.val2 == 'l1\\nl2'"
want 3 "$J" "self.val1 == '''l1
l2'''"
J='{"val1":true,"val2":true,"val3":false,"val4":false}'
want 11 "$J" "self.val1 == self.val2 && self.val1 == true && self.val2 == true"
want 5 "$J" "self.val1 != self.val4"
want 4 "$J" "type(self.val1) == bool"
J='{"enumStr":"Pending"}'
want 3 "$J" "self.enumStr == 'Pending'"
want 2 "$J" "self.enumStr in ['Pending', 'Available']"
J='{"val1":10,"val2":10.0,"val3":10.49,"val4":10.5,"val5":true,"val6":"10"}'
want 6 "$J" "int(self.val2) == self.val1"
want 6 "$J" "double(self.val1) == self.val2"
want 6 "$J" "string(self.val1) == self.val6"
want 4 "$J" "string(self.val4) == '10.5'"
J='{"val1":[1,2,3],"val2":[1,2,3]}'
want 11 "$J" "self.val1 == self.val2 && self.val1 == [1, 2, 3] && self.val2 == [1, 2, 3]"
want 5 "$J" "1 in self.val1"
want 8 "$J" "self.val2[0] in self.val1"
want 6 "$J" "!(0 in self.val1)"
want 6 "$J" "self.val1 + self.val2 == [1, 2, 3, 1, 2, 3]"
want 4 "$J" "self.val1 + [4, 5] == [1, 2, 3, 4, 5]"
want 1 "$J" "has(self.val1)"
want 2 "$J" "has(self.val1) && has(self.val2)"
J='{"val1":["a","b","c"],"val2":["a","c","b"]}'
want 3 "$J" "self.val1 == ['c', 'b', 'a']"
want 5 "$J" "'a' in self.val1"
want 8 "$J" "self.val2[0] in self.val1"
want 6 "$J" "!('x' in self.val1)"
want 6 "$J" "self.val1 + self.val2 == ['a', 'b', 'c']"
want 4 "$J" "self.val1 + ['c', 'd'] == ['a', 'b', 'c', 'd']"
J='{"objs":[[{"k":"a","v":"1"},{"k":"b","v":"2"}],[{"k":"b","v":"2"},{"k":"a","v":"1"}],[{"k":"b","v":"3"},{"k":"a","v":"1"}],[{"k":"c","v":"4"}]]}'
want 7 "$J" "self.objs[0] == self.objs[1]"
want 11 "$J" "self.objs[0] + self.objs[2] == self.objs[2]"
want 22 "$J" "self.objs[0] == [self.objs[0][0], self.objs[0][1]]"
want 26 "$J" "self.objs[2] + [self.objs[0][0], self.objs[0][1]] == self.objs[0]"
want 20 "$J" "size(self.objs[0] + [self.objs[3][0]]) == 3"
J='{"val1":{"k1":"a","k2":"b"},"val2":{"k2":"b","k1":"a"}}'
want 5 "$J" "self.val1 == self.val2"
want 3 "$J" "'k1' in self.val1"
want 4 "$J" "!('k3' in self.val1)"
want 3 "$J" "self.val1 == {'k1': 'a', 'k2': 'b'}"
J='{"a":{"b":1,"d":null},"a1":{"b1":{"c1":4}},"a3":{}}'
want 2 "$J" "has(self.a.b)"
want 3 "$J" "has(self.a1.b1.c1)"
want 3 "$J" "!(has(self.a1.d2) && has(self.a1.d2.e2))"
want 3 "$J" "!has(self.a1.d2)"
J='{"val":{"b":1,"d":2}}'
want 4 "$J" "!('a' in self.val)"
want 3 "$J" "'b' in self.val"
want 3 "$J" "!has(self.val.a)"
want 2 "$J" "has(self.val.b)"
want 17 "$J" "self.val.all(k, self.val[k] > 0)"
want 14 "$J" "self.val.exists_one(k, self.val[k] == 2)"
want 17 "$J" "!self.val.exists_one(k, self.val[k] > 0)"
want 4 "$J" "size(self.val) == 2"
want 26 "$J" "size(self.val.filter(k, self.val[k] > 1)) == 1"
J='{"listMap":[{"k":"a1","v":"b1"},{"k":"a2","v":"b2"},{"k":"a3","v":"b3","v2":"z"}]}'
want 3 "$J" "has(self.listMap[0].v)"
want 21 "$J" "self.listMap.all(m, m.k.startsWith('a'))"
want 21 "$J" "self.listMap.all(m, !has(m.v2) || m.v2 == 'z')"
want 13 "$J" "self.listMap.exists(m, m.k.endsWith('1'))"
want 15 "$J" "self.listMap.exists_one(m, m.k == 'a3')"
want 18 "$J" "!self.listMap.all(m, m.k.endsWith('1'))"
want 25 "$J" "!self.listMap.exists(m, m.v == 'x')"
want 20 "$J" "!self.listMap.exists_one(m, m.k.startsWith('a'))"
want 27 "$J" "size(self.listMap.filter(m, m.k == 'a1')) == 1"
want 16 "$J" "self.listMap.exists(m, m.k == 'a1' && m.v == 'b1')"
want 55 "$J" "self.listMap.map(m, m.v).exists(v, v == 'b1')"
want 21 "$J" "self.listMap.exists(m, has(m.v2) && m.v2 == 'z')"
want 10 "$J" "!self.listMap.all(m, has(m.v2) && m.v2 != 'z')"
want 12 "$J" "self.listMap.exists_one(m, has(m.v2) && m.v2 == 'z')"
want 24 "$J" "self.listMap.filter(m, has(m.v2) && m.v2 == 'z').size() == 1"
want 25 "$J" "self.listMap.map(m, has(m.v2) && m.v2 == 'z', m.v2).size() == 1"
want 39 "$J" "self.listMap.filter(m, has(m.v2) && m.v2 == 'z').map(m, m.v2).size() == 1"
want 24 "$J" "self.listMap.exists(m, m.v2 == 'z')"
want 22 "$J" "!self.listMap.all(m, m.v2 != 'z')"
J='{"array":[1,1,2,2,3,3,4,5]}'
want 10 "$J" "2 in self.array"
want 43 "$J" "self.array.all(e, e > 0)"
want 36 "$J" "self.array.exists(e, e > 2)"
want 22 "$J" "self.array.exists_one(e, e > 4)"
want 21 "$J" "!self.array.all(e, e < 2)"
want 52 "$J" "!self.array.exists(e, e < 0)"
want 25 "$J" "!self.array.exists_one(e, e == 2)"
want 43 "$J" "self.array.all(e, e < 100)"
want 68 "$J" "size(self.array.filter(e, e%2 == 0)) == 3"
want 194 "$J" "self.array.map(e, e * 20).filter(e, e > 50).exists(e, e == 60)"
want 4 "$J" "size(self.array) == 8"
J='{"set":[1,2,3,4,5]}'
want 7 "$J" "3 in self.set"
want 28 "$J" "self.set.all(e, e > 0)"
want 30 "$J" "self.set.exists(e, e > 3)"
want 16 "$J" "self.set.exists_one(e, e == 3)"
want 21 "$J" "!self.set.all(e, e < 3)"
want 34 "$J" "!self.set.exists(e, e < 0)"
want 19 "$J" "!self.set.exists_one(e, e > 3)"
want 46 "$J" "size(self.set.filter(e, e%2 == 0)) == 2"
want 133 "$J" "self.set.map(e, e * 20).filter(e, e > 50).exists_one(e, e == 60)"
J='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"foo","generateName":"pickItForMe","namespace":"xyz"},"spec":{"field1":"a"}}'
want 3 "$J" "self.kind == 'Pod'"
want 3 "$J" "self.apiVersion == 'v1'"
want 4 "$J" "self.metadata.name == 'foo'"
want 5 "$J" "self.metadata.generateName == 'pickItForMe'"
want 4 "$J" "self.spec.field1 == 'a'"
J='{"embedded":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"foo","generateName":"pickItForMe"},"spec":{"field1":"a"}}}'
want 4 "$J" "self.embedded.kind == 'Pod'"
want 5 "$J" "self.embedded.metadata.name == 'foo'"
want 6 "$J" "self.embedded.metadata.generateName == 'pickItForMe'"
want 5 "$J" "self.embedded.spec.field1 == 'a'"
want 1 "$J" "has(self.embedded)"
J='{"something":"25%"}'
want 7 "$J" "type(self.something) == int ? self.something == 1 : self.something == '25%'"
want 7 "$J" "type(self.something) == string && self.something == '25%'"
want 3 "$J" "self.something == '25%'"
want 3 "$J" "self.something != 1"
want 6 "$J" "self.something == 1 || self.something == '25%'"
want 3 "$J" "self.something == '25%' || self.something == 1"
want 3 "$J" "self.something != ['anything']"
J='{"something":1}'
want 7 "$J" "type(self.something) == int ? self.something == 1 : self.something == '25%'"
want 7 "$J" "type(self.something) == int && self.something == 1"
want 3 "$J" "self.something == 1 || self.something == '25%'"
want 6 "$J" "self.something == '25%' || self.something == 1"
J='{"min":"50%","current":5,"available":10}'
want 10 "$J" "type(self.min) == string && self.min.matches(r'(\\d+(\\.\\d+)?%)')"
J='{"withUnknown":{"field1":"a","field2":"b"},"withUnknownList":[{"field1":"a","field2":"b"},{"field1":"x","field2":"y"},{"field1":"x","field2":"y"},{},{}],"withUnknownFieldList":[{"fieldOfUnknownType":"a"},{"fieldOfUnknownType":1},{"fieldOfUnknownType":1}]}'
want 1 "$J" "has(self.withUnknown)"
want 4 "$J" "self.withUnknownList.size() == 5"
want 7 "$J" "self.withUnknownList[0] != self.withUnknownList[1]"
want 7 "$J" "self.withUnknownList[1] == self.withUnknownList[2]"
want 6 "$J" "self.withUnknownList[3] == self.withUnknownList[4]"
want 7 "$J" "self.withUnknownFieldList[0] != self.withUnknownFieldList[1]"
J='{"setPlainStr":"v1","setDefaultedStr":"v2","setNullableStr":"v3","unsetDefaultedStr":"default value"}'
want 2 "$J" "!has(self.unsetPlainStr)"
want 5 "$J" "has(self.unsetDefaultedStr) && self.unsetDefaultedStr == 'default value'"
want 4 "$J" "has(self.setPlainStr) && self.setPlainStr == 'v1'"
want 4 "$J" "type(self.setNullableStr) != null_type"
J='{"m":{"a":null,"b":"not-nil"},"l":[null,"not-nil"]}'
want 4 "$J" "self.m.size() == 2"
want 3 "$J" "'a' in self.m"
want 5 "$J" "type(self.m['a']) == null_type"
J='{"nestedInMap":{"k1":{"inMapField":1},"k2":{"inMapField":2}},"nestedInList":[{"inListField":1},{"inListField":2}]}'
want 5 "$J" "type(self) == type(self)"
want 9 "$J" "type(self.nestedInMap['k1']) == type(self.nestedInMap['k2'])"
J='{"obj":{"field":"a"},"mapOfMap":{"x":{"y":"b"}},"mapOfObj":{"k":{"field2":"c"}},"mapOfListMap":{"o":[{"k":"1","v":"d"}]},"mapOfList":{"l":["e"]},"listMapOfObj":[{"k2":"2","v2":"f"}],"listOfMap":[{"z":"g"}],"listOfObj":[{"field3":"h"}],"listOfListMap":[[{"k3":"3","v3":"i"}]]}'
want 4 "$J" "self.obj.field == 'a'"
want 5 "$J" "self.mapOfMap['x']['y'] == 'b'"
want 5 "$J" "self.mapOfObj['k'].field2 == 'c'"
want 14 "$J" "self.mapOfListMap['o'].exists(e, e.k == '1' && e.v == 'd')"
want 5 "$J" "self.mapOfList['l'][0] == 'e'"
want 13 "$J" "self.listMapOfObj.exists(e, e.k2 == '2' && e.v2 == 'f')"
want 5 "$J" "self.listOfMap[0]['z'] == 'g'"
want 5 "$J" "self.listOfObj[0].field3 == 'h'"
want 14 "$J" "self.listOfListMap[0].exists(e, e.k3 == '3' && e.v3 == 'i')"
want 32 "$J" "self.mapOfMap.map(k, k).map(k, k).size() == 1"
want 32 "$J" "self.listOfMap.map(e, e).map(e, e).size() == 1"
want 34 "$J" "self.mapOfMap.map(k, self.mapOfMap[k].map(m, m)).size() == 1"
want 34 "$J" "self.mapOfList.map(k, self.mapOfList[k].map(l, l)).size() == 1"
want 32 "$J" "self.listOfMap.map(e, e.map(m, m)).size() == 1"
want 32 "$J" "self.listOfListMap.map(e, e.map(e, e)).size() == 1"

# ---- the per-call limit
out=$("$celgate" eval --cost "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))" 2>&1)
rc=$?
n=$((n + 1))
if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -qx 'operation cancelled: actual cost limit exceeded' &&
   printf '%s\n' "$out" | grep -q '^cost: 100000[1-9]$'; then
    echo "ok: 1,000,000 by default, stopped at the first charge past it ($(printf '%s' "$out" | tail -1))"
else
    echo "FAIL: default per-call limit: rc $rc, output: $out"
    fails=$((fails + 1))
fi
out=$("$celgate" eval --cost-limit 0 --cost "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))" 2>&1)
n=$((n + 1))
if printf '%s\n' "$out" | grep -qx 'true' && printf '%s\n' "$out" | grep -qx 'cost: 3444441'; then
    echo "ok: --cost-limit 0 lifts it (cost 3444441)"
else
    echo "FAIL: --cost-limit 0: $out"
    fails=$((fails + 1))
fi

echo "$((n - fails)) of $n passed"
[ "$fails" -eq 0 ]
