#!/usr/bin/env bash
# tests/e2e/deploy_manifests.sh: deploy/ and `celgate cert` against issue 6
# item 6. kubectl's dry runs need an API server even with --dry-run=client
# (REST mapping, OpenAPI), so the manifests are decoded offline by kubectl
# itself (`kubectl label --local -o json`: its YAML and metadata decoding)
# and their fields checked with jq: Namespace, Deployment (2 replicas,
# probes on the health port, read-only root filesystem, non-root), Service,
# the ConfigMap with the bundled policies (current, and loadable), the
# ValidatingWebhookConfiguration (v1 reviews, sideEffects None, timeout 5,
# Equivalent, kube-system and celgate excluded) in its plain, `celgate cert`
# and cert-manager (inject-ca-from) forms; and the files `celgate cert`
# writes (a CA that verifies the serving certificate for every SAN).
set -euo pipefail
CELGATE=$(realpath "$1")
SRC=$(realpath "$2")
for tool in kubectl jq openssl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
WORK=$(mktemp -d /tmp/celgate-deploy.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
# decode FILE -> JSON objects, one per line, through kubectl's decoder
decode() {
  KUBECONFIG=/dev/null kubectl label --local -f "$1" -o json celgate.io/checked=1 2>"$WORK/kubectl.err" |
    jq -c 'del(.metadata.labels["celgate.io/checked"])' ||
    fail "kubectl cannot decode $1: $(cat "$WORK/kubectl.err")"
}
# obj KIND [NAME] < objects -> the object
obj() { jq -c --arg k "$1" --arg n "${2:-}" 'select(.kind == $k and ($n == "" or .metadata.name == $n))'; }
check() { # FILTER CONTEXT  (on $OBJ; must print true)
  [[ $(jq -r "$1" <<<"$OBJ") == true ]] || fail "$2: $1 is not true in $(head -c 400 <<<"$OBJ")"
}

D=$SRC/deploy
decode "$D/celgate.yaml" > all.json
OBJ=$(obj Namespace celgate < all.json)
check '.apiVersion == "v1" and .metadata.labels["kubernetes.io/metadata.name"] == "celgate"' "Namespace"
OBJ=$(obj Deployment celgate < all.json)
check '.apiVersion == "apps/v1" and .metadata.namespace == "celgate" and .spec.replicas == 2' "Deployment: 2 replicas"
check '.spec.selector.matchLabels == .spec.template.metadata.labels' "Deployment: selector matches the pods"
check '.spec.template.spec.securityContext.runAsNonRoot == true and .spec.template.spec.securityContext.runAsUser != 0' \
  "Deployment: non-root"
check '[.spec.template.spec.containers[] | .securityContext.readOnlyRootFilesystem == true and
        .securityContext.allowPrivilegeEscalation == false] | all' "Deployment: read-only root filesystem"
# the probes hit the health port, which the server is told to use
check '.spec.template.spec.containers[0] as $c |
       ($c.ports[] | select(.name == "health") | .containerPort) as $hp |
       $c.livenessProbe.httpGet.path == "/healthz" and $c.readinessProbe.httpGet.path == "/readyz" and
       ($c.livenessProbe.httpGet.port == "health" or $c.livenessProbe.httpGet.port == $hp) and
       ($c.readinessProbe.httpGet.port == "health" or $c.readinessProbe.httpGet.port == $hp) and
       ($c.args | index("--health-port=\($hp)") != null) and ($c.args | index("--health-addr=0.0.0.0") != null)' \
  "Deployment: probes on the health port"
check '.spec.template.spec.containers[0] as $c | ($c.ports[] | select(.name == "https") | .containerPort) as $p |
       ($c.args | index("--port=\($p)") != null)' "Deployment: serving port"
check '[.spec.template.spec.volumes[] | .configMap.name, .secret.secretName] | index("celgate-policies") != null and
       index("celgate-tls") != null' "Deployment: policies and certificate volumes"
ok "Namespace and Deployment (2 replicas, probes on the health port, read-only root, non-root)"
OBJ=$(obj Service celgate < all.json)
check '.metadata.namespace == "celgate" and (.spec.ports[] | select(.port == 443) | .targetPort) == "https" and
       .spec.selector == {"app.kubernetes.io/name": "celgate"}' "Service 443 -> https"
ok "Service 443 -> the https port"

# The ConfigMap is what render-policies makes of the bundled policy, and loads.
bash "$D/render-policies" > rendered.yaml
cmp -s rendered.yaml "$D/policies-configmap.yaml" || fail "deploy/policies-configmap.yaml is stale: run deploy/render-policies"
OBJ=$(decode "$D/policies-configmap.yaml" | obj ConfigMap celgate-policies)
check '.metadata.namespace == "celgate" and (.data | keys) == ["servicecidr-default.yaml"]' "ConfigMap"
mkdir policies
jq -r '.data["servicecidr-default.yaml"]' <<<"$OBJ" > policies/servicecidr-default.yaml
"$CELGATE" review --policies policies "$D/samples/servicecidr-denied.json" > review.json && fail "the ConfigMap's policy allows the denied sample"
jq -e '.response.status.code == 422' review.json >/dev/null || fail "the ConfigMap's policy: $(cat review.json)"
ok "ConfigMap celgate-policies: current, and its policy loads and denies the denied sample"

webhook_checks() { # CONTEXT
  check '.apiVersion == "admissionregistration.k8s.io/v1" and (.webhooks | length) == 1' "$1"
  check '.webhooks[0] | .admissionReviewVersions == ["v1"] and .sideEffects == "None" and .timeoutSeconds == 5 and
         .matchPolicy == "Equivalent" and .failurePolicy == "Fail"' "$1: registration fields"
  check '.webhooks[0].clientConfig.service == {"name": "celgate", "namespace": "celgate", "path": "/validate", "port": 443}' \
    "$1: the Service"
  check '.webhooks[0].namespaceSelector.matchExpressions | any(.key == "kubernetes.io/metadata.name" and
         .operator == "NotIn" and (.values | index("kube-system") != null and index("celgate") != null))' \
    "$1: kube-system and its own namespace excluded"
  check '.webhooks[0].rules | any(.apiGroups == ["networking.k8s.io"] and (.resources | index("servicecidrs") != null))' \
    "$1: ServiceCIDR writes sent"
}
OBJ=$(decode "$D/webhook.yaml" | obj ValidatingWebhookConfiguration celgate)
webhook_checks "deploy/webhook.yaml"
PLAIN=$OBJ
ok "deploy/webhook.yaml: admissionReviewVersions [v1], sideEffects None, timeoutSeconds 5, Equivalent, exclusions"
OBJ=$(decode "$D/cert-manager/webhook.yaml" | obj ValidatingWebhookConfiguration celgate)
webhook_checks "deploy/cert-manager/webhook.yaml"
check '.metadata.annotations["cert-manager.io/inject-ca-from"] == "celgate/celgate-tls" and
       (.webhooks[0].clientConfig | has("caBundle") | not)' "cert-manager webhook: inject-ca-from"
decode "$D/cert-manager/certificates.yaml" > cm.json
OBJ=$(obj Certificate celgate-tls < cm.json)
check '.spec.secretName == "celgate-tls" and .spec.issuerRef.name == "celgate-ca" and
       .spec.dnsNames == ["celgate", "celgate.celgate", "celgate.celgate.svc", "celgate.celgate.svc.cluster.local"]' \
  "cert-manager serving Certificate"
ok "cert-manager variant: inject-ca-from celgate/celgate-tls, a Certificate for the Service names"

# celgate cert: the files, and the configuration it prints.
"$CELGATE" cert --service celgate --namespace celgate --out certs > printed.yaml 2> cert.err
grep -q 'wrote .*certs/{ca.crt,ca.key,tls.crt,tls.key} for celgate.celgate.svc' cert.err || fail "cert: $(cat cert.err)"
OBJ=$(decode printed.yaml | obj ValidatingWebhookConfiguration celgate)
webhook_checks "celgate cert output"
[[ $(jq -r '.webhooks[0].clientConfig.caBundle' <<<"$OBJ" | base64 -d) == "$(cat certs/ca.crt)" ]] ||
  fail "celgate cert: caBundle is not the base64 of ca.crt"
[[ $(jq -cS 'del(.webhooks[0].clientConfig.caBundle)' <<<"$OBJ") == "$(jq -cS 'del(.webhooks[0].clientConfig.caBundle)' <<<"$PLAIN")" ]] ||
  fail "celgate cert prints another configuration than deploy/webhook.yaml"
openssl verify -CAfile certs/ca.crt certs/tls.crt >/dev/null || fail "tls.crt does not verify against ca.crt"
for name in celgate celgate.celgate celgate.celgate.svc celgate.celgate.svc.cluster.local localhost; do
  openssl verify -CAfile certs/ca.crt -verify_hostname "$name" certs/tls.crt >/dev/null 2>&1 || fail "tls.crt is not valid for $name"
done
openssl verify -CAfile certs/ca.crt -verify_ip 127.0.0.1 certs/tls.crt >/dev/null 2>&1 || fail "tls.crt is not valid for 127.0.0.1"
openssl verify -CAfile certs/ca.crt -verify_hostname other.celgate.svc certs/tls.crt >/dev/null 2>&1 &&
  fail "tls.crt is valid for a name it should not have"
[[ $(stat -c %a certs/tls.key) == 600 && $(stat -c %a certs/ca.key) == 600 ]] || fail "keys are not private (0600)"
openssl x509 -in certs/tls.crt -noout -checkend 86400 >/dev/null || fail "tls.crt expires within a day"
ok "celgate cert: caBundle = ca.crt; tls.crt verifies for every SAN and 127.0.0.1; keys 0600; same configuration as deploy/webhook.yaml"
echo "0 failed"
