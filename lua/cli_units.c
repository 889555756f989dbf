/* cli_units.c: `eightmin units`: units per code for CODE=MINUTES pairs. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "em_codes.h"
#include "em_json.h"
#include "em_units.h"

static const char units_usage[] =
    "usage: eightmin units [--method cms|ama] [--json] CODE=MINUTES ...\n"
    "\n"
    "Prints the units each code earns, one line per code in input order\n"
    "(\"CODE UNITS\"), then \"total UNITS\". Repeated codes are summed. Untimed\n"
    "codes (evaluations, supervised modalities, group therapy) earn 1 unit and\n"
    "are left out of the timed minutes.\n"
    "\n"
    "  --method cms   CMS 8-minute rule: the day's timed minutes are pooled\n"
    "                 (Medicare and payers that follow CMS; the default)\n"
    "  --method ama   AMA per-code rule: each code rounded alone at the midpoint\n"
    "  --explain      add why each code got its units\n"
    "  --json         one JSON object instead of lines\n"
    "\n"
    "MINUTES is a whole number from 0 to 1440.\n"
    "example: eightmin units 97112=24 97110=23   ->  97112 2, 97110 1, total 3\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("eightmin units: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nRun 'eightmin units --help' for usage.\n", stderr);
    return EXIT_USAGE;
}

/* Parses "CODE=MINUTES" into an item; the code is upper-cased in place. */
static int parse_pair(char *arg, em_unit_item *item, const em_code_table *codes)
{
    char *eq = strchr(arg, '=');
    if (!eq)
        return usage_error("'%s': expected CODE=MINUTES, like 97112=24", arg);
    *eq = '\0';
    const char *mins = eq + 1;
    for (char *p = arg; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    int rc = 0;
    if (!em_cpt_valid(arg))
        rc = usage_error("'%s': not a procedure code (letters and digits, like 97112)", arg);
    else if (!em_codes_find(codes, arg))
        rc = usage_error("unknown code %s (not a physical-medicine code eightmin knows)", arg);
    else if (*mins == '\0')
        rc = usage_error("%s=: minutes missing", arg);
    else if (*mins == '-')
        rc = usage_error("%s: minutes cannot be negative", arg);
    else {
        bool digits = true;
        for (const char *p = mins; *p; p++)
            digits = digits && isdigit((unsigned char)*p);
        errno = 0;
        unsigned long m = digits ? strtoul(mins, NULL, 10) : 0;
        if (!digits)
            rc = usage_error("%s: minutes must be a whole number", arg);
        else if (errno == ERANGE || m > EM_DAY_MINUTES)
            rc = usage_error("%s: minutes must be 0 to 1440 (a day)", arg);
        else {
            item->cpt = arg;
            item->minutes = (int)m;
        }
    }
    if (rc != 0)
        *eq = '=';  /* on success item->cpt keeps pointing at the code alone */
    return rc;
}

static void print_text(const em_unit_result *r, const em_unit_line *lines, bool explain)
{
    for (size_t i = 0; i < r->n_lines; i++) {
        const em_unit_line *l = &lines[i];
        if (!explain) {
            printf("%s %d\n", l->cpt, l->units);
            continue;
        }
        if (l->code->kind == EM_CODE_UNTIMED)
            printf("%s %d  untimed: 1 unit per day\n", l->cpt, l->units);
        else
            printf("%s %d  %s: %d min = %d full unit%s + %d min left over\n", l->cpt,
                   l->units, em_unit_reason_name(l->reason), l->minutes, l->full_units,
                   l->full_units == 1 ? "" : "s", l->leftover_minutes);
    }
    printf("total %d\n", r->total_units);
    if (explain)
        printf("timed minutes %d -> %d timed unit%s (%s)\n", r->timed_minutes, r->timed_units,
               r->timed_units == 1 ? "" : "s", em_method_name(r->method));
}

int cli_units(int argc, char **argv)
{
    const em_unit_policy *policy = &em_policy_cms;
    bool json = false, explain = false;
    /* Options may come anywhere (GNU style) until "--"; the rest are
     * CODE=MINUTES pairs, kept in order at the front of argv. */
    int n = 0;
    bool options = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options || a[0] != '-' || a[1] != '-') {
            argv[n++] = argv[i];
        } else if (!strcmp(a, "--")) {
            options = false;
        } else if (!strcmp(a, "--help")) {
            fputs(units_usage, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--explain")) {
            explain = true;
        } else if (!strcmp(a, "--method") || !strncmp(a, "--method=", 9)) {
            const char *name = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!name)
                return usage_error("%s needs a value: cms or ama", a);
            policy = em_policy_by_name(name);
            if (!policy)
                return usage_error("unknown method '%s': use cms or ama", name);
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (n <= 0)
        return usage_error("%s", "no CODE=MINUTES given");

    em_code_table *codes = em_codes_new();
    em_unit_item *items = calloc((size_t)n, sizeof *items);
    em_unit_line *lines = calloc((size_t)n, sizeof *lines);
    int rc = 0;
    if (!codes || !items || !lines) {
        fputs("eightmin units: out of memory\n", stderr);
        rc = EXIT_USAGE;
    }
    for (int i = 0; rc == 0 && i < n; i++)
        rc = parse_pair(argv[i], &items[i], codes);
    if (rc == 0) {
        em_unit_result result;
        em_error err;
        em_error_clear(&err);
        if (em_units_compute(codes, policy, items, (size_t)n, NULL, 0, lines, &result,
                             &err) != EM_OK) {
            fprintf(stderr, "eightmin units: %s\n", err.message);
            rc = EXIT_USAGE;
        } else if (json) {
            if (em_json_write_units(stdout, &result, lines) != EM_OK)
                rc = EXIT_USAGE;
        } else {
            print_text(&result, lines, explain);
        }
    }
    if (fflush(stdout) != 0 && rc == 0) {
        perror("eightmin units: stdout");
        rc = EXIT_USAGE;
    }
    free(lines);
    free(items);
    em_codes_free(codes);
    return rc;
}
