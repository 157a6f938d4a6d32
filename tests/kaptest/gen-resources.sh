#!/usr/bin/env bash
# Regenerates the resource files of the test suites under tests/kaptest/ and
# policies/*.test/ from kubectl (v1.32) client-side dry runs, so that the
# objects are the ones kubectl really sends. Run from anywhere; needs no
# cluster. The files are committed; this script documents how they were made.
set -euo pipefail
cd "$(dirname "$0")"
k() { kubectl "$@" --dry-run=client -o yaml; }
doc() { echo "---"; cat; }
label() { kubectl label --local -f - "$@" -o yaml; }

{
  echo "# made by tests/kaptest/gen-resources.sh (kubectl create ... --dry-run=client -o yaml)"
  k create deployment ok --image=nginx --replicas=3 | doc
  k create deployment bad --image=nginx --replicas=6 | doc
  k create deployment mutable --image=nginx --replicas=3 | doc
  k create deployment immutable --image=nginx --replicas=3 | label immutable=true | doc
  k create deployment deletable --image=nginx | label deletable=true | doc
  k create deployment non-deletable --image=nginx | doc
  k create deployment web -n team-a --image=nginx --replicas=2 | doc
  k create deployment web -n team-b --image=nginx --replicas=4 | doc
} > compat/deployments.test/resources.yaml

{
  echo "# made by tests/kaptest/gen-resources.sh"
  k create configmap limit-5 --from-literal=maxReplicas=5 | doc
  k create configmap limit -n team-a --from-literal=maxReplicas=2 | doc
  k create configmap limit -n team-b --from-literal=maxReplicas=5 | doc
  k create configmap broken-limit --from-literal=maxReplicas=five | doc
  k create namespace team-a | label max-replicas=3 | doc
  k create namespace team-b | doc
  k create deployment ok --image=nginx --replicas=3 | doc
  k create deployment bad --image=nginx --replicas=6 | doc
  k create deployment web -n team-a --image=nginx --replicas=2 | doc
  k create deployment web -n team-b --image=nginx --replicas=4 | doc
  k create deployment web -n team-c --image=nginx --replicas=1 | doc
} > compat/context.test/resources.yaml

{
  echo "# made by tests/kaptest/gen-resources.sh"
  k create deployment web -n team-a --image=nginx:1.27 --replicas=2 | doc
  k create deployment big -n team-a --image=nginx:1.27 --replicas=4 | doc
  k create deployment latest -n team-a --image=nginx:latest --replicas=1 | doc
  k create configmap limits -n team-a --from-literal=max=3 | label tier=limits | doc
  k create configmap other -n team-a --from-literal=max=1 | doc
  k create namespace team-a | label team=a | doc
} > extensions/policies.test/resources.yaml

# ServiceCIDRs of the Kubernetes page "Extend Service IP Ranges": kubectl
# cannot create them offline, so they are written out and put through
# kubectl label --local, which prints the object as kubectl would send it.
scidr() { # name cidr...
  local name=$1; shift
  { printf 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: %s\nspec:\n  cidrs:\n' "$name"
    for c in "$@"; do printf '  - "%s"\n' "$c"; done; } | label dummy-
}
for p in servicecidr-default servicecidr-deny; do
  {
    echo "# made by tests/kaptest/gen-resources.sh (kubectl label --local -f - -o yaml)"
    scidr newcidr1 10.96.1.0/24 | doc
    scidr newcidr2 2001:db8:0:0:ffff::/80 10.96.0.0/20 | doc
    scidr newcidr3 172.20.0.0/16 | doc
    if [[ $p == servicecidr-default ]]; then
      # the kubernetes ServiceCIDR, here with a range outside the allowed ones
      scidr kubernetes 172.30.0.0/16 | doc
    else
      scidr kubernetes 10.96.0.0/28 | doc
    fi
  } > ../../policies/$p.test/resources.yaml
done
