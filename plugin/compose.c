/* compose.c - `docker-compose config` output into the create bodies docker-compose 1.29
 * sends (compose/service.py _get_container_create_options and _get_container_host_config,
 * docker-py's create_host_config), so check decides each service through decide_body as
 * the server decides the real create. Keys cisgate does not know are errors: a service
 * is judged whole or not at all. */
#include <ctype.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cisgate/compose.h"
#include "cisgate/pyaml.h"
#include "cisgate/str.h"

struct cload {
	struct pyaml y;
	const char *project;
	yaml_node_t *volumes; /* the top-level volumes mapping, or NULL */
	json_t *cfg, *hc;     /* the body being built and its HostConfig */
	const char *svc;
};

/* The value of key in mapping n, or NULL. */
static yaml_node_t *
compose_get(struct cload *L, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *pr;
	yaml_node_t *k;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		k = pyaml_node(&L->y, pr->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return pyaml_node(&L->y, pr->value);
	}
	return NULL;
}

/* Every key of mapping n is one of keys (NULL-terminated); an unknown one is an error
 * naming it: a misspelt key would otherwise be a setting silently not judged. */
static int
compose_keys(struct cload *L, yaml_node_t *n, const char *what, const char *const *keys)
{
	yaml_node_pair_t *pr;
	yaml_node_t *k;
	size_t i;
	int rc = 0;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		pyaml_err(&L->y, n, "%s must be a mapping", what);
		return -1;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const char *ks;

		if ((k = pyaml_node(&L->y, pr->key)) == NULL ||
		    (ks = pyaml_scalar(&L->y, k, what)) == NULL)
			return -1;
		for (i = 0; keys[i] != NULL && strcmp(keys[i], ks) != 0; i++)
			;
		if (keys[i] == NULL) {
			pyaml_err(&L->y, k, "%s: key %.40s is not read by cisgate", what, ks);
			rc = -1;
		}
	}
	return rc;
}

static const char *
compose_str(struct cload *L, yaml_node_t *n, const char *what)
{
	return pyaml_scalar(&L->y, n, what);
}

/* Sets key in o to v (taken); an allocation failure is reported once. */
static int
compose_set(struct cload *L, json_t *o, const char *key, json_t *v)
{
	/* A reader that failed has said why; only jansson's own failure is new. */
	if (v == NULL)
		return L->y.errs->n > 0 ? -1 : pyaml_oom(&L->y);
	if (json_object_set_new(o, key, v) != 0)
		return pyaml_oom(&L->y);
	return 0;
}

/* A YAML boolean as YAML 1.1 and compose read it. */
static int
compose_bool(struct cload *L, yaml_node_t *n, const char *what, json_t *o, const char *key)
{
	bool b;

	if (pyaml_bool(&L->y, n, what, &b) != 0)
		return -1;
	return compose_set(L, o, key, json_boolean(b));
}

static int
compose_int(struct cload *L, yaml_node_t *n, const char *what, int64_t min, int64_t max, json_t *o,
    const char *key)
{
	int64_t x;

	if (pyaml_int(&L->y, n, what, min, max, &x) != 0)
		return -1;
	return compose_set(L, o, key, json_integer(x));
}

/* docker-py's parse_bytes: a number, or digits with b, k, m, g (powers of 1024). */
static int
compose_bytes(struct cload *L, yaml_node_t *n, const char *what, json_t *o, const char *key)
{
	int64_t x;

	if (pyaml_size(&L->y, n, what, 0, INT64_MAX / 2, &x) != 0)
		return -1;
	return compose_set(L, o, key, json_integer(x));
}

/* cpus: a decimal number of CPUs into NanoCpus (int(cpus * 1e9)), without floating
 * point: up to nine decimals. */
static int
compose_cpus(struct cload *L, yaml_node_t *n, json_t *o)
{
	const char *s = compose_str(L, n, "cpus"), *dot, *errstr;
	char ip[24], frac[10] = "000000000";
	int64_t whole, part;
	size_t il, fl;

	if (s == NULL)
		return -1;
	dot = strchr(s, '.');
	il = dot ? (size_t)(dot - s) : strlen(s);
	fl = dot ? strlen(dot + 1) : 0;
	if (il == 0 || il >= sizeof ip || fl > 9 || strspn(s, "0123456789") != il ||
	    (dot && strspn(dot + 1, "0123456789") != fl)) {
		pyaml_err(&L->y, n, "cpus must be a number of CPUs (0.5, 2)");
		return -1;
	}
	memcpy(ip, s, il);
	ip[il] = '\0';
	if (fl)
		memcpy(frac, dot + 1, fl);
	if (str_to_i64(ip, 0, 1000000, &whole, &errstr) != 0 ||
	    str_to_i64(frac, 0, 999999999, &part, &errstr) != 0) {
		pyaml_err(&L->y, n, "cpus is out of range");
		return -1;
	}
	return compose_set(L, o, "NanoCpus", json_integer(whole * 1000000000 + part));
}

/* A Go duration as compose's timeparse reads it ("30s", "1m30s", "500ms") into ns. */
static int
compose_duration(struct cload *L, yaml_node_t *n, const char *what, json_t *o, const char *key)
{
	static const struct {
		const char *u;
		int64_t ns;
	} units[] = {{"h", 3600000000000LL}, {"ms", 1000000}, {"m", 60000000000LL},
	    {"s", 1000000000}, {"us", 1000}, {"ns", 1}};
	const char *s = compose_str(L, n, what), *p;
	int64_t total = 0, x;
	size_t i, d;

	if (s == NULL)
		return -1;
	for (p = s; *p != '\0';) {
		char num[20];
		const char *errstr;

		d = strspn(p, "0123456789");
		if (d == 0 || d >= sizeof num)
			goto bad;
		memcpy(num, p, d);
		num[d] = '\0';
		p += d;
		for (i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strncmp(p, units[i].u, strlen(units[i].u)) == 0)
				break;
		if (i == sizeof units / sizeof units[0] ||
		    str_to_i64(num, 0, INT64_MAX / units[0].ns, &x, &errstr) != 0)
			goto bad;
		p += strlen(units[i].u);
		total += x * units[i].ns;
		if (total < 0 || total > INT64_MAX / 2)
			goto bad;
	}
	if (p == s)
		goto bad;
	return compose_set(L, o, key, json_integer(total));
bad:
	pyaml_err(&L->y, n, "%s must be a duration (30s, 1m30s)", what);
	return -1;
}

/* A sequence of strings into a JSON array. */
static json_t *
compose_strs(struct cload *L, yaml_node_t *n, const char *what)
{
	yaml_node_item_t *it;
	yaml_node_t *e;
	json_t *a;
	const char *s;

	if (n->type != YAML_SEQUENCE_NODE) {
		pyaml_err(&L->y, n, "%s must be a list", what);
		return NULL;
	}
	if ((a = json_array()) == NULL) {
		pyaml_oom(&L->y);
		return NULL;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		if ((e = pyaml_node(&L->y, *it)) == NULL || (s = compose_str(L, e, what)) == NULL ||
		    json_array_append_new(a, json_string(s)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* A mapping of scalars (sysctls, labels) into a JSON object of strings; a list of
 * KEY=VALUE is read as compose reads it. */
static json_t *
compose_strmap(struct cload *L, yaml_node_t *n, const char *what)
{
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	yaml_node_t *k, *v;
	const char *ks, *vs;
	json_t *o = json_object();

	if (o == NULL) {
		pyaml_oom(&L->y);
		return NULL;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			char kb[CG_POLICY_STR_MAX + 1];
			const char *eq;

			if ((v = pyaml_node(&L->y, *it)) == NULL ||
			    (vs = compose_str(L, v, what)) == NULL)
				goto fail;
			eq = strchr(vs, '=');
			str_copy(kb, vs,
			    eq && (size_t)(eq - vs) < sizeof kb ? (size_t)(eq - vs) + 1 :
			                                          sizeof kb);
			if (json_object_set_new(o, kb, json_string(eq ? eq + 1 : "")) != 0)
				goto fail;
		}
		return o;
	}
	if (n->type != YAML_MAPPING_NODE) {
		pyaml_err(&L->y, n, "%s must be a mapping", what);
		goto fail;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		if ((k = pyaml_node(&L->y, pr->key)) == NULL ||
		    (v = pyaml_node(&L->y, pr->value)) == NULL ||
		    (ks = compose_str(L, k, what)) == NULL)
			goto fail;
		/* A null value is an empty string to compose (build_string_dict). */
		vs = v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0 ?
		    "" :
		    compose_str(L, v, what);
		if (vs == NULL || json_object_set_new(o, ks, json_string(vs)) != 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* One port: "[ip:]host:container[/proto]", "container[/proto]", ranges "a-b", or the
 * long form {target, published, protocol, host_ip}, into PortBindings and ExposedPorts. */
static int
compose_port_add(struct cload *L, yaml_node_t *n, const char *ip, const char *host,
    const char *cont, const char *proto)
{
	json_t *pb = json_object_get(L->hc, "PortBindings"),
	       *ex = json_object_get(L->cfg, "ExposedPorts"), *list, *b;
	int64_t clo, chi, hlo = 0, hhi = 0, i;
	char key[48], hp[24];
	const char *errstr, *dash;
	char tmp[24];

	/* container range */
	dash = strchr(cont, '-');
	str_copy(tmp, cont,
	    dash && (size_t)(dash - cont) < sizeof tmp ? (size_t)(dash - cont) + 1 : sizeof tmp);
	if (str_to_i64(tmp, 1, 65535, &clo, &errstr) != 0 ||
	    str_to_i64(dash ? dash + 1 : tmp, 1, 65535, &chi, &errstr) != 0 || chi < clo ||
	    chi - clo >= COMPOSE_PORT_RANGE_MAX)
		goto bad;
	if (host != NULL && host[0] != '\0') {
		dash = strchr(host, '-');
		str_copy(tmp, host,
		    dash && (size_t)(dash - host) < sizeof tmp ? (size_t)(dash - host) + 1 :
		                                                 sizeof tmp);
		if (str_to_i64(tmp, 0, 65535, &hlo, &errstr) != 0 ||
		    str_to_i64(dash ? dash + 1 : tmp, 0, 65535, &hhi, &errstr) != 0 || hhi < hlo)
			goto bad;
		/* A host range for one container port leaves the choice to dockerd. */
		if (hhi - hlo != chi - clo && clo != chi)
			goto bad;
	}
	for (i = clo; i <= chi; i++) {
		snprintf(key, sizeof key, "%lld/%s", (long long)i, proto);
		if (compose_set(L, ex, key, json_object()) != 0)
			return -1;
		if ((list = json_object_get(pb, key)) == NULL) {
			if (compose_set(L, pb, key, json_array()) != 0)
				return -1;
			list = json_object_get(pb, key);
		}
		if (host == NULL || host[0] == '\0')
			hp[0] = '\0';
		else if (hlo != hhi && clo == chi)
			snprintf(hp, sizeof hp, "%lld-%lld", (long long)hlo, (long long)hhi);
		else
			snprintf(hp, sizeof hp, "%lld", (long long)(hlo + (i - clo)));
		b = json_pack("{s:s, s:s}", "HostIp", ip ? ip : "", "HostPort", hp);
		if (b == NULL || json_array_append_new(list, b) != 0)
			return pyaml_oom(&L->y);
	}
	return 0;
bad:
	pyaml_err(&L->y, n, "ports: cannot read this port (HOST:CONTAINER[/PROTO])");
	return -1;
}

static int
compose_ports(struct cload *L, yaml_node_t *n)
{
	yaml_node_item_t *it;
	yaml_node_t *e;

	if (n->type != YAML_SEQUENCE_NODE) {
		pyaml_err(&L->y, n, "ports must be a list");
		return -1;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		char buf[CG_POLICY_STR_MAX + 1], *parts[3], *proto, *p;
		const char *ip = NULL, *host = NULL, *cont, *s;
		size_t np = 0;

		if ((e = pyaml_node(&L->y, *it)) == NULL)
			return -1;
		if (e->type == YAML_MAPPING_NODE) {
			yaml_node_t *t = compose_get(L, e, "target"),
			            *pub = compose_get(L, e, "published"),
			            *pr = compose_get(L, e, "protocol"),
			            *hi = compose_get(L, e, "host_ip");
			static const char *const pk[] = {"target", "published", "protocol", "mode",
			    "host_ip", NULL};
			char cbuf[24], hbuf[24];

			if (compose_keys(L, e, "ports", pk) != 0)
				return -1;
			if (t == NULL) {
				pyaml_err(&L->y, e, "ports: a long-form port needs target");
				return -1;
			}
			if ((cont = compose_str(L, t, "ports.target")) == NULL)
				return -1;
			str_copy(cbuf, cont, sizeof cbuf);
			hbuf[0] = '\0';
			if (pub != NULL && (s = compose_str(L, pub, "ports.published")) != NULL)
				str_copy(hbuf, s, sizeof hbuf);
			if (compose_port_add(L, e, hi ? compose_str(L, hi, "ports.host_ip") : "",
			        hbuf, cbuf, pr ? compose_str(L, pr, "ports.protocol") : "tcp") != 0)
				return -1;
			continue;
		}
		if ((s = compose_str(L, e, "ports")) == NULL)
			return -1;
		str_copy(buf, s, sizeof buf);
		proto = strchr(buf, '/');
		if (proto != NULL)
			*proto++ = '\0';
		/* An IPv6 host IP is written in brackets: split after the closing one. */
		p = buf;
		if (*p == '[') {
			char *end = strchr(p, ']');

			if (end == NULL || end[1] != ':')
				goto bad;
			*end = '\0';
			parts[np++] = p + 1;
			p = end + 2;
		}
		for (;;) {
			char *c = strchr(p, ':');

			if (np == 3)
				goto bad;
			parts[np++] = p;
			if (c == NULL)
				break;
			*c = '\0';
			p = c + 1;
		}
		cont = parts[np - 1];
		if (np == 2)
			host = parts[0];
		else if (np == 3) {
			ip = parts[0];
			host = parts[1];
		}
		if (compose_port_add(L, e, ip, host, cont, proto && *proto ? proto : "tcp") != 0)
			return -1;
		continue;
bad:
		pyaml_err(&L->y, e, "ports: cannot read this port (HOST:CONTAINER[/PROTO])");
		return -1;
	}
	return 0;
}

/* The name dockerd knows a compose volume by: `name:` when set, the bare name when it
 * is external, else PROJECT_NAME. */
static int
compose_volname(struct cload *L, const char *vol, char *out, size_t outsz)
{
	yaml_node_t *d = compose_get(L, L->volumes, vol), *x;
	const char *s;
	bool ext = false;

	if (d != NULL && (x = compose_get(L, d, "name")) != NULL &&
	    (s = compose_str(L, x, "volumes.name")) != NULL) {
		str_copy(out, s, outsz);
		return 0;
	}
	if (d != NULL && (x = compose_get(L, d, "external")) != NULL &&
	    x->type == YAML_SCALAR_NODE && pyaml_bool(&L->y, x, "volumes.external", &ext) != 0)
		ext = true; /* external: {name: ...} */
	if (ext)
		snprintf(out, outsz, "%s", vol);
	else
		snprintf(out, outsz, "%s_%s", L->project, vol);
	return 0;
}

/* volumes: "SRC:DST[:MODE]" (a path: a bind; a name: a named volume), "DST" (anonymous),
 * or the long form {type, source, target, read_only, bind: {propagation}} as a Mount. */
static int
compose_volumes(struct cload *L, yaml_node_t *n)
{
	json_t *binds = json_object_get(L->hc, "Binds"), *vols = json_object_get(L->cfg, "Volumes");
	json_t *mounts = json_object_get(L->hc, "Mounts");
	yaml_node_item_t *it;
	yaml_node_t *e;

	if (n->type != YAML_SEQUENCE_NODE) {
		pyaml_err(&L->y, n, "volumes must be a list");
		return -1;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		char buf[CG_POLICY_STR_MAX + 1], name[CG_POLICY_STR_MAX + 64];
		char bind[2 * CG_POLICY_STR_MAX + 80];
		char *dst, *mode;
		const char *s;

		if ((e = pyaml_node(&L->y, *it)) == NULL)
			return -1;
		if (e->type == YAML_MAPPING_NODE) {
			yaml_node_t *ty = compose_get(L, e, "type"),
			            *src = compose_get(L, e, "source"),
			            *tg = compose_get(L, e, "target"),
			            *ro = compose_get(L, e, "read_only"),
			            *bo = compose_get(L, e, "bind"),
			            *pg = compose_get(L, bo, "propagation");
			const char *t = ty ? compose_str(L, ty, "volumes.type") : NULL;
			const char *ss = src ? compose_str(L, src, "volumes.source") : NULL;
			const char *ts = tg ? compose_str(L, tg, "volumes.target") : NULL;
			static const char *const vk[] = {"type", "source", "target", "read_only", "bind",
			    "volume", "tmpfs", "consistency", NULL};
			static const char *const bk[] = {"propagation", NULL};
			bool rob = false;
			json_t *m;

			if (compose_keys(L, e, "volumes", vk) != 0 ||
			    (bo != NULL && compose_keys(L, bo, "volumes.bind", bk) != 0))
				return -1;

			if (t == NULL || ts == NULL ||
			    (ro && pyaml_bool(&L->y, ro, "volumes.read_only", &rob) != 0)) {
				pyaml_err(&L->y, e,
				    "volumes: a long-form volume needs type and target");
				return -1;
			}
			if (strcmp(t, "volume") == 0 && ss != NULL && ss[0] != '\0') {
				compose_volname(L, ss, name, sizeof name);
				ss = name;
			}
			m = json_pack("{s:s, s:s, s:s, s:b}", "Type", t, "Source", ss ? ss : "",
			    "Target", ts, "ReadOnly", rob);
			if (m == NULL)
				return pyaml_oom(&L->y);
			if (pg != NULL &&
			    ((s = compose_str(L, pg, "volumes.bind.propagation")) == NULL ||
			        json_object_set_new(m, "BindOptions",
			            json_pack("{s:s}", "Propagation", s)) != 0)) {
				json_decref(m);
				return -1;
			}
			if (json_array_append_new(mounts, m) != 0)
				return pyaml_oom(&L->y);
			continue;
		}
		if ((s = compose_str(L, e, "volumes")) == NULL)
			return -1;
		str_copy(buf, s, sizeof buf);
		dst = strchr(buf, ':');
		if (dst == NULL) {
			if (compose_set(L, vols, buf, json_object()) != 0)
				return -1;
			continue;
		}
		*dst++ = '\0';
		mode = strchr(dst, ':');
		if (mode != NULL)
			*mode++ = '\0';
		if (compose_set(L, vols, dst, json_object()) != 0)
			return -1;
		if (buf[0] == '/' || buf[0] == '.' || buf[0] == '~')
			str_copy(name, buf, sizeof name);
		else
			compose_volname(L, buf, name, sizeof name);
		snprintf(bind, sizeof bind, "%s:%s:%s", name, dst, mode && *mode ? mode : "rw");
		if (json_array_append_new(binds, json_string(bind)) != 0)
			return pyaml_oom(&L->y);
	}
	return 0;
}

/* devices: "HOST[:CONTAINER[:PERMS]]" as docker-py's parse_devices reads them. */
static int
compose_devices(struct cload *L, yaml_node_t *n)
{
	json_t *a = json_array(), *d;
	yaml_node_item_t *it;
	yaml_node_t *e;

	if (a == NULL || compose_set(L, L->hc, "Devices", a) != 0)
		return -1;
	if (n->type != YAML_SEQUENCE_NODE) {
		pyaml_err(&L->y, n, "devices must be a list");
		return -1;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		char buf[CG_POLICY_STR_MAX + 1], *c, *perm = NULL;
		const char *s;

		if ((e = pyaml_node(&L->y, *it)) == NULL ||
		    (s = compose_str(L, e, "devices")) == NULL)
			return -1;
		str_copy(buf, s, sizeof buf);
		if ((c = strchr(buf, ':')) != NULL) {
			*c++ = '\0';
			if ((perm = strchr(c, ':')) != NULL)
				*perm++ = '\0';
		}
		d = json_pack("{s:s, s:s, s:s}", "PathOnHost", buf, "PathInContainer",
		    c && *c ? c : buf, "CgroupPermissions", perm && *perm ? perm : "rwm");
		if (d == NULL || json_array_append_new(a, d) != 0)
			return pyaml_oom(&L->y);
	}
	return 0;
}

/* ulimits: NAME: N (soft = hard) or NAME: {soft, hard}. */
static int
compose_ulimits(struct cload *L, yaml_node_t *n)
{
	json_t *a = json_array(), *u;
	yaml_node_pair_t *pr;
	yaml_node_t *k, *v;
	int64_t soft, hard;
	const char *name;

	if (a == NULL || compose_set(L, L->hc, "Ulimits", a) != 0)
		return -1;
	if (n->type != YAML_MAPPING_NODE) {
		pyaml_err(&L->y, n, "ulimits must be a mapping");
		return -1;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		if ((k = pyaml_node(&L->y, pr->key)) == NULL ||
		    (v = pyaml_node(&L->y, pr->value)) == NULL ||
		    (name = compose_str(L, k, "ulimits")) == NULL)
			return -1;
		if (v->type == YAML_MAPPING_NODE) {
			static const char *const uk[] = {"soft", "hard", NULL};
			yaml_node_t *s = compose_get(L, v, "soft"), *h = compose_get(L, v, "hard");

			if (compose_keys(L, v, "ulimits", uk) != 0)
				return -1;

			if (s == NULL || h == NULL) {
				pyaml_err(&L->y, v, "ulimits.%s needs soft and hard", name);
				return -1;
			}
			if (pyaml_int(&L->y, s, "ulimits soft", -1, INT64_MAX, &soft) != 0 ||
			    pyaml_int(&L->y, h, "ulimits hard", -1, INT64_MAX, &hard) != 0)
				return -1;
		} else if (pyaml_int(&L->y, v, "ulimits", -1, INT64_MAX, &soft) != 0)
			return -1;
		else
			hard = soft;
		u = json_pack("{s:s, s:I, s:I}", "Name", name, "Soft", (json_int_t)soft, "Hard",
		    (json_int_t)hard);
		if (u == NULL || json_array_append_new(a, u) != 0)
			return pyaml_oom(&L->y);
	}
	return 0;
}

/* restart: "no", "always", "unless-stopped", "on-failure[:N]". */
static int
compose_restart(struct cload *L, yaml_node_t *n)
{
	const char *s = compose_str(L, n, "restart"), *c, *errstr;
	char name[32];
	int64_t max = 0;

	if (s == NULL)
		return -1;
	c = strchr(s, ':');
	str_copy(name, s, c && (size_t)(c - s) < sizeof name ? (size_t)(c - s) + 1 : sizeof name);
	if (c != NULL && str_to_i64(c + 1, 0, INT32_MAX, &max, &errstr) != 0) {
		pyaml_err(&L->y, n, "restart: the retry count is %s", errstr);
		return -1;
	}
	if (strcmp(name, "no") == 0)
		name[0] = '\0';
	return compose_set(L, L->hc, "RestartPolicy",
	    json_pack("{s:s, s:I}", "Name", name, "MaximumRetryCount", (json_int_t)max));
}

static int
compose_healthcheck(struct cload *L, yaml_node_t *n)
{
	json_t *h = json_object();
	yaml_node_t *x;
	bool off = false;
	const char *s;

	static const char *const hk[] = {"test", "interval", "timeout", "retries", "start_period",
	    "disable", NULL};

	if (h == NULL || compose_set(L, L->cfg, "Healthcheck", h) != 0 ||
	    compose_keys(L, n, "healthcheck", hk) != 0)
		return -1;
	if ((x = compose_get(L, n, "disable")) != NULL &&
	    pyaml_bool(&L->y, x, "healthcheck.disable", &off) != 0)
		return -1;
	if (off)
		return compose_set(L, h, "Test", json_pack("[s]", "NONE"));
	if ((x = compose_get(L, n, "test")) != NULL) {
		if (x->type == YAML_SCALAR_NODE) {
			if ((s = compose_str(L, x, "healthcheck.test")) == NULL ||
			    compose_set(L, h, "Test", json_pack("[s, s]", "CMD-SHELL", s)) != 0)
				return -1;
		} else if (compose_set(L, h, "Test", compose_strs(L, x, "healthcheck.test")) != 0)
			return -1;
	}
	if ((x = compose_get(L, n, "interval")) != NULL &&
	    compose_duration(L, x, "healthcheck.interval", h, "Interval") != 0)
		return -1;
	if ((x = compose_get(L, n, "timeout")) != NULL &&
	    compose_duration(L, x, "healthcheck.timeout", h, "Timeout") != 0)
		return -1;
	if ((x = compose_get(L, n, "start_period")) != NULL &&
	    compose_duration(L, x, "healthcheck.start_period", h, "StartPeriod") != 0)
		return -1;
	if ((x = compose_get(L, n, "retries")) != NULL &&
	    compose_int(L, x, "healthcheck.retries", 0, INT32_MAX, h, "Retries") != 0)
		return -1;
	return 0;
}

/* tmpfs: a path or a list of "PATH[:OPTIONS]". */
static int
compose_tmpfs(struct cload *L, yaml_node_t *n)
{
	json_t *o = json_object(), *list;
	size_t i;
	json_t *e;

	if (o == NULL || compose_set(L, L->hc, "Tmpfs", o) != 0)
		return -1;
	if (n->type == YAML_SCALAR_NODE)
		list = json_pack("[s]", (const char *)n->data.scalar.value);
	else
		list = compose_strs(L, n, "tmpfs");
	if (list == NULL)
		return -1;
	json_array_foreach(list, i, e) {
		char buf[CG_POLICY_STR_MAX + 1], *c;

		str_copy(buf, json_string_value(e), sizeof buf);
		if ((c = strchr(buf, ':')) != NULL)
			*c++ = '\0';
		if (json_object_set_new(o, buf, json_string(c ? c : "")) != 0) {
			json_decref(list);
			return pyaml_oom(&L->y);
		}
	}
	json_decref(list);
	return 0;
}

/* Service keys that set nothing a rule judges (dockerd's create reads them, no rule
 * does) or that compose resolves before `config` prints the file. */
static const char *const compose_inert[] = {"command", "entrypoint", "environment", "env_file",
    "depends_on", "hostname", "domainname", "working_dir", "stdin_open", "tty", "stop_signal",
    "stop_grace_period", "logging", "dns", "dns_search", "dns_opt", "extra_hosts", "expose",
    "build", "links", "external_links", "profiles", "platform", "scale", "mac_address",
    "mem_swappiness", "oom_score_adj", "cpuset", "blkio_config", "runtime", "isolation", "secrets",
    "configs", "pull_policy", "labels", "container_name", "networks", "image", "init", "shm_size",
    "mem_reservation", "cpu_count", "cpu_percent", NULL};

/* Builds the create body of one service into L->cfg. */
static int
compose_service(struct cload *L, yaml_node_t *s, struct compose_service *out)
{
	yaml_node_pair_t *pr;
	yaml_node_t *k, *v, *x;
	const char *key, *str;
	char net[CG_POLICY_STR_MAX + 64];
	json_t *x2;
	int rc = 0;
	size_t i;

	if (s->type != YAML_MAPPING_NODE) {
		pyaml_err(&L->y, s, "service %s must be a mapping", L->svc);
		return -1;
	}
	L->cfg = json_object();
	L->hc = json_object();
	if (L->cfg == NULL || L->hc == NULL || compose_set(L, L->cfg, "HostConfig", L->hc) != 0 ||
	    compose_set(L, L->hc, "Binds", json_array()) != 0 ||
	    compose_set(L, L->hc, "Mounts", json_array()) != 0 ||
	    compose_set(L, L->hc, "PortBindings", json_object()) != 0 ||
	    compose_set(L, L->cfg, "Volumes", json_object()) != 0 ||
	    compose_set(L, L->cfg, "ExposedPorts", json_object()) != 0 ||
	    compose_set(L, L->hc, "Privileged", json_false()) != 0)
		return -1;
	/* The image and the name first: every record names them. */
	if ((x = compose_get(L, s, "image")) == NULL) {
		pyaml_err(&L->y, s, "service %s has no image (build it and name the image)",
		    L->svc);
		return -1;
	}
	if ((str = compose_str(L, x, "image")) == NULL ||
	    compose_set(L, L->cfg, "Image", json_string(str)) != 0)
		return -1;
	if ((out->image = strdup(str)) == NULL)
		return pyaml_oom(&L->y);
	if ((x = compose_get(L, s, "container_name")) != NULL) {
		if ((str = compose_str(L, x, "container_name")) == NULL)
			return -1;
		out->name = strdup(str);
	} else {
		char nb[2 * CG_POLICY_STR_MAX + 8];

		snprintf(nb, sizeof nb, "%s_%s_1", L->project, L->svc);
		out->name = strdup(nb);
	}
	if (out->name == NULL)
		return pyaml_oom(&L->y);
	/* compose attaches a service with no network_mode to its first network, the
	 * project's default network unless it names others. */
	x = compose_get(L, s, "networks");
	if (x != NULL && x->type == YAML_MAPPING_NODE &&
	    x->data.mapping.pairs.start < x->data.mapping.pairs.top &&
	    (k = pyaml_node(&L->y, x->data.mapping.pairs.start->key)) != NULL &&
	    (str = compose_str(L, k, "networks")) != NULL)
		snprintf(net, sizeof net, "%s_%s", L->project, str);
	else if (x != NULL && x->type == YAML_SEQUENCE_NODE &&
	    x->data.sequence.items.start < x->data.sequence.items.top &&
	    (k = pyaml_node(&L->y, *x->data.sequence.items.start)) != NULL &&
	    (str = compose_str(L, k, "networks")) != NULL)
		snprintf(net, sizeof net, "%s_%s", L->project, str);
	else
		snprintf(net, sizeof net, "%s_default", L->project);
	if (compose_set(L, L->hc, "NetworkMode", json_string(net)) != 0)
		return -1;
	if ((x = compose_get(L, s, "labels")) != NULL) {
		if (compose_set(L, L->cfg, "Labels", compose_strmap(L, x, "labels")) != 0)
			return -1;
	} else if (compose_set(L, L->cfg, "Labels", json_object()) != 0)
		return -1;
	/* The labels compose adds (build_container_labels): exemptions may match them. */
	x2 = json_pack("{s:s, s:s, s:s, s:s}", "com.docker.compose.project", L->project,
	    "com.docker.compose.service", L->svc, "com.docker.compose.oneoff", "False",
	    "com.docker.compose.container-number", "1");
	if (x2 == NULL || json_object_update(json_object_get(L->cfg, "Labels"), x2) != 0) {
		json_decref(x2);
		return pyaml_oom(&L->y);
	}
	json_decref(x2);

	for (pr = s->data.mapping.pairs.start; pr < s->data.mapping.pairs.top; pr++) {
		if ((k = pyaml_node(&L->y, pr->key)) == NULL ||
		    (v = pyaml_node(&L->y, pr->value)) == NULL ||
		    (key = compose_str(L, k, "service key")) == NULL) {
			rc = -1;
			continue;
		}
		if (strcmp(key, "user") == 0)
			rc |= (str = compose_str(L, v, "user")) == NULL ?
			    -1 :
			    compose_set(L, L->cfg, "User", json_string(str));
		else if (strcmp(key, "privileged") == 0)
			rc |= compose_bool(L, v, "privileged", L->hc, "Privileged");
		else if (strcmp(key, "read_only") == 0)
			rc |= compose_bool(L, v, "read_only", L->hc, "ReadonlyRootfs");
		else if (strcmp(key, "oom_kill_disable") == 0)
			rc |= compose_bool(L, v, "oom_kill_disable", L->hc, "OomKillDisable");
		else if (strcmp(key, "network_mode") == 0)
			rc |= (str = compose_str(L, v, "network_mode")) == NULL ?
			    -1 :
			    compose_set(L, L->hc, "NetworkMode", json_string(str));
		else if (strcmp(key, "pid") == 0)
			rc |= (str = compose_str(L, v, "pid")) == NULL ?
			    -1 :
			    compose_set(L, L->hc, "PidMode", json_string(str));
		else if (strcmp(key, "ipc") == 0)
			rc |= (str = compose_str(L, v, "ipc")) == NULL ?
			    -1 :
			    compose_set(L, L->hc, "IpcMode", json_string(str));
		else if (strcmp(key, "userns_mode") == 0)
			rc |= (str = compose_str(L, v, "userns_mode")) == NULL ?
			    -1 :
			    compose_set(L, L->hc, "UsernsMode", json_string(str));
		else if (strcmp(key, "cgroup_parent") == 0)
			rc |= (str = compose_str(L, v, "cgroup_parent")) == NULL ?
			    -1 :
			    compose_set(L, L->hc, "CgroupParent", json_string(str));
		else if (strcmp(key, "mem_limit") == 0)
			rc |= compose_bytes(L, v, "mem_limit", L->hc, "Memory");
		else if (strcmp(key, "memswap_limit") == 0)
			rc |= compose_bytes(L, v, "memswap_limit", L->hc, "MemorySwap");
		else if (strcmp(key, "cpus") == 0)
			rc |= compose_cpus(L, v, L->hc);
		else if (strcmp(key, "cpu_shares") == 0)
			rc |= compose_int(L, v, "cpu_shares", 0, INT64_MAX, L->hc, "CpuShares");
		else if (strcmp(key, "cpu_quota") == 0)
			rc |= compose_int(L, v, "cpu_quota", -1, INT64_MAX, L->hc, "CpuQuota");
		else if (strcmp(key, "cpu_period") == 0)
			rc |= compose_int(L, v, "cpu_period", 0, INT64_MAX, L->hc, "CpuPeriod");
		else if (strcmp(key, "pids_limit") == 0)
			rc |= compose_int(L, v, "pids_limit", INT64_MIN, INT64_MAX, L->hc,
			    "PidsLimit");
		else if (strcmp(key, "cap_add") == 0)
			rc |= compose_set(L, L->hc, "CapAdd", compose_strs(L, v, "cap_add"));
		else if (strcmp(key, "cap_drop") == 0)
			rc |= compose_set(L, L->hc, "CapDrop", compose_strs(L, v, "cap_drop"));
		else if (strcmp(key, "security_opt") == 0)
			rc |= compose_set(L, L->hc, "SecurityOpt",
			    compose_strs(L, v, "security_opt"));
		else if (strcmp(key, "group_add") == 0)
			rc |= compose_set(L, L->hc, "GroupAdd", compose_strs(L, v, "group_add"));
		else if (strcmp(key, "device_cgroup_rules") == 0)
			rc |= compose_set(L, L->hc, "DeviceCgroupRules",
			    compose_strs(L, v, "device_cgroup_rules"));
		else if (strcmp(key, "volumes_from") == 0)
			rc |= compose_set(L, L->hc, "VolumesFrom",
			    compose_strs(L, v, "volumes_from"));
		else if (strcmp(key, "sysctls") == 0)
			rc |= compose_set(L, L->hc, "Sysctls", compose_strmap(L, v, "sysctls"));
		else if (strcmp(key, "ports") == 0)
			rc |= compose_ports(L, v);
		else if (strcmp(key, "volumes") == 0)
			rc |= compose_volumes(L, v);
		else if (strcmp(key, "devices") == 0)
			rc |= compose_devices(L, v);
		else if (strcmp(key, "ulimits") == 0)
			rc |= compose_ulimits(L, v);
		else if (strcmp(key, "restart") == 0)
			rc |= compose_restart(L, v);
		else if (strcmp(key, "healthcheck") == 0)
			rc |= compose_healthcheck(L, v);
		else if (strcmp(key, "tmpfs") == 0)
			rc |= compose_tmpfs(L, v);
		else {
			for (i = 0; compose_inert[i] != NULL; i++)
				if (strcmp(key, compose_inert[i]) == 0)
					break;
			if (compose_inert[i] == NULL) {
				pyaml_err(&L->y, k,
				    "service %s: key %s is not read by cisgate, so this "
				    "service cannot be judged",
				    L->svc, key);
				rc = -1;
			}
		}
	}
	if (rc != 0 || L->y.errs->n > 0)
		return -1;
	if ((out->body = json_dumps(L->cfg, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return pyaml_oom(&L->y);
	out->len = strlen(out->body);
	return 0;
}

bool
compose_detect(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)buf[i]))
		i++;
	if (i < len && (buf[i] == '{' || buf[i] == '['))
		return false;
	/* A top-level key at the start of a line. */
	for (i = 0; i + 9 <= len; i++)
		if ((i == 0 || buf[i - 1] == '\n') && strncmp(buf + i, "services:", 9) == 0)
			return true;
	return false;
}

void
compose_project(const char *path, char *out, size_t outsz)
{
	char dir[PATH_MAX], abs[PATH_MAX], *slash, *base;

	str_copy(dir, path, sizeof dir);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		str_copy(dir, ".", sizeof dir);
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	/* docker-compose takes the absolute directory: "./x.yml" names the current one. */
	if (realpath(dir, abs) != NULL)
		str_copy(dir, abs, sizeof dir);
	base = strrchr(dir, '/');
	compose_project_name(base ? base + 1 : dir, out, outsz);
}

void
compose_project_name(const char *name, char *out, size_t outsz)
{
	size_t n = 0;
	const char *p;

	/* docker-compose's normalize_name: lower case, only [-_a-z0-9]. */
	for (p = name; *p != '\0' && n + 1 < outsz; p++) {
		int c = tolower((unsigned char)*p);

		if (isalnum(c) || c == '-' || c == '_')
			out[n++] = (char)c;
	}
	out[n] = '\0';
	if (n == 0)
		str_copy(out, "default", outsz);
}

int
compose_load(const char *buf, size_t len, const char *name, const char *project,
    struct compose_file *out, struct policy_errors *errs)
{
	struct cload L;
	yaml_node_t *root, *svcs, *k;
	yaml_node_pair_t *pr;
	size_t n;
	int rc = 0;

	memset(out, 0, sizeof *out);
	memset(&L, 0, sizeof L);
	L.project = project;
	if (pyaml_open(&L.y, buf, len, name, errs) != 0)
		goto done;
	root = pyaml_root(&L.y);
	if ((svcs = compose_get(&L, root, "services")) == NULL || svcs->type != YAML_MAPPING_NODE) {
		pyaml_err(&L.y, root, "not a compose file: no services mapping");
		goto done;
	}
	L.volumes = compose_get(&L, root, "volumes");
	n = (size_t)(svcs->data.mapping.pairs.top - svcs->data.mapping.pairs.start);
	if (n > COMPOSE_SERVICES_MAX) {
		pyaml_err(&L.y, svcs, "more than %d services", COMPOSE_SERVICES_MAX);
		goto done;
	}
	if (n == 0)
		goto done;
	if ((out->v = calloc(n, sizeof *out->v)) == NULL) {
		pyaml_oom(&L.y);
		goto done;
	}
	for (pr = svcs->data.mapping.pairs.start; pr < svcs->data.mapping.pairs.top; pr++) {
		yaml_node_t *s;

		if ((k = pyaml_node(&L.y, pr->key)) == NULL ||
		    (L.svc = compose_str(&L, k, "service name")) == NULL ||
		    (s = pyaml_node(&L.y, pr->value)) == NULL) {
			rc = -1;
			continue;
		}
		if (compose_service(&L, s, &out->v[out->n++]) != 0)
			rc = -1;
		json_decref(L.cfg);
		L.cfg = L.hc = NULL;
	}
done:
	pyaml_close(&L.y);
	return rc != 0 || errs->n > 0 ? -1 : 0;
}

void
compose_free(struct compose_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].image);
		free(f->v[i].body);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
