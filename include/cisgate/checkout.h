/* checkout.h - what `cisgate check` prints: one verdict per item (a container, a
 * service, a request) and a summary, as text, a table or JSON, in a stable order. */
#ifndef CISGATE_CHECKOUT_H
#define CISGATE_CHECKOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "cisgate/eval.h"

enum check_format { CHECK_TEXT = 0, CHECK_JSON, CHECK_TABLE };

struct checkout;

/* "text", "json", "table" into *f. Returns 0, or -1 for any other name. */
int checkout_format(const char *name, enum check_format *f);

/* A new, empty collector (allocates; release with checkout_free). NULL when out of
 * memory. */
struct checkout *checkout_new(enum check_format f);

/* Adds one item's verdict: name and image (either may be NULL or ""), the decision
 * (copied; nothing of d is kept), and msg (the answer's Msg, printed in text form for
 * denied envelopes; may be NULL). Returns 0, or -1 out of memory. */
int checkout_add(struct checkout *o, const char *name, const char *image, const struct decision *d,
    const char *msg);

/* Prints every item, ordered by name (ties keep input order), then the summary: items
 * checked, allowed, denied, warned, would-deny, and per rule how many items broke it. */
void checkout_print(const struct checkout *o, FILE *f);

/* 0 when every item was allowed, 1 when one was denied. */
int checkout_status(const struct checkout *o);

/* Frees o; accepts NULL. */
void checkout_free(struct checkout *o);

#endif
