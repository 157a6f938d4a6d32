// tests/differential/diff.mjs: differential testing of celgate's CEL
// against @bufbuild/cel. Generates COUNT random well-typed expressions from
// SEED (gen.mjs), evaluates them with `celgate eval --batch` (one process)
// and with the peer (in this process), and compares the tagged results
// (values.mjs). Each disagreement is minimised (subtrees replaced by
// smaller ones of the same type, or by a self-contained subexpression, while
// the same kind of disagreement remains), then classified: a known peer
// deviation (known.mjs, explained in known-deviations.md) or new. Exits 1
// when a new disagreement is found.
//
// usage: node diff.mjs [--celgate PATH] [--seed N] [--count N]
//                      [--minimize N] [--show N] [--expr EXPR]

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

import { freeVars, genTop, render, rng, simplest } from "./gen.mjs";
import { compare, peerEval, readCelgate, show } from "./values.mjs";
import { CORRECTIONS, KNOWN } from "./known.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

// Every id must be explained in known-deviations.md.
{
  const doc = fs.readFileSync(path.join(here, "known-deviations.md"), "utf8");
  const missing = [...CORRECTIONS, ...KNOWN].map((k) => k.id).filter((id) => !doc.includes(`## ${id}`));
  if (missing.length) {
    console.error(`differential: known-deviations.md does not explain: ${missing.join(", ")}`);
    process.exit(2);
  }
}
const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
}
const celgate = opt("--celgate", path.join(here, "../../build/release/celgate"));
const seed = Number(opt("--seed", "1"));
const count = Number(opt("--count", "20000"));
const maxMinimize = Number(opt("--minimize", "100000"));
const maxShow = Number(opt("--show", "3"));
const single = opt("--expr", null);

// Evaluates expressions with celgate, one process for the lot, in plain
// CEL (--env std, cel-go's default environment): the peer is plain CEL,
// and Kubernetes' environment differs from it on purpose (homogeneous
// literals, constants folded and checked when compiling, a cost limit).
function celgateEval(exprs) {
  const input = exprs.map((e) => JSON.stringify({ expr: e })).join("\n") + "\n";
  const p = spawnSync(celgate, ["eval", "--env", "std", "--batch"], { input, maxBuffer: 1 << 30, encoding: "utf8" });
  if (p.error) throw new Error(`cannot run ${celgate}: ${p.error.message}`);
  const lines = p.stdout.split("\n").filter((l) => l.length);
  if (p.status !== 0 || lines.length !== exprs.length)
    throw new Error(`celgate eval --batch: exit ${p.status}, ${lines.length} lines for ${exprs.length} expressions\n${p.stderr.slice(0, 2000)}`);
  return lines.map(readCelgate);
}

// The peer as it is, with each correction alone, and with all of them.
const ALL_FUNCS = CORRECTIONS.flatMap((c) => c.funcs);

function judge(exprs, funcs = ALL_FUNCS) {
  const cg = celgateEval(exprs);
  return exprs.map((e, i) => {
    const peer = peerEval(e, funcs);
    return { expr: e, cg: cg[i], peer, kind: compare(cg[i], peer) };
  });
}

// ------------------------------------------------------------------ minimising

// Every tree one step smaller than n: a subtree replaced by one of its own
// kids of the same type or by the simplest value of its type.
function* shrinks(n) {
  for (const k of n.kids) if (k.type && typeKey(k.type) === typeKey(n.type)) yield k;
  if (n.kids.length || n.op !== "lit:" + n.type.k) {
    const s = simplest(n.type);
    if (render(s) !== render(n)) yield s;
  }
  for (let i = 0; i < n.kids.length; i++)
    for (const k of shrinks(n.kids[i])) {
      const kids = n.kids.slice();
      kids[i] = k;
      yield { ...n, kids };
    }
}
const typeKey = (t) => JSON.stringify(t);

function* subtrees(n) {
  for (const k of n.kids) {
    yield k;
    yield* subtrees(k);
  }
}

// Candidates one step smaller than tree, smallest text first:
// self-contained subexpressions (they usually name the culprit), then
// same-typed shrinks.
function candidates(tree) {
  const text = render(tree);
  const seen = new Set([text]);
  const out = [];
  // A candidate must not use a comprehension variable outside its macro.
  const add = (s) => {
    const t = render(s);
    if (!seen.has(t) && t.length < text.length && freeVars(s).size === 0) {
      seen.add(t);
      out.push([s, t]);
    }
  };
  for (const s of subtrees(tree)) add(s);
  for (const s of shrinks(tree)) add(s);
  return out.sort((a, b) => a[1].length - b[1].length);
}

// Minimises many disagreements at once: each round judges the candidates
// of every disagreement still shrinking in one celgate run, and keeps for
// each the smallest candidate that disagrees the same way.
function minimizeAll(items) {
  const state = items.map((d) => ({ tree: d.tree, kind: d.kind, done: false }));
  for (let round = 0; round < 60; round++) {
    const batch = [];
    const owners = [];
    state.forEach((st, i) => {
      if (st.done) return;
      const c = candidates(st.tree).slice(0, 400);
      if (!c.length) st.done = true;
      owners.push([i, batch.length, c]);
      for (const [, t] of c) batch.push(t);
    });
    if (!batch.length) break;
    const res = judge(batch);
    for (const [i, off, c] of owners) {
      const hit = c.findIndex((_, j) => res[off + j].kind === state[i].kind);
      if (hit < 0) state[i].done = true;
      else state[i].tree = c[hit][0];
    }
  }
  return judge(state.map((st) => render(st.tree)));
}

// ------------------------------------------------------------------ main

function classify(d) {
  for (const k of KNOWN) if (k.match(d.expr, d.cg, d.peer, d.kind)) return k.id;
  return null;
}

if (single !== null) {
  const [raw] = judge([single], []);
  const [fixed] = judge([single]);
  console.log(`${raw.kind}\n  celgate: ${show(raw.cg)}\n  peer:    ${show(raw.peer)}`);
  console.log(`with the corrections: ${fixed.kind}\n  peer:    ${show(fixed.peer)}\n  known:   ${classify(fixed) || "-"}`);
  process.exit(0);
}

const r = rng(seed);
const trees = [];
for (let i = 0; i < count; i++) trees.push(genTop(r));
const exprs = trees.map(render);
const t0 = Date.now();
const cgAll = celgateEval(exprs);
const byKind = {};
const causes = new Map();
const addCause = (key, item) => {
  if (!causes.has(key)) causes.set(key, []);
  causes.get(key).push(item);
};
const residue = [];
exprs.forEach((e, i) => {
  const raw = { expr: e, cg: cgAll[i], peer: peerEval(e, []) };
  raw.kind = compare(raw.cg, raw.peer);
  byKind[raw.kind] = (byKind[raw.kind] || 0) + 1;
  if (raw.kind === "agree") return;
  // A correction that removes the disagreement names its cause.
  const fixed = peerEval(e, ALL_FUNCS);
  if (compare(raw.cg, fixed) === "agree") {
    const one = CORRECTIONS.find((c) => compare(raw.cg, peerEval(e, c.funcs)) === "agree");
    // Else the corrections the agreement needs: those it fails without.
    const needed = one ? [one] : CORRECTIONS.filter((c) =>
      compare(raw.cg, peerEval(e, ALL_FUNCS.filter((f) => !c.funcs.includes(f)))) !== "agree");
    addCause(`known ${needed.map((c) => c.id).join(" + ")}`, { orig: raw, min: null });
    return;
  }
  residue.push({ ...raw, peer: fixed, kind: compare(raw.cg, fixed), tree: trees[i], raw });
});

// What no correction explains: minimised, then recognised or new.
let newCount = 0;
const mins = minimizeAll(residue.slice(0, maxMinimize));
residue.forEach((d, i) => {
  const m = i < mins.length ? mins[i] : d;
  const known = classify(m);
  addCause(known ? `known ${known}` : `NEW ${d.kind}`, { orig: d.raw, min: m });
  if (!known) newCount++;
});

const disagree = count - (byKind.agree || 0);
if (process.env.DIFF_DUMP) {
  fs.writeFileSync(process.env.DIFF_DUMP, [...causes.entries()].flatMap(([key, list]) => list.map(({ orig, min }) =>
    JSON.stringify({ cause: key, kind: orig.kind, expr: orig.expr, min: min && min.expr, cg: orig.cg, peer: orig.peer }))).join("\n") + "\n");
}
console.log(`differential: seed ${seed}, ${count} expressions, celgate ${celgate}`);
console.log(`  agree ${byKind.agree || 0}, disagree ${disagree} (` +
  Object.entries(byKind).filter(([k]) => k !== "agree").map(([k, n]) => `${k} ${n}`).join(", ") + `), by cause:`);
const sorted = [...causes.entries()].sort((a, b) => b[1].length - a[1].length);
for (const [key, list] of sorted) {
  console.log(`  ${String(list.length).padStart(6)}  ${key}`);
  for (const { orig, min } of list.slice(0, key.startsWith("NEW") ? Math.max(maxShow, 10) : maxShow)) {
    console.log(`          expression: ${orig.expr}`);
    console.log(`            celgate:  ${show(orig.cg)}`);
    console.log(`            peer:     ${show(orig.peer)}`);
    if (!min) continue;
    console.log(`          minimized:  ${min.expr}`);
    console.log(`            celgate:  ${show(min.cg)}`);
    console.log(`            peer:     ${show(min.peer)} (with the corrections)`);
  }
}
console.log(`differential: ${count - newCount} passed, ${newCount} failed ` +
  `(${disagree - newCount} disagreements are known peer deviations) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
process.exit(newCount ? 1 : 0);
