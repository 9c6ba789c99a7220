/* tests/fuzz/outcheck.c - is what the reports wrote well formed?  See
 * outcheck.h. */
#include "outcheck.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------- JSON --- */

struct js {
    const char *p, *e;
    int depth;
};

static void js_ws(struct js *j)
{
    while (j->p < j->e && (*j->p == ' ' || *j->p == '\t'))
        j->p++;
}

static bool js_lit(struct js *j, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(j->e - j->p) < n || memcmp(j->p, w, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool js_string(struct js *j)
{
    if (j->p >= j->e || *j->p != '"')
        return false;
    j->p++;
    while (j->p < j->e) {
        unsigned char c = (unsigned char)*j->p++;
        if (c == '"')
            return true;
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c == '\\') {
            if (j->p >= j->e)
                return false;
            char x = *j->p++;
            if (x == 'u') {
                for (int i = 0; i < 4; i++)
                    if (j->p >= j->e || !is_hex(*j->p++))
                        return false;
            } else if (!strchr("\"\\/bfnrt", x) || !x) {
                return false;
            }
        }
    }
    return false;
}

static bool js_digits(struct js *j)
{
    if (j->p >= j->e || !is_digit(*j->p))
        return false;
    while (j->p < j->e && is_digit(*j->p))
        j->p++;
    return true;
}

static bool js_number(struct js *j)
{
    if (j->p < j->e && *j->p == '-')
        j->p++;
    if (j->p < j->e && *j->p == '0')
        j->p++;
    else if (!js_digits(j))
        return false;
    if (j->p < j->e && *j->p == '.') {
        j->p++;
        if (!js_digits(j))
            return false;
    }
    if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!js_digits(j))
            return false;
    }
    return true;
}

static bool js_value(struct js *j);

static bool js_container(struct js *j, char open, char close)
{
    if (++j->depth > 64)
        return false;
    j->p++;     /* open */
    (void)open;
    js_ws(j);
    if (j->p < j->e && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        js_ws(j);
        if (close == '}') {
            if (!js_string(j))
                return false;
            js_ws(j);
            if (j->p >= j->e || *j->p != ':')
                return false;
            j->p++;
            js_ws(j);
        }
        if (!js_value(j))
            return false;
        js_ws(j);
        if (j->p >= j->e)
            return false;
        if (*j->p == ',') {
            j->p++;
            continue;
        }
        if (*j->p != close)
            return false;
        j->p++;
        j->depth--;
        return true;
    }
}

static bool js_value(struct js *j)
{
    if (j->p >= j->e)
        return false;
    switch (*j->p) {
    case '{': return js_container(j, '{', '}');
    case '[': return js_container(j, '[', ']');
    case '"': return js_string(j);
    case 't': return js_lit(j, "true");
    case 'f': return js_lit(j, "false");
    case 'n': return js_lit(j, "null");
    default: return js_number(j);
    }
}

/* Call fn on each line (without its newline); the text must end with one. */
static const char *each_line(const char *buf, size_t len, const char *(*fn)(void *, const char *, size_t),
                             void *ctx, size_t *lineno)
{
    if (len && buf[len - 1] != '\n')
        return "the output does not end with a newline";
    const char *p = buf, *end = buf + len;
    *lineno = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        ++*lineno;
        const char *why = fn(ctx, p, (size_t)(nl - p));
        if (why)
            return why;
        p = nl + 1;
    }
    return NULL;
}

static const char *json_line(void *ctx, const char *line, size_t n)
{
    (void)ctx;
    struct js j = { line, line + n, 0 };
    if (n == 0 || *line != '{')
        return "a line that is not a JSON object";
    if (!js_value(&j) || j.p != j.e)
        return "a line that is not valid JSON";
    return NULL;
}

/* -------------------------------------------------------------- CSV --- */

static const char *csv_line(void *ctx, const char *line, size_t n)
{
    int *fields = ctx;
    int f = 1;
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == ',' && !quoted)
            f++;
        else if ((unsigned char)line[i] < 0x20)
            return "a control character in a CSV row";
    }
    if (quoted)
        return "an unterminated quoted CSV field";
    if (*fields == 0)
        *fields = f;
    else if (f != *fields)
        return "a CSV row whose field count differs from the header's";
    return NULL;
}

/* ----------------------------------------------------------- conn.log --- */

static const char *zeek_line(void *ctx, const char *line, size_t n)
{
    int *fields = ctx;
    int f = 1;
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\t')
            f++;
    if (n >= 8 && !memcmp(line, "#fields\t", 8)) {
        *fields = f - 1;
        return NULL;
    }
    if (n && line[0] == '#')
        return NULL;
    if (*fields == 0)
        return "a conn.log row before the #fields line";
    if (f != *fields)
        return "a conn.log row whose field count differs from #fields";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
            return "a control character in a conn.log row";
    return NULL;
}

const char *outcheck(enum outcheck_kind kind, const char *buf, size_t len, size_t *lineno)
{
    int fields = 0;
    switch (kind) {
    case OUTCHECK_JSON:
        return each_line(buf, len, json_line, NULL, lineno);
    case OUTCHECK_CSV:
        return each_line(buf, len, csv_line, &fields, lineno);
    case OUTCHECK_ZEEK:
        return each_line(buf, len, zeek_line, &fields, lineno);
    }
    return "unknown kind";
}
