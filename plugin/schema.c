/* schema.c - the policy's JSON Schema from the rule table: every rule, its parameters
 * with their types and bounds, and the fixed sections policy.c reads. A rule or
 * parameter added to CG_RULES is in the schema without another edit. */
#include <stdio.h>
#include <string.h>

#include "cisgate/policy.h"
#include "cisgate/rules.h"
#include "cisgate/schema.h"

/* The spellings policy.c accepts (action_names, modes, the audit enums). */
static json_t *
schema_enum(const char *const *names)
{
	json_t *a = json_array();

	for (; a != NULL && *names != NULL; names++)
		json_array_append_new(a, json_string(*names));
	return json_pack("{s:o}", "enum", a);
}

static json_t *
schema_actions(void)
{
	/* A YAML 1.1 reader (PyYAML) reads an unquoted off as false; cisgate reads the
	 * text, so both spellings are the action off. */
	return json_pack("{s:[s, s, s, b]}", "enum", "deny", "warn", "off", 0);
}

/* A list of strings; YAML scalars a loader may type otherwise (1024, true) are read
 * as text by cisgate, so numbers are allowed where a string is. */
static json_t *
schema_strs(const char *pattern, const char *desc)
{
	json_t *item = pattern ?
	    json_pack("{s:s, s:s}", "type", "string", "pattern", pattern) :
	    json_pack("{s:[s, s], s:i}", "type", "string", "number", "minLength", 1);

	return json_pack("{s:s, s:o, s:i, s:s}", "type", "array", "items", item, "maxItems",
	    CG_POLICY_LIST_MAX, "description", desc);
}

static json_t *
schema_param(const struct param_def *d)
{
	switch (d->type) {
	case PT_STRS:
		return schema_strs(NULL, "a list of non-empty strings");
	case PT_PATHS:
		return schema_strs("^/", "a list of absolute paths");
	case PT_CAPS:
		return schema_strs("^[A-Za-z0-9_]+$",
		    "a list of capability names (NET_ADMIN or CAP_NET_ADMIN)");
	case PT_INT:
		return json_pack("{s:[s, s], s:I, s:I, s:s}", "type", "integer", "string",
		    "minimum", (json_int_t)d->min, "maximum", (json_int_t)d->max, "pattern",
		    "^-?[0-9]+$");
	case PT_SIZE:
		return json_pack("{s:[s, s], s:I, s:I, s:s, s:s}", "type", "integer", "string",
		    "minimum", (json_int_t)d->min, "maximum", (json_int_t)d->max, "pattern",
		    "^[0-9]+[bkmgtBKMGT]?$", "description",
		    "bytes, or a number with b, k, m, g, t (powers of 1024)");
	case PT_RANGES:
		return json_pack("{s:s, s:i, s:{s:[{s:s, s:I, s:I}, {s:s, s:s}]}, s:s}", "type",
		    "array", "maxItems", CG_POLICY_LIST_MAX, "items", "anyOf", "type", "integer",
		    "minimum", (json_int_t)d->min, "maximum", (json_int_t)d->max, "type", "string",
		    "pattern", "^[0-9]+(-[0-9]+)?$", "description", "numbers or \"lo-hi\" ranges");
	case PT_BOOL:
		return json_pack("{s:s}", "type", "boolean");
	case PT_ENUM:
		return schema_enum(d->names);
	}
	return json_object();
}

/* One rule: an action, or a mapping with an action and the rule's parameters. */
static json_t *
schema_rule(const struct rule_def *rd)
{
	const struct param_def *d;
	json_t *props = json_object(), *obj;
	char desc[256];

	json_object_set_new(props, "action", schema_actions());
	for (d = rd->params; d != NULL && d->key != NULL; d++)
		json_object_set_new(props, d->key, schema_param(d));
	obj = json_pack("{s:s, s:o, s:[s], s:b}", "type", "object", "properties", props, "required",
	    "action", "additionalProperties", 0);
	if (rd->cis[0] != '\0')
		snprintf(desc, sizeof desc, "CIS %s: %s (default %s)", rd->cis, rd->title,
		    policy_action_name(rd->default_action));
	else
		snprintf(desc, sizeof desc, "%s (default %s)", rd->title,
		    policy_action_name(rd->default_action));
	return json_pack("{s:s, s:[o, o]}", "description", desc, "oneOf", schema_actions(), obj);
}

static json_t *
schema_rules(void)
{
	json_t *props = json_object();
	int r;

	for (r = 0; r < R_COUNT; r++)
		json_object_set_new(props, rules_table[r].name, schema_rule(&rules_table[r]));
	return json_pack("{s:s, s:o, s:b}", "type", "object", "properties", props,
	    "additionalProperties", 0);
}

static json_t *
schema_rule_names(void)
{
	json_t *a = json_array();
	int r;

	for (r = 0; r < R_COUNT; r++)
		json_array_append_new(a, json_string(rules_table[r].name));
	return json_pack("{s:o}", "enum", a);
}

/* A date as pyaml_date reads it: 2026-12-31 or 2026-12-31T18:00:00Z. */
#define SCHEMA_DATE "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?$"

static json_t *
schema_exemptions(void)
{
	json_t *match = json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s, s:{s:[s, s, s]}, s:i}, "
	                          "s:{s:s}}, s:b, s:i}",
	    "type", "object", "properties", "image", "type", "string", "name", "type", "string",
	    "labels", "type", "object", "additionalProperties", "type", "string", "number",
	    "boolean", "maxProperties", CG_LABELS_MAX, "user", "type", "string",
	    "additionalProperties", 0, "minProperties", 1);
	json_t *item = json_pack("{s:s, s:{s:{s:s, s:i}, s:{s:s, s:i}, s:{s:s, s:o, s:i}, s:o, "
	                         "s:{s:s, s:s}}, s:[s, s, s, s], s:b}",
	    "type", "object", "properties", "name", "type", "string", "minLength", 1, "reason",
	    "type", "string", "minLength", 1, "rules", "type", "array", "items",
	    schema_rule_names(), "minItems", 1, "match", match, "expires", "type", "string",
	    "pattern", SCHEMA_DATE, "required", "name", "reason", "rules", "match",
	    "additionalProperties", 0);

	return json_pack("{s:s, s:o, s:i}", "type", "array", "items", item, "maxItems",
	    CG_EXEMPTIONS_MAX);
}

static json_t *
schema_audit(void)
{
	static const char *const fs[] = {"always", "interval", "never", NULL};
	static const char *const al[] = {"state-changing", "all", "none", NULL};
	static const char *const of[] = {"deny", "allow", NULL};
	static const char *const sf[] = {"rfc3164", "rfc5424", NULL};

	return json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:o, s:o, "
	                 "s:o, s:{s:s, s:i}, s:{s:s, s:s}, s:{s:s, s:i, s:i}, "
	                 "s:{s:s, s:i, s:i}, s:{s:s, s:s}, s:o}, s:b}",
	    "type", "object", "properties", "file", "type", "string", "pattern", "^(/.*)?$",
	    "stdout", "type", "boolean", "syslog", "type", "boolean", "syslog_socket", "type",
	    "string", "pattern", "^/", "fsync", schema_enum(fs), "allows", schema_enum(al),
	    "on_failure", schema_enum(of), "host_id", "type", "string", "minLength", 1,
	    "signing_key", "type", "string", "pattern", "^/", "checkpoint_every", "type",
	    "integer", "minimum", 1, "maximum", 1000000, "checkpoint_seconds", "type", "integer",
	    "minimum", 1, "maximum", 86400, "policy_dir", "type", "string", "pattern",
	    "^(/.*)?$", "syslog_format", schema_enum(sf), "additionalProperties", 0);
}

static json_t *
schema_daemon(void)
{
	return json_pack("{s:s, s:{s:{s:s, s:s}, s:{s:[s, s], s:s}, s:{s:s, s:s}, "
	                 "s:{s:s, s:s}}, s:b}",
	    "type", "object", "properties", "socket", "type", "string", "pattern", "^/", "timeout",
	    "type", "string", "integer", "pattern", "^[0-9]+(ms|s)?$", "data_root", "type",
	    "string", "pattern", "^/", "exec_root", "type", "string", "pattern", "^/",
	    "additionalProperties", 0);
}

static json_t *
schema_plugins(void)
{
	return json_pack("{s:s, s:{s:{s:s, s:{s:s, s:{s:{s:s, s:s}, s:{s:s, s:s}}, s:[s], "
	                 "s:b}}}, s:b}",
	    "type", "object", "properties", "allowed", "type", "array", "items", "type", "object",
	    "properties", "name", "type", "string", "pattern",
	    "^(?!docker\\.io/|index\\.docker\\.io/|library/)([a-z0-9.-]+(:[0-9]+)?/)?"
	    "[a-z0-9._/-]+$",
	    "digest", "type", "string", "pattern", "^sha256:[0-9a-f]{64}$", "required", "name",
	    "additionalProperties", 0, "additionalProperties", 0);
}

json_t *
schema_policy(void)
{
	static const char *const modes[] = {"enforce", "audit", NULL};
	static const char *const dr[] = {"deny", "allow", NULL};
	json_t *props, *s;

	props = json_pack("{s:{s:s}, s:o, s:o, s:{s:s, s:{s:[s, s], s:i}, s:i}, s:o, s:o, "
	                  "s:o, s:o, s:o, s:{s:s, s:{s:s}}, s:o, s:{s:s, s:i}, "
	                  "s:{s:s, s:{s:{s:s, s:i}}, s:[s], s:b}}",
	    "apiVersion", "const", "cisgate/v1", "mode", schema_enum(modes), "default_action",
	    schema_actions(), "plugin_names", "type", "array", "items", "type", "string", "number",
	    "minLength", 1, "minItems", 1, "audit", schema_audit(), "daemon", schema_daemon(),
	    "rules", schema_rules(), "exemptions", schema_exemptions(), "default_route",
	    schema_enum(dr), "allowed_routes", "type", "array", "items", "type", "string",
	    "plugins", schema_plugins(), "shadow", "type", "string", "minLength", 1, "metrics",
	    "type", "object", "properties", "listen", "type", "string", "minLength", 1,
	    "required", "listen", "additionalProperties", 0);
	if (props == NULL)
		return NULL;
	s = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:[s], s:b}", "$schema",
	    "https://json-schema.org/draft/2020-12/schema", "$id", SCHEMA_ID, "title",
	    "cisgate policy (apiVersion cisgate/v1)", "description",
	    "Generated by `cisgate schema` from cisgate's rule table; `cisgate lint` checks "
	    "what a schema cannot (cleaned paths, calendar dates, duplicates).",
	    "type", "object", "properties", props, "required", "apiVersion", "additionalProperties",
	    0);
	return s;
}
