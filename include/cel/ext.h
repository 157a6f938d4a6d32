/*
 * cel/ext.h: the extension libraries beyond standard CEL, for environments
 * to add with cel_env_add_library. Each is a constant table; the Kubernetes
 * environment picks them by compatibility version.
 */
#ifndef CEL_EXT_H
#define CEL_EXT_H

#include "cel/function.h"
#include "cel/type.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kubernetes IP library ("kubernetes.net.ip", Kubernetes >= 1.30):
 * ip(string), isIP(string), ip.isCanonical(string), string(net.IP) and the
 * net.IP members family() isUnspecified() isLoopback()
 * isLinkLocalMulticast() isLinkLocalUnicast() isGlobalUnicast(). */
extern const cel_library cel_lib_k8s_ip;
/* Kubernetes CIDR library ("kubernetes.net.cidr", Kubernetes >= 1.30):
 * cidr(string), isCIDR(string), string(net.CIDR) and the net.CIDR members
 * containsIP(net.IP|string) containsCIDR(net.CIDR|string) ip() masked()
 * prefixLength(). */
extern const cel_library cel_lib_k8s_cidr;
/* The opaque types of those libraries ("net.IP", "net.CIDR"). */
extern const cel_type cel_t_net_ip, cel_t_net_cidr;

#ifdef __cplusplus
}
#endif
#endif
