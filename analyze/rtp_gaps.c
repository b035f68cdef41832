/* rtp_gaps.c: finds a regular train of loss gaps in one RTP stream (docs/RTP.md "Periodic drops"). */
#include "rtp_gaps.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The stream keeps at most this many gaps; so does the detector. */
enum { LOSS_GAPS_MAX = 256, MISSING_MAX = 1, DURATION_OUTLIERS_MAX = 1 };

struct train {
    size_t len;        /* gaps in the chain */
    unsigned missing;  /* steps of two periods (a missing or merged gap) */
    size_t first, last;
    unsigned steps;    /* periods between first and last */
    double residual;   /* sum of |interval - k*P|, to break ties */
    size_t members[LOSS_GAPS_MAX];
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * Longest chain of gaps whose start-to-start intervals are k*P (k = 1, or
 * 2 at most MISSING_MAX times) within the tolerance. Dynamic programming
 * over (gap, missing steps used): n is at most LOSS_GAPS_MAX, so O(n^2).
 */
static void longest_chain(const double *s, size_t m, double period, struct train *t)
{
    static const double tol = PERIODIC_TOLERANCE_PCT / 100.0;
    size_t len[LOSS_GAPS_MAX][MISSING_MAX + 1];
    int prev[LOSS_GAPS_MAX][MISSING_MAX + 1];
    double res[LOSS_GAPS_MAX][MISSING_MAX + 1];
    unsigned steps[LOSS_GAPS_MAX][MISSING_MAX + 1];

    memset(t, 0, sizeof *t);
    for (size_t j = 0; j < m; j++) {
        for (unsigned u = 0; u <= MISSING_MAX; u++) {
            len[j][u] = u == 0 ? 1 : 0; /* a chain with u missing steps must have made them */
            prev[j][u] = -1;
            res[j][u] = 0;
            steps[j][u] = 0;
        }
        for (size_t i = 0; i < j; i++) {
            double interval = s[j] - s[i];
            long k = lround(interval / period);
            if (k < 1 || k > 1 + MISSING_MAX)
                continue;
            double off = fabs(interval - (double)k * period);
            if (off > tol * period)
                continue;
            for (unsigned u = 0; u + (unsigned)(k - 1) <= MISSING_MAX; u++) {
                unsigned nu = u + (unsigned)(k - 1);
                if (len[i][u] == 0)
                    continue;
                size_t cand = len[i][u] + 1;
                double cres = res[i][u] + off;
                if (cand > len[j][nu] || (cand == len[j][nu] && cres < res[j][nu])) {
                    len[j][nu] = cand;
                    prev[j][nu] = (int)i;
                    res[j][nu] = cres;
                    steps[j][nu] = steps[i][u] + (unsigned)k;
                }
            }
        }
        for (unsigned u = 0; u <= MISSING_MAX; u++) {
            if (len[j][u] == 0)
                continue;
            bool better = len[j][u] > t->len ||
                          (len[j][u] == t->len && (u < t->missing ||
                                                   (u == t->missing && res[j][u] < t->residual)));
            if (!better)
                continue;
            t->len = len[j][u];
            t->missing = u;
            t->last = j;
            t->steps = steps[j][u];
            t->residual = res[j][u];
            /* walk back: u drops by k-1 at each two-period step */
            size_t at = j, n_members = 0;
            unsigned uu = u;
            for (;;) {
                t->members[n_members++] = at;
                int p = prev[at][uu];
                if (p < 0)
                    break;
                long k = lround((s[at] - s[(size_t)p]) / period);
                uu -= (unsigned)(k - 1);
                at = (size_t)p;
            }
            t->first = at;
            /* members were collected last-to-first: reverse */
            for (size_t a = 0, b = n_members - 1; a < b; a++, b--) {
                size_t tmp = t->members[a];
                t->members[a] = t->members[b];
                t->members[b] = tmp;
            }
        }
    }
}

/* A train is real when its gaps look alike and leave audio between them. */
static bool train_plausible(const struct train *t, const double *s, const double *d,
                            double *period_ms, double *gap_ms)
{
    if (t->len < PERIODIC_MIN_GAPS || t->steps == 0)
        return false;
    double period = (s[t->last] - s[t->first]) / t->steps;
    if (period < PERIODIC_MIN_PERIOD_MS || period > PERIODIC_MAX_PERIOD_MS)
        return false;
    double durs[LOSS_GAPS_MAX];
    for (size_t i = 0; i < t->len; i++)
        durs[i] = d[t->members[i]];
    qsort(durs, t->len, sizeof durs[0], cmp_double);
    double median = t->len % 2 ? durs[t->len / 2]
                               : (durs[t->len / 2 - 1] + durs[t->len / 2]) / 2;
    double spread = fmax(0.25 * median, 60.0);
    unsigned outliers = 0;
    for (size_t i = 0; i < t->len; i++)
        if (fabs(durs[i] - median) > spread)
            outliers++;
    if (outliers > DURATION_OUTLIERS_MAX)
        return false;
    if (median > 0.9 * period)
        return false;
    *period_ms = period;
    *gap_ms = median;
    return true;
}

bool rtp_find_periodic_drop(const struct rtp_gap *gaps, size_t n, struct rtp_periodic *out)
{
    double s[LOSS_GAPS_MAX], d[LOSS_GAPS_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n && m < LOSS_GAPS_MAX; i++) {
        double dur_ms = (double)gaps[i].duration_ns / 1e6;
        if (gaps[i].lost_packets == 0 || dur_ms < PERIODIC_MIN_GAP_MS)
            continue;
        s[m] = (double)(gaps[i].start - gaps[0].start) / 1e6;
        d[m] = dur_ms;
        m++;
    }
    if (m < PERIODIC_MIN_GAPS)
        return false;

    static struct train t; /* large; the analyzer is single-threaded */
    bool found = false;
    struct rtp_periodic best = { 0 };
    size_t best_len = 0;
    unsigned best_missing = 0;
    /* Candidate periods: each interval, and half of it (a missing gap). */
    for (size_t i = 0; i + 1 < m; i++) {
        for (int div = 1; div <= 2; div++) {
            double period = (s[i + 1] - s[i]) / div;
            if (period < PERIODIC_MIN_PERIOD_MS || period > PERIODIC_MAX_PERIOD_MS)
                continue;
            /* twice: the second pass centres the period on the chain found */
            for (int pass = 0; pass < 2; pass++) {
                longest_chain(s, m, period, &t);
                double p_ms = 0, g_ms = 0;
                if (!train_plausible(&t, s, d, &p_ms, &g_ms))
                    break;
                if (t.len > best_len || (t.len == best_len && t.missing < best_missing)) {
                    best_len = t.len;
                    best_missing = t.missing;
                    best = (struct rtp_periodic){ p_ms, g_ms, (uint32_t)t.len };
                    found = true;
                }
                period = p_ms;
            }
        }
    }
    /* Most loss gaps must belong to the train, or it is chance among noise. */
    if (!found || (double)best_len < 0.6 * (double)m)
        return false;
    *out = best;
    return true;
}
