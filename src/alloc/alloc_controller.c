/*
 * alloc_controller.c: the ServiceCIDR controller (kube-controller-manager's
 * service-cidr-controller): keeps live ServiceCIDRs finalized and Ready,
 * and lets a deleted one go only when every CIDR has a parent or no
 * managed IPAddress would be left in no ServiceCIDR, after the grace
 * period; otherwise Ready=False, reason Terminating.
 */
#include "alloc_cluster.h"

static bool has_parent(alloc_cluster *c, const alloc_scidr *self, const alloc_prefix *p)
{
    for (size_t i = 0; i < c->ncidrs; i++) {
        if (c->cidrs[i] == self)
            continue;
        for (int k = 0; k < c->cidrs[i]->ncidrs; k++)
            if (alloc_prefix_covers(&c->cidrs[i]->cidrs[k], p))
                return true;
    }
    return false;
}

/* Would deleting s leave a managed IPAddress of p in no ServiceCIDR? */
static bool orphans_in(alloc_cluster *c, const alloc_scidr *s, const alloc_prefix *p)
{
    alloc_index *ix = alloc_ix(c, p->net.fam);
    alloc_u128 x = p->net.v, last = alloc_prefix_last(p), a, b;
    while (alloc_index_next(ix, x, &a, &b) && alloc_u128_cmp(a, last) <= 0) {
        if (alloc_u128_cmp(a, x) < 0)
            a = x;
        for (alloc_u128 y = a;; y = alloc_u128_add(y, 1)) {
            if (alloc_u128_cmp(y, last) > 0)
                return false;
            alloc_ip ip = {p->net.fam, y};
            alloc_ipobj *o = alloc_ipobj_find(c, &ip);
            if (o && o->managed && alloc_prefix_contains_usable(p, &ip) && !alloc_ip_covered(c, &ip, s))
                return true;
            if (alloc_u128_cmp(y, b) == 0)
                break;
        }
        if (alloc_u128_is_max(b) || alloc_u128_cmp(b, last) >= 0)
            break;
        x = alloc_u128_add(b, 1);
    }
    return false;
}

void alloc_controller_sync(alloc_cluster *c, alloc_changes *ch)
{
    int64_t now = alloc_now(c);
    bool removed = false;
    for (size_t i = 0; i < c->ncidrs;) {
        alloc_scidr *s = c->cidrs[i];
        if (!s->deletion_ms) {
            /* Created or updated: finalizer, then Ready=True with the
             * controller's message (it replaces the apiserver's one on the
             * default ServiceCIDR too). */
            bool changed = !alloc_scidr_has_finalizer(s);
            alloc_scidr_ensure_finalizer(s);
            changed |= alloc_scidr_set_ready(c, s, "True", "", ALLOC_MSG_READY);
            if (changed)
                alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
            i++;
            continue;
        }
        if (alloc_scidr_finalizer_count(s) == 0) {
            /* Someone removed every finalizer: the object goes now. */
            alloc_changes_add(ch, ALLOC_OP_DEL_CIDR, s->name, NULL, 0);
            alloc_scidr_unlink(c, i);
            removed = true;
            continue;
        }
        bool can = true;
        for (int k = 0; k < s->ncidrs && can; k++)
            if (!has_parent(c, s, &s->cidrs[k]) && orphans_in(c, s, &s->cidrs[k]))
                can = false;
        if (!can) {
            if (alloc_scidr_set_ready(c, s, "False", "Terminating", ALLOC_MSG_ORPHANS))
                alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
            i++;
            continue;
        }
        if (now < s->deletion_ms + c->grace_ms || !alloc_scidr_has_finalizer(s)) {
            i++;
            continue;
        }
        alloc_scidr_remove_finalizer(s);
        if (alloc_scidr_finalizer_count(s) == 0) {
            alloc_changes_add(ch, ALLOC_OP_DEL_CIDR, s->name, NULL, 0);
            alloc_scidr_unlink(c, i);
            removed = true;
        } else {
            alloc_changes_add(ch, ALLOC_OP_PUT_CIDR, s->name, s->obj, 0);
            i++;
        }
    }
    if (removed)
        alloc_ranges_rebuild(c);
}

void alloc_tick(alloc_cluster *c)
{
    alloc_changes ch = {0};
    alloc_err err;
    pthread_mutex_lock(&c->mu);
    alloc_controller_sync(c, &ch);
    /* The apiserver re-creates a deleted default ServiceCIDR (every 10 s
     * upstream; at every tick here). */
    alloc_default_ensure(c, &ch);
    alloc_finish_unlocked(c, &ch, &err);
}
