// tests/differential/values.mjs: results in the tagged encoding of
// ../shared/conformance/FORMAT.md ({"int":"5"}, {"double":1.5},
// {"list":[...]}, {"map":[[K,V],...]}, ...), from @bufbuild/cel's values,
// and their comparison: tags must match, doubles compare by value with NaN
// equal to NaN and -0 unlike 0, lists in order, maps in any order. An
// error is {"error": text}; any two errors agree (texts differ by design).

import { celEnv, isCelError, isCelList, isCelMap, isCelType, isCelUint, parse, plan } from "@bufbuild/cel";

function encodeDouble(x) {
  if (Number.isNaN(x)) return { double: "NaN" };
  if (x === Infinity) return { double: "Infinity" };
  if (x === -Infinity) return { double: "-Infinity" };
  if (Object.is(x, -0)) return { double: "-0" };
  return { double: x };
}

// A @bufbuild/cel value as a tagged VALUE.
export function encodePeer(v) {
  if (v === null) return { null: null };
  switch (typeof v) {
    case "bigint": return { int: v.toString() };
    case "number": return encodeDouble(v);
    case "string": return { string: v };
    case "boolean": return { bool: v };
  }
  if (v instanceof Uint8Array) return { bytes: Buffer.from(v).toString("base64") };
  if (isCelUint(v)) return { uint: v.value.toString() };
  if (isCelList(v)) return { list: [...v].map(encodePeer) };
  if (isCelMap(v)) return { map: [...v.entries()].map(([k, val]) => [encodePeer(k), encodePeer(val)]) };
  if (isCelType(v)) return { type: v.name };
  return { unsupported: String(v) };
}

// Evaluates one expression with the peer: {value} or {error}. funcs
// override standard functions (known.mjs CORRECTIONS); envs are cached by
// the array given.
const envs = new Map();
export function peerEval(expr, funcs = []) {
  if (!envs.has(funcs)) envs.set(funcs, celEnv({ funcs }));
  let r;
  try {
    r = plan(envs.get(funcs), parse(expr))();
  } catch (e) {
    return { error: "peer threw: " + (e && e.message ? e.message : String(e)) };
  }
  if (isCelError(r)) return { error: r.message };
  return { value: encodePeer(r) };
}

// celgate's --json line, with doubles read back as numbers (JSON.parse
// already does; the specials are strings).
export function readCelgate(line) {
  const o = JSON.parse(line);
  if ("value" in o) return { value: o.value };
  return { error: o.error };
}

const tagOf = (v) => Object.keys(v)[0];

function doubleOf(d) {
  if (d === "NaN") return NaN;
  if (d === "Infinity") return Infinity;
  if (d === "-Infinity") return -Infinity;
  if (d === "-0") return -0;
  return d;
}

// A canonical text for a VALUE, for map keys (int/uint/bool/string only).
const keyText = (v) => JSON.stringify(v);

export function valuesEqual(a, b) {
  const ta = tagOf(a), tb = tagOf(b);
  if (ta !== tb) return false;
  switch (ta) {
    case "double": {
      const x = doubleOf(a.double), y = doubleOf(b.double);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
      return Object.is(x, y);
    }
    case "list":
      return a.list.length === b.list.length && a.list.every((x, i) => valuesEqual(x, b.list[i]));
    case "map": {
      if (a.map.length !== b.map.length) return false;
      const m = new Map(b.map.map(([k, v]) => [keyText(k), v]));
      return a.map.every(([k, v]) => m.has(keyText(k)) && valuesEqual(v, m.get(keyText(k))));
    }
    case "null":
      return true;
    default:
      return a[ta] === b[tb];
  }
}

// How two results relate: "agree", or a disagreement kind.
export function compare(cg, peer) {
  const cgErr = "error" in cg, peerErr = "error" in peer;
  if (cgErr && peerErr) return "agree";
  if (cgErr) return cg.error.startsWith("ERROR: <input>") ? "celgate-rejects" : "celgate-error";
  if (peerErr) return "peer-error";
  return valuesEqual(cg.value, peer.value) ? "agree" : "values-differ";
}

// Short text of a result for reports.
export function show(res) {
  if ("error" in res) return "error: " + res.error.split("\n")[0];
  const s = JSON.stringify(res.value);
  return s.length > 300 ? s.slice(0, 300) + "..." : s;
}
