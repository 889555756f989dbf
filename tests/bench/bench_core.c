/* bench_core.c: throughput of the core: NDJSON visit parsing and unit
 * math. Prints figures; asserts nothing about time. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "em_json.h"
#include "em_units.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench_parse(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    double bytes = (double)ftell(f);
    double best = 1e30;
    long visits = 0;
    for (int round = 0; round < 3; round++) {
        rewind(f);
        em_ndjson_reader *r = em_ndjson_open(f, path, 0);
        em_visit *v;
        em_error err;
        em_status st;
        visits = 0;
        double t0 = now();
        while ((st = em_ndjson_next(r, &v, &err)) != EM_EOF && st != EM_EIO) {
            if (st == EM_OK) {
                visits++;
                em_visit_free(v);
            }
        }
        double t = now() - t0;
        em_ndjson_close(r);
        if (t < best)
            best = t;
    }
    fclose(f);
    printf("parse:  %ld visits, %.1f MB in %.3f s: %.0f visits/s, %.1f MB/s (best of 3)\n",
           visits, bytes / 1e6, best, (double)visits / best, bytes / 1e6 / best);
    return 0;
}

static void bench_units(void)
{
    em_code_table *codes = em_codes_new();
    const em_unit_item items[] = {
        {"97110", 18}, {"97140", 13}, {"97116", 10}, {"97035", 8}, {"97010", 15},
    };
    em_unit_line out[5];
    em_unit_result res;
    const long n = 2000000;
    long total = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        em_units_compute(codes, i & 1 ? &em_policy_cms : &em_policy_ama, items, 5, NULL, 0,
                         out, &res, NULL);
        total += res.total_units;
    }
    double t = now() - t0;
    printf("units:  %ld five-code days in %.3f s: %.2f million days/s (checksum %ld)\n", n, t,
           (double)n / t / 1e6, total);
    em_codes_free(codes);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_core VISITS.ndjson\n");
        return 2;
    }
    bench_units();
    return bench_parse(argv[1]);
}
