/* report.c - dispatch to the chosen format. */
#include "report.h"

#include <stdlib.h>

struct report {
    const struct report_ops *ops;
    void *self;
    FILE *out;
};

struct report *report_create(const struct report_options *opt, FILE *out, const struct analysis *an)
{
    struct report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->ops = opt->format == FORMAT_JSON  ? &report_json_ops
           : opt->format == FORMAT_CSV   ? &report_csv_ops
                                         : &report_text_ops;
    r->out = out;
    r->self = r->ops->create(opt, out, an);
    if (!r->self) {
        free(r);
        return NULL;
    }
    return r;
}

void report_destroy(struct report *r)
{
    if (!r)
        return;
    r->ops->destroy(r->self);
    free(r);
}

void report_conn(struct report *r, const struct conn *c, enum retire_reason why, tstamp_t now)
{
    r->ops->conn(r->self, c, why, now);
}

bool report_finish(struct report *r, const struct run_info *info)
{
    r->ops->finish(r->self, info);
    return fflush(r->out) == 0 && !ferror(r->out);
}
