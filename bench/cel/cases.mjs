// bench/cel/cases.mjs: expands bench/cel/cases.json (named inputs, checks
// written as patches) into the plain form every driver reads: each case and
// each check with its own full `object` and `variables`.
//   node bench/cel/cases.mjs [CASES.json] > expanded.json
import { readFileSync } from 'node:fs'

const src = JSON.parse(readFileSync(process.argv[2] ?? new URL('./cases.json', import.meta.url), 'utf8'))

function walk (doc, path) {
  const keys = path.split('.')
  const last = keys.pop()
  let o = doc
  for (const k of keys) {
    o = o[Array.isArray(o) ? Number(k) : k]
    if (o === undefined) throw new Error(`cases.json: no ${path}`)
  }
  return [o, Array.isArray(o) ? Number(last) : last]
}

function input (name) {
  const v = src.inputs[name]
  if (v === undefined) throw new Error(`cases.json: no input ${name}`)
  return structuredClone(v)
}

const cases = src.cases.map(c => {
  const object = input(c.object)
  const variables = input(c.variables)
  const checks = c.checks.map(chk => {
    const o = structuredClone(object)
    for (const [path, value] of Object.entries(chk.set ?? {})) {
      const [parent, key] = walk(o, path)
      parent[key] = value
    }
    for (const path of chk.delete ?? []) {
      const [parent, key] = walk(o, path)
      delete parent[key]
    }
    return { object: o, variables: structuredClone(variables), expect: chk.expect }
  })
  return { name: c.name, title: c.title, expr: c.expr, object, variables, expect: c.expect, checks }
})
process.stdout.write(JSON.stringify({ cases }) + '\n')
