/* answer.c - the plugin's JSON answers (see answer.h). No allocation but libmicrohttpd's
 * response objects; bodies are built on the stack. */
#include <string.h>

#include "cisgate/answer.h"
#include "cisgate/limits.h"
#include "cisgate/str.h"

static const char ALLOW[] = "{\"Allow\":true}";
static const char ACTIVATE[] = "{\"Implements\":[\"authz\"]}";

static struct MHD_Response *
answer_static(const char *body)
{
	/* MHD_RESPMEM_PERSISTENT never writes to the buffer; its API is not const. */
	union {
		const char *c;
		void *v;
	} u = {.c = body};
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), u.v,
	    MHD_RESPMEM_PERSISTENT);

	if (r != NULL)
		MHD_add_response_header(r, "Content-Type", "application/json");
	return r;
}

int
answer_init(struct answers *a)
{
	a->allow = answer_static(ALLOW);
	a->activate = answer_static(ACTIVATE);
	if (a->allow == NULL || a->activate == NULL) {
		answer_fini(a);
		return -1;
	}
	return 0;
}

void
answer_fini(struct answers *a)
{
	if (a->allow != NULL)
		MHD_destroy_response(a->allow);
	if (a->activate != NULL)
		MHD_destroy_response(a->activate);
	a->allow = a->activate = NULL;
}

/* {"KEY":msg} or {"Allow":false,"Msg":msg} as a new response, or NULL. */
static struct MHD_Response *
answer_text(const char *head, const char *msg)
{
	char buf[CG_MSG_MAX * 6 + 64];
	struct strbuf sb;
	struct MHD_Response *r;

	/* Escaping at most sextuples a byte (\u00XX): buf always holds a CG_MSG_MAX message. */
	str_init(&sb, buf, sizeof buf);
	str_append(&sb, head);
	str_append_json(&sb, msg, CG_MSG_MAX);
	str_append(&sb, "}");
	if (sb.truncated)
		return NULL;
	r = MHD_create_response_from_buffer(sb.len, buf, MHD_RESPMEM_MUST_COPY);
	if (r != NULL)
		MHD_add_response_header(r, "Content-Type", "application/json");
	return r;
}

struct MHD_Response *
answer_deny(const char *msg)
{
	return answer_text("{\"Allow\":false,\"Msg\":", msg);
}

void
answer_drop(const struct answers *a, struct MHD_Response *r)
{
	if (r != NULL && r != a->allow && r != a->activate)
		MHD_destroy_response(r);
}

enum MHD_Result
answer_queue(const struct answers *a, struct MHD_Connection *c, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	answer_drop(a, r);
	return ret;
}

enum MHD_Result
answer_error(struct MHD_Connection *c, unsigned status, const char *err)
{
	struct MHD_Response *r = answer_text("{\"Err\":", err);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}
