// bench/cel/k8s_net.mjs: Kubernetes' cidr() and containsCIDR() (k8s.io/apiserver
// pkg/cel/library/cidr.go, 1.33+ semantics) written in JS for the peers of
// bench/cel, as close to upstream as a JS port gets: Go netip.ParsePrefix
// rules (strict dotted quads, no leading zeros in octets or bits, IPv6 with
// one "::" and an optional trailing dotted quad, no zones), IPv4-mapped IPv6
// prefixes refused, host bits kept, and containsCIDR true when the receiver's
// family matches, its prefix is no longer than the other's and the first
// receiver-bits bits agree.
//
// A parsed CIDR is a Uint8Array of 18 bytes: [family 4|6, bits, 16 address
// bytes (IPv4 in the first 4)]. Bytes because @bufbuild/cel only carries its
// own value types through functions; cel-js wraps the same bytes in a class.

const PREFIX_ERR = 'network address parse error during conversion from string: '

function fail (input, why) {
  throw new Error(`${PREFIX_ERR}${PREFIX_ERR}netip.ParsePrefix(${JSON.stringify(input)}): ${why}`)
}

// Dotted quad into out[off..off+3]; returns an error text or ''.
function parseV4 (s, out, off) {
  let field = 0; let digits = 0; let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (digits === 1 && field === 0) return 'IPv4 field has octet with leading zero'
      field = field * 10 + (c - 48)
      digits++
      if (field > 255) return 'IPv4 field has value >255'
    } else if (c === 46) {
      if (digits === 0) return 'IPv4 field must have at least one digit'
      if (n === 3) return 'IPv4 address too long'
      out[off + n++] = field
      field = 0; digits = 0
    } else {
      return 'unexpected character'
    }
  }
  if (n < 3 || digits === 0) return 'IPv4 address too short'
  out[off + 3] = field
  return ''
}

function hexval (c) {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

// IPv6 (Go parseIPv6) into out[off..off+15]; returns an error text or ''.
function parseV6 (s, out, off) {
  let ellipsis = -1; let i = 0; let p = 0
  if (s.length >= 2 && s[0] === ':' && s[1] === ':') { ellipsis = 0; p = 2 }
  while (i < 16) {
    let v = 0; let d = 0
    while (p + d < s.length) {
      const h = hexval(s.charCodeAt(p + d))
      if (h < 0) break
      v = v * 16 + h
      d++
      if (d > 4) return 'each colon-separated field must have at most 4 hex digits'
    }
    if (d === 0) return 'each colon-separated field must have at least one digit'
    if (p + d < s.length && s[p + d] === '.') {
      if (ellipsis < 0 && i !== 12) return 'embedded IPv4 address must replace the final 2 fields of the address'
      if (i + 4 > 16) return 'too many hex fields to fit an embedded IPv4 at the end of the address'
      const e = parseV4(s.slice(p), out, off + i)
      if (e) return e
      i += 4; p = s.length
      break
    }
    out[off + i] = v >> 8; out[off + i + 1] = v & 255
    i += 2; p += d
    if (p === s.length) break
    if (s[p] !== ':') return 'unexpected character'
    p++
    if (p === s.length) return 'colon must be followed by more characters'
    if (s[p] === ':') {
      if (ellipsis >= 0) return 'multiple :: in address'
      ellipsis = i
      p++
      if (p === s.length) break
    }
  }
  if (p !== s.length) return 'trailing garbage after address'
  if (i < 16) {
    if (ellipsis < 0) return 'address string too short'
    const n = 16 - i
    for (let j = i - 1; j >= ellipsis; j--) out[off + j + n] = out[off + j]
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) out[off + j] = 0
  } else if (ellipsis >= 0) {
    return 'the :: must expand to at least one field of zeros'
  }
  return ''
}

export function parseCIDR (s) {
  const slash = s.lastIndexOf('/')
  if (slash < 0) fail(s, "no '/'")
  const addr = s.slice(0, slash); const bitsText = s.slice(slash + 1)
  if (addr.includes('%')) fail(s, 'IPv6 zones cannot be present in a prefix')
  const out = new Uint8Array(18)
  let err; let max
  if (addr.includes(':')) {
    out[0] = 6; max = 128
    err = parseV6(addr, out, 2)
  } else if (addr.includes('.')) {
    out[0] = 4; max = 32
    err = parseV4(addr, out, 2)
  } else {
    err = 'unable to parse IP'
  }
  if (err) fail(s, `ParseAddr(${JSON.stringify(addr)}): ${err}`)
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bitsText)) fail(s, `bad bits after slash: ${JSON.stringify(bitsText)}`)
  const bits = Number(bitsText)
  if (bits > max) fail(s, 'prefix length out of range')
  out[1] = bits
  if (out[0] === 6 && out[12] === 255 && out[13] === 255 && out.subarray(2, 12).every(b => b === 0)) {
    throw new Error(`${PREFIX_ERR}IPv4-mapped IPv6 address ${JSON.stringify(s)} is not allowed`)
  }
  return out
}

// Every address of o lies in r (k8s 1.33+: r.Overlaps(o) && r.bits <= o.bits).
export function containsCIDR (r, o) {
  if (r[0] !== o[0] || r[1] > o[1]) return false
  const bits = r[1]; const whole = bits >> 3
  for (let i = 0; i < whole; i++) if (r[2 + i] !== o[2 + i]) return false
  const rest = bits & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return (r[2 + whole] & mask) === (o[2 + whole] & mask)
}
