/* capture_loss.c: a time-ordered ring of capture-drop windows, searched by binary search. */
#include "capture_loss.h"

#include <string.h>

static const ts_ns MERGE_SPAN_NS = 1000000000; /* a merged window stays within 1 s */

void capture_loss_init(struct capture_loss *cl)
{
    memset(cl, 0, sizeof *cl);
}

static struct capture_loss_window *at(struct capture_loss *cl, uint32_t i)
{
    return &cl->w[(cl->head + i) % CAPTURE_LOSS_WINDOWS];
}

static const struct capture_loss_window *cat(const struct capture_loss *cl, uint32_t i)
{
    return &cl->w[(cl->head + i) % CAPTURE_LOSS_WINDOWS];
}

void capture_loss_add(struct capture_loss *cl, ts_ns from, ts_ns to, uint64_t kernel, uint64_t iface)
{
    if (kernel == 0 && iface == 0)
        return;
    cl->total_kernel += kernel;
    cl->total_iface += iface;
    if (to < from)
        to = from;
    if (cl->n) {
        struct capture_loss_window *last = at(cl, cl->n - 1);
        if (from < last->to)
            from = last->to; /* keep the ring sorted whatever the clock did */
        if (to < from)
            to = from;
        if (from == last->to && to - last->from <= MERGE_SPAN_NS) {
            last->to = to;
            last->kernel += kernel;
            last->iface += iface;
            return;
        }
    }
    if (cl->n == CAPTURE_LOSS_WINDOWS) {
        cl->head = (cl->head + 1) % CAPTURE_LOSS_WINDOWS;
        cl->n--;
    }
    *at(cl, cl->n++) = (struct capture_loss_window){ from, to, kernel, iface };
}

void capture_loss_between(const struct capture_loss *cl, ts_ns from, ts_ns to, uint64_t *kernel,
                          uint64_t *iface)
{
    *kernel = *iface = 0;
    /* first window that ends at or after from */
    uint32_t lo = 0, hi = cl->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cat(cl, mid)->to < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i < cl->n && cat(cl, i)->from <= to; i++) {
        *kernel += cat(cl, i)->kernel;
        *iface += cat(cl, i)->iface;
    }
}
