/*
 * schema.c: the schema text of FORMAT.md §3 parsed into fields with the offsets C gives them.
 */
#include "internal.h"

struct mapsync__parser {
    const char *p;
    struct mapsync_field *fields;
    int max, n;
};

static const struct {
    const char *text;
    enum mapsync_kind kind;
    uint32_t size;
} mapsync__scalars[] = {
    {"i8", MAPSYNC_I8, 1}, {"i16", MAPSYNC_I16, 2}, {"i32", MAPSYNC_I32, 4}, {"i64", MAPSYNC_I64, 8},
    {"u8", MAPSYNC_U8, 1}, {"u16", MAPSYNC_U16, 2}, {"u32", MAPSYNC_U32, 4}, {"u64", MAPSYNC_U64, 8},
    {"f32", MAPSYNC_F32, 4}, {"f64", MAPSYNC_F64, 8}, {"bool", MAPSYNC_BOOL, 1},
};

static size_t mapsync__ident(const char *p) {
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_') n++;
    return n;
}

static int mapsync__count(struct mapsync__parser *ps, uint32_t *count) {
    if (*ps->p != '[') return -EINVAL;
    ps->p++;
    uint64_t n = 0;
    const char *start = ps->p;
    while (*ps->p >= '0' && *ps->p <= '9') {
        n = n * 10 + (uint64_t)(*ps->p++ - '0');
        if (n > UINT32_MAX) return -EINVAL;
    }
    if (ps->p == start || n < 1 || *ps->p != ']') return -EINVAL;
    ps->p++;
    *count = (uint32_t)n;
    return 0;
}

static uint32_t mapsync__align_up(uint32_t n, uint32_t a) {
    return (n + a - 1) / a * a;
}

static int mapsync__fields(struct mapsync__parser *ps, char close, const char *prefix, uint32_t *size, uint32_t *align);

/* Parses one type named `name` (prefix included); its fields are appended with offsets from the type's start. */
static int mapsync__type(struct mapsync__parser *ps, const char *name, uint32_t *size, uint32_t *align) {
    if (*ps->p == '{') {
        ps->p++;
        char prefix[128];
        if ((size_t)snprintf(prefix, sizeof prefix, "%s%s", name, *name ? "." : "") >= sizeof prefix) return -EINVAL;
        return mapsync__fields(ps, '}', prefix, size, align);
    }
    size_t len = mapsync__ident(ps->p);
    struct mapsync_field f;
    memset(&f, 0, sizeof f);
    if ((size_t)snprintf(f.name, sizeof f.name, "%s", name) >= sizeof f.name) return -EINVAL;
    f.count = 1;
    if (len == 4 && strncmp(ps->p, "char", 4) == 0) {
        ps->p += 4;
        if (mapsync__count(ps, &f.count) != 0) return -EINVAL;
        f.kind = MAPSYNC_CHARS;
        f.size = 1;
    } else {
        size_t i, known = sizeof mapsync__scalars / sizeof mapsync__scalars[0];
        for (i = 0; i < known; i++) {
            if (strlen(mapsync__scalars[i].text) == len && strncmp(ps->p, mapsync__scalars[i].text, len) == 0) break;
        }
        if (len == 0 || i == known) return -EINVAL;
        ps->p += len;
        f.kind = mapsync__scalars[i].kind;
        f.size = mapsync__scalars[i].size;
        if (*ps->p == '[') {
            if (mapsync__count(ps, &f.count) != 0) return -EINVAL;
            f.array = true;
        }
    }
    if (ps->n >= ps->max) return -ENOSPC;
    if ((uint64_t)f.size * f.count > UINT32_MAX) return -EINVAL;
    ps->fields[ps->n++] = f;
    *size = f.size * f.count;
    *align = f.size;
    return 0;
}

/* Parses `name:type,...` up to `close` ('\0' at the top); lays the fields out as C does. */
static int mapsync__fields(struct mapsync__parser *ps, char close, const char *prefix, uint32_t *size, uint32_t *align) {
    uint32_t offset = 0, max_align = 1;
    for (;;) {
        size_t len = mapsync__ident(ps->p);
        char name[128];
        if (len == 0 || ps->p[len] != ':') return -EINVAL;
        if ((size_t)snprintf(name, sizeof name, "%s%.*s", prefix, (int)len, ps->p) >= sizeof name) return -EINVAL;
        ps->p += len + 1;
        int first = ps->n;
        uint32_t fsize, falign;
        int rc = mapsync__type(ps, name, &fsize, &falign);
        if (rc != 0) return rc;
        offset = mapsync__align_up(offset, falign);
        for (int i = first; i < ps->n; i++) ps->fields[i].offset += offset; /* the field's own layout starts here */
        offset += fsize;
        if (falign > max_align) max_align = falign;
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != close) return -EINVAL;
        if (close) ps->p++;
        *size = mapsync__align_up(offset, max_align);
        *align = max_align;
        return 0;
    }
}

/*
 * Parses a value schema text (such as "id:i64,owner:char[16],pos:{x:f32,y:f32}") into at most `max` fields, in
 * layout order, nested struct fields flattened with dotted names. Sets *size to sizeof the value. Returns the
 * number of fields, -EINVAL for a text that is not a schema, or -ENOSPC when there are more than `max` fields.
 */
int mapsync_schema_fields(const char *schema, struct mapsync_field *fields, int max, uint32_t *size) {
    struct mapsync__parser ps = {schema, fields, max, 0};
    uint32_t s = 0, a = 1;
    *size = 0;
    size_t len = mapsync__ident(schema);
    bool is_fields = len > 0 && schema[len] == ':';
    int rc = is_fields ? mapsync__fields(&ps, '\0', "", &s, &a) : mapsync__type(&ps, "", &s, &a);
    if (rc != 0) return rc;
    if (*ps.p != '\0') return -EINVAL;
    *size = s;
    return ps.n;
}

long mapsync_field_offset(const struct mapsync_map *m, const char *name) {
    int max = MAPSYNC_SCHEMA_TEXT_MAX / 2 + 1;
    struct mapsync_field *fields = malloc(sizeof *fields * (size_t)max);
    if (fields == NULL) return -ENOMEM;
    uint32_t size;
    int n = mapsync_schema_fields(m->value_schema, fields, max, &size);
    long offset = -ENOENT;
    for (int i = 0; i < n; i++) {
        if (strcmp(fields[i].name, name) == 0) {
            offset = fields[i].offset;
            break;
        }
    }
    free(fields);
    return offset;
}
