/*
 * schema_layout: prints how libmapsync lays out a value schema, to compare with the Java library's layout.
 *
 *   schema_layout SCHEMA       prints "size N", then one line per field: "NAME OFFSET SIZE COUNT ARRAY"
 */
#include <mapsync.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: schema_layout SCHEMA\n");
        return 1;
    }
    struct mapsync_field fields[256];
    uint32_t size;
    int n = mapsync_schema_fields(argv[1], fields, 256, &size);
    if (n < 0) {
        printf("error %s\n", strerror(-n));
        return 0;
    }
    printf("size %u\n", size);
    for (int i = 0; i < n; i++) {
        printf("%s %u %u %u %s\n", fields[i].name[0] ? fields[i].name : "-", fields[i].offset, fields[i].size,
               fields[i].count, fields[i].array ? "array" : fields[i].kind == MAPSYNC_CHARS ? "chars" : "scalar");
    }
    return 0;
}
