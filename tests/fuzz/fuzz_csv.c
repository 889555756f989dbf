/* fuzz_csv.c: libFuzzer target for the CSV visit reader (core/csv.c). Not
 * built by make test. From the repository root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Icore \
 *     $(pkg-config --cflags libcjson) core/[a-z]*.c tests/fuzz/fuzz_csv.c \
 *     -o /tmp/fuzz_csv $(pkg-config --libs libcjson) -lcsv -lm
 *   mkdir -p /tmp/csv-corpus && /tmp/fuzz_csv -max_total_time=60 \
 *     /tmp/csv-corpus tests/data/csv */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "em_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size ? size : 1, "rb");
    if (!f)
        return 0;
    if (size == 0) {
        fclose(f);
        return 0;
    }
    em_csv_mapping *m = em_csv_mapping_new();
    /* small limits so the fuzzer reaches the bounds quickly */
    em_csv_limits lim = {.max_field = 256, .max_row = 1024, .max_columns = 32, .max_rows = 16};
    em_csv_reader *r = m ? em_csv_open(f, "fuzz.csv", m, &lim) : NULL;
    if (r) {
        em_visit *v;
        em_error err;
        em_status st;
        int steps = 0;
        while ((st = em_csv_next(r, &v, &err)) != EM_EOF && st != EM_EIO && steps++ < 10000) {
            if (st == EM_OK)
                em_visit_free(v);
        }
        em_csv_close(r);
    }
    em_csv_mapping_free(m);
    fclose(f);
    return 0;
}
