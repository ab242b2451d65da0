/* limits.h - every bound cisgate puts on hostile input, in one place. */
#ifndef CISGATE_LIMITS_H
#define CISGATE_LIMITS_H

#define CG_VERSION "0.1.0"

/* One AuthZ envelope: base64 of a 4 MiB body is ~5.6 MB, plus headers. */
#define CG_ENVELOPE_MAX ((size_t)8 << 20)
/* A decoded RequestBody. dockerd forwards at most this much. */
#define CG_BODY_MAX ((size_t)4 << 20)
/* dockerd forwards a request body to AuthZ plugins only when it is smaller than this
 * (pkg/authorization's maxBodySize) and JSON: a larger create reaches cisgate bodyless. */
#define CG_DOCKERD_BODY_MAX ((size_t)1 << 20)
/* A RequestUri, raw. Go's server refuses longer request lines anyway. */
#define CG_URI_MAX 8192
/* Nesting of a Docker API body; real bodies are under 8 deep. */
#define CG_JSON_DEPTH_MAX 64
/* cisgate's own lookups carry a random token of the process in this header, so that the
 * AuthZ request dockerd makes of one can be told from a client's (decide.c). */
#define CG_LOOKUP_HEADER "X-Cisgate-Lookup"
#define CG_LOOKUP_TOKEN_LEN 32
/* Path segments and ids taken from a URI. */
#define CG_ID_MAX 512

/* Typed view of one request. */
#define CG_MOUNTS_MAX 128
#define CG_CAPS_MAX 64
#define CG_PORTS_MAX 256
#define CG_LABELS_MAX 256
#define CG_DEVICES_MAX 128
#define CG_ARENA_SIZE 32768 /* cleaned paths and other derived strings */

/* Decision. */
#define CG_VIOLATIONS_MAX 48
#define CG_MSG_MAX 2048      /* the Msg a developer sees */
#define CG_VIOLATION_TEXT_MAX 256

/* Policy. */
#define CG_POLICY_FILE_MAX ((size_t)1 << 20)
#define CG_POLICY_NODES_MAX 100000
#define CG_POLICY_LIST_MAX 256
#define CG_EXEMPTIONS_MAX 256
#define CG_POLICY_STR_MAX 1024
#define CG_POLICY_ERRORS_MAX 64

/* Audit. */
#define CG_AUDIT_RECORD_MAX 16384
#define CG_AUDIT_FIELD_MAX 1024 /* any one untrusted string in a record */

/* Server. */
#define CG_CONN_MAX 512
/* Worker threads at most (--workers; the default is one per CPU). */
#define CG_WORKERS_MAX 64
#define CG_CONN_TIMEOUT_S 30
/* On SIGTERM/SIGINT: how long requests already read may take to be answered. */
#define CG_DRAIN_TIMEOUT_MS 5000
/* ... and how long a connection accepted before it may take to send its request: the
 * client connected while the server ran and is answered, not closed unanswered. */
#define CG_DRAIN_GRACE_MS 250
/* Per worker: one request's JSON (a 2.5 KB create needs ~40 KiB); a larger one spills
 * over to malloc. */
#define CG_JSON_ARENA_SIZE ((size_t)256 << 10)
#define CG_CONN_MEMORY ((size_t)16 << 10)
/* Request bytes buffered across all connections at once: a few large creates fit, a
 * flood of 8 MiB uploads cannot take the host's memory. Over it: a deny, "busy". */
#define CG_UPLOAD_BUDGET ((size_t)96 << 20)

/* Lookups in dockerd (dockerc). */
#define CG_DOCKERC_PATH_MAX 1024               /* a socket path or an escaped API path */
#define CG_DOCKERC_BODY_MAX ((size_t)4 << 20)  /* what cisgate keeps of one answer */
#define CG_DOCKERC_INFLIGHT_MAX 256            /* lookups queued or running at once */
#define CG_DOCKERC_HEAD_MAX 16384              /* an answer's status line and headers */
#define CG_JOIN_CHAIN_MAX 2 /* links followed past a joined container (X -> Y -> Z) */
/* A chain's links are asked one round each, and the last link's volumes one more. */
#define CG_LOOKUP_ROUNDS (2 + CG_JOIN_CHAIN_MAX)
#define CG_FACTS_MAX 32 /* facts one decision may need (joins, volumes-from, image, volumes) */

#endif
