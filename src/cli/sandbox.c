/*
 * cli/sandbox.c: `celgate sandbox`: its flags. The server itself is
 * src/sandbox (sbx_main).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sandbox/sbx.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: celgate sandbox [options]\n\n"
            "Serves a small Kubernetes API on loopback for kubectl: Services with ClusterIPs from\n"
            "ServiceCIDRs, IPAddresses, ValidatingAdmissionPolicies and their bindings, with every\n"
            "write admitted by the stored policies. State lives under --data and survives restarts.\n\n"
            "options:\n"
            "  --service-cidr CIDR[,CIDR]  the `kubernetes` ServiceCIDR (default 10.96.0.0/28); a\n"
            "                              second CIDR of the other family makes it dual-stack\n"
            "  --data DIR                  state, certificates and token (default ./celgate-sandbox)\n"
            "  --policies PATH             policies and bindings (file or folder) stored at start\n"
            "  --listen HOST:PORT          HTTPS address (default 127.0.0.1:6443; port 0: any)\n"
            "  --kubeconfig FILE           where to write the kubeconfig (default DIR/kubeconfig)\n"
            "  --help                      print this help\n\n"
            "then: kubectl --kubeconfig FILE get servicecidr\n");
}

int cli_sandbox_main(int argc, char **argv)
{
    sbx_opts o;
    memset(&o, 0, sizeof o);
    o.deletion_grace_ms = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        const char **dst = !strcmp(a, "--service-cidr") ? &o.service_cidrs
                           : !strcmp(a, "--data")        ? &o.data_dir
                           : !strcmp(a, "--policies")    ? &o.policies
                           : !strcmp(a, "--listen")      ? &o.listen
                           : !strcmp(a, "--kubeconfig")  ? &o.kubeconfig
                                                         : NULL;
        if (!dst) {
            fprintf(stderr, "celgate sandbox: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
        if (i + 1 >= argc || !*argv[i + 1]) {
            fprintf(stderr, "celgate sandbox: %s needs a value\n", a);
            return 2;
        }
        *dst = argv[++i];
    }
    return sbx_main(&o);
}
