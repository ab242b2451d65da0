/* schema.h - the policy's JSON Schema (draft 2020-12), generated from the rule table so
 * that editors and CI see exactly the rules and parameters cisgate reads. */
#ifndef CISGATE_SCHEMA_H
#define CISGATE_SCHEMA_H

#include <jansson.h>

/* Where the installed schema lives; shipped policies name it in their first line. */
#define SCHEMA_ID "https://cisgate.dev/schema/policy-v1.json"
#define SCHEMA_PATH "/usr/share/cisgate/policy.schema.json"

/* The schema as a new JSON object (allocates; json_decref it), or NULL out of memory.
 * Structure the schema cannot say (a path cleaned, a date on the calendar, one entry a
 * plugin) is left to `cisgate lint`. */
json_t *schema_policy(void);

#endif
