/* compose.h - a compose file (as `docker-compose config` prints it) read into the create
 * bodies docker-compose 1.29 would send for its services, so `cisgate check` decides them
 * with decide_body exactly as the server decides the real creates. */
#ifndef CISGATE_COMPOSE_H
#define CISGATE_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>

#include "cisgate/policy.h"

/* Most services one compose file may hold, and most ports one range may expand to. */
#define COMPOSE_SERVICES_MAX 1024
#define COMPOSE_PORT_RANGE_MAX 256

struct compose_service {
	char *name; /* the container name compose gives it (container_name, or
	               * PROJECT_SERVICE_1) */
	char *image;
	char *body; /* the create body, JSON, NUL-terminated */
	size_t len;
};

struct compose_file {
	struct compose_service *v; /* sorted by service name, as compose config prints them */
	size_t n;
};

/* True when buf looks like a compose file: a YAML mapping with a top-level `services:`
 * key (and not JSON). Cheap; compose_load does the real reading. */
bool compose_detect(const char *buf, size_t len);

/* Reads buf[0..len) as one compose file into *out. project names the project (the
 * directory's name, see compose_project); name is used in messages. A key cisgate does
 * not know is an error: it could grant what no rule sees. Returns 0, or -1 with every error as "NAME:LINE:COL: text"
 * in *errs .
 * Allocates: release *out with compose_free() either way. */
int compose_load(const char *buf, size_t len, const char *name, const char *project,
    struct compose_file *out, struct policy_errors *errs);

/* The project name docker-compose derives from the file's directory (path of the file)
 * into out[0..outsz): lower-case, only [-_a-z0-9]; "default" when nothing is left. */
void compose_project(const char *path, char *out, size_t outsz);

/* name (COMPOSE_PROJECT_NAME) as docker-compose normalises it into out[0..outsz). */
void compose_project_name(const char *name, char *out, size_t outsz);

/* Frees what compose_load allocated; f itself stays the caller's. Accepts an empty f. */
void compose_free(struct compose_file *f);

#endif
