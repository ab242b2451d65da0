/* serve.c - bind or inherit the socket, then wait for signals: HUP reloads the policy,
 * USR1 reopens the audit log, TERM/INT stop after in-flight requests are answered. */
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cisgate/daemonver.h"
#include "cisgate/http.h"
#include "cisgate/judged.h"
#include "cisgate/log.h"
#include "cisgate/metricsd.h"
#include "cisgate/policysig.h"
#include "cisgate/polstore.h"
#include "cisgate/serve.h"
#include "cisgate/str.h"

/* systemd socket activation: LISTEN_PID is us and LISTEN_FDS >= 1 -> fd 3. Returns 3,
 * -1 when the socket is not inherited, or -2 (said why) when fd 3 is not what we serve:
 * a listening unix stream socket. */
static int
serve_inherited(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS"), *errstr;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss, il;
	int64_t p, n;
	int type, listening;

	if (pid == NULL || fds == NULL)
		return -1;
	if (str_to_i64(pid, 1, INT_MAX, &p, &errstr) != 0 || p != getpid() ||
	    str_to_i64(fds, 1, 64, &n, &errstr) != 0)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	il = sizeof type;
	if (getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &il) != 0) {
		log_err("socket activation: fd 3 is not a socket (LISTEN_FDS=%lld)", (long long)n);
		return -2;
	}
	il = sizeof listening;
	if (getsockname(3, (struct sockaddr *)&ss, &sl) != 0 || ss.ss_family != AF_UNIX ||
	    type != SOCK_STREAM ||
	    getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &il) != 0 || !listening) {
		log_errx("socket activation: fd 3 is not a listening unix stream socket; give "
		    "the .socket unit ListenStream=/run/docker/plugins/cisgate.sock");
		return -2;
	}
	return 3;
}

static int
serve_bind(const char *path, const char *group)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (str_copy(sa.sun_path, path, sizeof sa.sun_path) >= sizeof sa.sun_path) {
		log_errx("socket path %s is too long", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_err("socket");
		return -1;
	}
	/* A live listener is another cisgate: never steal its socket. A dead file is stale. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		log_errx("%s: another process is already listening there; stop it first", path);
		close(fd);
		return -1;
	}
	close(fd);
	if (unlink(path) != 0 && errno != ENOENT) {
		log_err("cannot remove stale socket %s", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_err("socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0) {
		log_err("bind %s", path);
		close(fd);
		return -1;
	}
	/* The socket's mode is the access control for who may ask: never serve without it. */
	if (chmod(path, 0660) != 0) {
		log_err("chmod 0660 %s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	if (group != NULL) {
		struct group *g = getgrnam(group);

		if (g == NULL || chown(path, 0, g->gr_gid) != 0) {
			log_errx("cannot give %s to group %s", path, group);
			close(fd);
			unlink(path);
			return -1;
		}
	}
	return fd;
}

/* The audit file's directory is created 0750 when it is missing (its parent must exist),
 * as most daemons do with theirs. Returns 0, or -1 (said why): no start without it. Any
 * other trouble with the file is audit_open's to say. */
static int
serve_audit_dir(const char *file)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (file == NULL || str_copy(dir, file, sizeof dir) >= sizeof dir ||
	    (slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0 || errno != ENOENT)
		return 0;
	if (mkdir(dir, 0750) != 0) {
		log_err("cannot create the audit log's directory %s", dir);
		return -1;
	}
	log_info("created the audit log's directory %s (mode 0750)", dir);
	return 0;
}

/* Loads the policy file and logs every error; NULL when it is not usable. With trusted
 * keys (--policy-key, --policy-keys, or policy-keys.d/ beside the policy; read again on
 * every load, so a key added to the directory is trusted from the next reload) the policy
 * and its shadow must be signed; a refusal for the signature is copied into refused
 * (else refused is ""), and said only when it differs from the last one (*said). */
static struct policy *
serve_load(const struct serve_opts *o, char *refused, size_t rlen, char *said, size_t slen)
{
	struct policy_errors errs;
	struct policysig_keys *ks = NULL;
	struct policy *p = NULL, *s;
	size_t i;

	refused[0] = '\0';
	memset(&errs, 0, sizeof errs);
	if (policysig_keys_resolve(o->policy, o->policy_key, o->policy_keys, o->insecure_policy,
	        &ks, errs.text[0], sizeof errs.text[0]) != 0) {
		errs.n = 1;
		errs.sig_refused = true;
	} else
		p = policy_load_signed(o->policy, o->insecure_policy, ks, &errs);

	if (p != NULL && o->audit_file != NULL) {
		/* The command line wins over the file, at start and on every reload alike. */
		free(p->audit.file);
		p->audit.file = NULL;
		if (o->audit_file[0] != '\0' && (p->audit.file = strdup(o->audit_file)) == NULL) {
			log_warnx("policy: out of memory");
			policy_release(p);
			return NULL;
		}
	}
	if (p != NULL && o->host_id != NULL) {
		free(p->audit.host_id);
		if ((p->audit.host_id = strdup(o->host_id)) == NULL) {
			log_warnx("policy: out of memory");
			policy_release(p);
			policysig_keys_free(ks);
			return NULL;
		}
	}
	if (p != NULL && o->shadow != NULL) {
		if ((s = policy_load_signed(o->shadow, o->insecure_policy, ks, &errs)) == NULL ||
		    s->shadow != NULL) {
			if (s != NULL)
				log_warnx("policy: --shadow %s names a shadow of its own", o->shadow);
			policy_release(s);
			policy_release(p);
			p = NULL;
		} else {
			policy_release(p->shadow);
			p->shadow = s;
		}
	}
	policysig_keys_free(ks);
	if (p != NULL) {
		said[0] = '\0';
		return p;
	}
	if (errs.sig_refused) {
		str_copy(refused, errs.text[0], rlen);
		/* A --watch that fires on every write, or a retried SIGHUP: said once. */
		if (strcmp(said, refused) == 0)
			return NULL;
		str_copy(said, refused, slen);
	}
	for (i = 0; i < errs.n; i++)
		log_warnx("policy: %s", errs.text[i]);
	if (errs.dropped)
		log_warnx("policy: %zu more errors", errs.dropped);
	return NULL;
}

/* --watch: (re)adds the watch on the policy file to fd (-1: a new inotify instance).
 * Returns the descriptor to poll, or -1 when --watch is off from now on (said why;
 * SIGHUP still reloads). */
static int
serve_watch(int fd, const char *policy)
{
	if (fd < 0 && (fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) < 0) {
		log_warn("--watch: cannot watch %s; --watch is off (SIGHUP reloads)", policy);
		return -1;
	}
	if (inotify_add_watch(fd, policy, IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF |
	        IN_ATTRIB) < 0) {
		log_warn("--watch: cannot watch %s; --watch is off (SIGHUP reloads)", policy);
		close(fd);
		return -1;
	}
	return fd;
}

static bool
serve_same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
serve_same_outputs(const struct audit_conf *a, const struct audit_conf *b)
{
	return serve_same_str(a->file, b->file) && a->to_stdout == b->to_stdout &&
	    a->to_syslog == b->to_syslog && a->fsync == b->fsync &&
	    serve_same_str(a->syslog_socket, b->syslog_socket) &&
	    serve_same_str(a->signing_key, b->signing_key) &&
	    serve_same_str(a->host_id, b->host_id) &&
	    a->checkpoint_every == b->checkpoint_every &&
	    a->checkpoint_seconds == b->checkpoint_seconds;
}

/* Keeps the policy just loaded under audit.policy_dir, so the policy_sha256 of a record
 * names a text (`cisgate audit show-policy`). Not keeping it is said, not fatal: the
 * records still name the hash. */
static void
serve_keep_policy(const struct policy *p, const char *path)
{
	char err[512];

	if (p->audit.policy_dir == NULL)
		return;
	if (polstore_keep(p->audit.policy_dir, path, p->sha256, err, sizeof err) != 0)
		log_warnx("%s", err);
}

/* dockerd's version for the daemon-cves rules (cves.h). It is asked on the lookup thread,
 * never on a worker (dockerd sends cisgate's own GET /version back to cisgate): at start,
 * after each reload, every minute (an upgraded dockerd), and every 5 s while unknown
 * (dockerd starts after its AuthZ plugin). The loop copies it into the active snapshot,
 * where the evaluator reads it as data. */
struct serve_daemon {
	atomic_uint version; /* 0: unknown */
	atomic_bool asking;
	atomic_bool warned;  /* "unknown" said once until it is known */
	time_t next;         /* the loop's: when to ask again */
};

static void
serve_version_done(void *arg, struct dockerc_reply *r)
{
	struct serve_daemon *d = arg;
	char raw[64], err[256];
	uint32_t v;

	if (daemonver_from_reply(r, &v, raw, sizeof raw, err, sizeof err) == 0) {
		if (atomic_exchange(&d->version, v) != v)
			log_info("dockerd %s: daemon-cves entries judged for this version", raw);
		atomic_store(&d->warned, false);
	} else if (!atomic_exchange(&d->warned, true))
		log_warnx("dockerd's version is not known yet (%s): archive uploads count as "
		    "affected by CVE-2026-41567 until it answers", err);
	dockerc_reply_free(r);
	atomic_store(&d->asking, false);
}

static void
serve_version_tick(struct http_shared *sh, struct serve_daemon *d, bool now)
{
	uint32_t v = atomic_load(&d->version);
	time_t t = time(NULL);
	struct policy *p;

	if (v != 0) {
		p = http_policy_get(sh);
		atomic_store(&p->daemon_version, v);
		policy_release(p);
	}
	if (sh->dockerc == NULL || atomic_load(&d->asking) || (!now && t < d->next))
		return;
	d->next = t + (v != 0 ? 60 : 5);
	atomic_store(&d->asking, true);
	if (dockerc_submit(sh->dockerc, "/version", serve_version_done, d) != 0)
		atomic_store(&d->asking, false);
}

/* What reloads remember between them. */
struct serve_reloads {
	unsigned long failures;
	char refused[256]; /* this reload's signature refusal, or "" */
	char said[256];    /* the last refusal said (said once until a load succeeds) */
};

static void
serve_reload(const struct serve_opts *o, struct http_shared *sh, struct serve_reloads *rl,
    struct serve_daemon *d)
{
	struct policy *np = serve_load(o, rl->refused, sizeof rl->refused, rl->said,
	    sizeof rl->said), *old;
	unsigned long *failures = &rl->failures;

	if (np == NULL && rl->refused[0] != '\0') {
		metrics_count(M_RELOAD_REFUSED);
		(*failures)++;
		/* Every refusal is recorded; the log line is said once (serve_load). */
		if (sh->audit)
			(void)audit_event(sh->audit, "policy-refused", rl->refused, NULL);
		return;
	}
	if (np == NULL) {
		metrics_count(M_RELOAD_FAILED);
		(*failures)++;
		log_warnx("reload refused: the active policy stays (%lu failed reloads)", *failures);
		if (sh->audit)
			(void)audit_event(sh->audit, "reload-failed", o->policy, NULL);
		return;
	}
	/* A reload is a state change: recorded before it applies, refused when it cannot be
	 * (on_failure: deny). */
	if (sh->audit && audit_event(sh->audit, "reload", o->policy, np->sha256) != 0 &&
	    !sh->policy->audit.fail_allow) {
		metrics_count(M_RELOAD_FAILED);
		(*failures)++;
		log_warnx("reload refused: the audit log cannot record it (on_failure: deny); "
		    "the active policy stays");
		policy_release(np);
		return;
	}
	serve_keep_policy(np, o->policy);
	/* The new snapshot starts with the version known now; it is asked again below. */
	atomic_store(&np->daemon_version, atomic_load(&d->version));
	pthread_mutex_lock(&sh->policy_lock);
	old = sh->policy;
	sh->policy = np;
	pthread_mutex_unlock(&sh->policy_lock);
	/* The log stays open as it was started: moving it is a restart, said plainly. */
	if (!serve_same_outputs(&old->audit, &np->audit))
		log_warnx("reload: audit file/stdout/syslog/fsync/signing changed; they apply after a "
		    "restart (on_failure and allows apply now)");
	if (!serve_same_str(old->metrics_listen, np->metrics_listen))
		log_warnx("reload: metrics.listen changed; it applies after a restart");
	metrics_count(M_RELOAD_OK);
	metrics_policy(np->sha256, np->mode == MODE_AUDIT ? "audit" : "enforce", np->signed_by);
	/* In-flight requests hold their own reference to the old snapshot. */
	policy_release(old);
	log_info("policy reloaded from %s (sha256 %s%s%s)", o->policy, np->sha256,
	    np->signed_by[0] ? ", signed by key " : "", np->signed_by);
	serve_version_tick(sh, d, true);
}

/* A random token for cisgate's own lookups, so that the AuthZ request dockerd makes of
 * its read of a container's /etc/passwd is told from a client's (decide.c). Without one,
 * that read is judged like any docker cp: never less strict. */
static void
serve_lookup_token(struct http_shared *sh)
{
	unsigned char rnd[CG_LOOKUP_TOKEN_LEN / 2];

	sh->lookup_token[0] = '\0';
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		log_warnx("no random token for lookups: an exec's read of the container's "
		    "/etc/passwd is judged like a docker cp");
		return;
	}
	str_hex(rnd, sizeof rnd, sh->lookup_token);
	if (dockerc_set_token(sh->dockerc, sh->lookup_token) != 0)
		sh->lookup_token[0] = '\0';
}

int
serve_run(const struct serve_opts *o)
{
	struct http_shared sh;
	struct serve_daemon dv;
	struct http_server *srv;
	struct metricsd *md = NULL;
	struct policy *p;
	sigset_t set;
	int fd, inotify_fd = -1, sig;
	time_t last_tick = 0;
	bool bound = false;
	struct serve_reloads rl;
	char err[256] = "";

	memset(&sh, 0, sizeof sh);
	memset(&rl, 0, sizeof rl);
	atomic_init(&dv.version, 0);
	atomic_init(&dv.asking, false);
	atomic_init(&dv.warned, false);
	dv.next = 0;
	pthread_mutex_init(&sh.policy_lock, NULL);
	if ((p = serve_load(o, rl.refused, sizeof rl.refused, rl.said, sizeof rl.said)) == NULL) {
		/* Nothing to audit into yet: where the log goes is the policy's to say, and
		 * an unsigned policy is not believed. The refusal is on stderr (the journal). */
		log_errx("cannot start without a valid policy (%s)%s", o->policy,
		    rl.refused[0] ? ": its signature was refused" : "");
		return 1;
	}
	sh.policy = p;
	if (p->audit.file || p->audit.to_stdout || p->audit.to_syslog) {
		if (serve_audit_dir(p->audit.file) != 0 ||
		    (sh.audit = audit_open(&p->audit, err, sizeof err)) == NULL) {
			if (sh.audit == NULL && err[0] != '\0')
				log_errx("%s", err);
			policy_release(p);
			return 1;
		}
	}
	/* Signals are taken synchronously below; worker threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A write past the file-size limit must fail (and deny), not kill the daemon. */
	signal(SIGXFSZ, SIG_IGN);

	if ((fd = serve_inherited()) >= 0)
		log_info("serving the socket inherited from systemd");
	else if (fd == -2) {
		audit_close(sh.audit);
		policy_release(p);
		return 1;
	} else {
		if ((fd = serve_bind(o->socket, o->group)) < 0) {
			audit_close(sh.audit);
			policy_release(p);
			return 1;
		}
		bound = true;
	}
	/* Bind sources are resolved in the host's tree as dockerd will mount them. */
	if ((sh.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_err("cannot open / to resolve host paths");
		if (bound)
			unlink(o->socket);
		close(fd);
		audit_close(sh.audit);
		policy_release(p);
		return 1;
	}
	/* Lookups in dockerd (facts a decision needs); without them those requests are denied
	 * with the reason, the rest decided as usual. */
	if ((sh.dockerc = dockerc_start(p->daemon.socket, (unsigned)p->daemon.timeout_ms, err,
	         sizeof err)) == NULL)
		log_warnx("no lookups in dockerd (%s): requests that need them are denied", err);
	else
		serve_lookup_token(&sh);
	/* Without it every plain start is looked up: slower, never less strict. */
	if ((sh.judged = judged_new()) == NULL)
		log_warnx("no memory to remember created containers: every start is looked up");
	if ((srv = http_start(fd, o->idle_timeout, o->workers, &sh)) == NULL) {
		log_errx("cannot start the HTTP server");
		dockerc_free(sh.dockerc);
		judged_free(sh.judged);
		close(sh.rootfd);
		if (bound)
			unlink(o->socket);
		audit_close(sh.audit);
		policy_release(p);
		return 1;
	}
	/* Metrics are an extra: a listener that cannot start is said, the plugin serves. */
	if (p->metrics_listen != NULL) {
		metrics_policy(p->sha256, p->mode == MODE_AUDIT ? "audit" : "enforce", p->signed_by);
		metrics_gauge_fn(http_open_conns, srv);
		if ((md = metricsd_start(p->metrics_listen, err, sizeof err)) == NULL)
			log_warnx("%s; no metrics", err);
		else
			log_info("metrics on %s", p->metrics_listen);
	}
	log_info("cisgate %s serving %s (%u workers) with policy %s (sha256 %s, mode %s%s%s)",
	    CG_VERSION, bound ? o->socket : "fd 3", http_workers(srv), o->policy, p->sha256,
	    p->mode == MODE_AUDIT ? "audit" : "enforce",
	    p->signed_by[0] ? ", signed by key " : "", p->signed_by);
	serve_keep_policy(p, o->policy);
	if (sh.audit)
		(void)audit_event(sh.audit, "start", o->policy, p->sha256);

	serve_version_tick(&sh, &dv, true);
	if (o->watch)
		inotify_fd = serve_watch(-1, o->policy);
	for (;;) {
		struct timespec tick = {.tv_sec = 1, .tv_nsec = 0};

		sig = sigtimedwait(&set, NULL, &tick);
		if (time(NULL) != last_tick) {
			last_tick = time(NULL);
			audit_tick(sh.audit);
			serve_version_tick(&sh, &dv, false);
		}
		if (sig < 0 && inotify_fd >= 0) {
			char buf[4096];
			ssize_t n = read(inotify_fd, buf, sizeof buf);

			if (n > 0) {
				/* Editors replace the file: watch the new one too. */
				inotify_fd = serve_watch(inotify_fd, o->policy);
				serve_reload(o, &sh, &rl, &dv);
			}
			continue;
		}
		if (sig == SIGHUP)
			serve_reload(o, &sh, &rl, &dv);
		else if (sig == SIGUSR1) {
			if (sh.audit && audit_reopen(sh.audit) == 0)
				log_info("audit log reopened");
		} else if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	log_info("stopping: finishing in-flight requests");
	http_quiesce(srv);
	{
		/* Requests already read get CG_DRAIN_TIMEOUT_MS to be answered. A connection
		 * accepted just before the acceptor stopped has often not sent its request yet
		 * (inflight does not count it): closed at once, its client would see an empty
		 * reply during every restart, so each gets CG_DRAIN_GRACE_MS to send one. */
		int i;

		for (i = 0; i < CG_DRAIN_TIMEOUT_MS / 10; i++) {
			struct timespec ms10 = {.tv_sec = 0, .tv_nsec = 10000000};

			if (i >= CG_DRAIN_GRACE_MS / 10 && atomic_load(&sh.inflight) == 0)
				break;
			nanosleep(&ms10, NULL);
		}
	}
	/* Lookups still waiting end now ("cisgate is stopping"), so no connection stays
	 * suspended when the workers stop. */
	dockerc_stop(sh.dockerc);
	metricsd_stop(md);
	metrics_gauge_fn(NULL, NULL);
	http_stop(srv);
	dockerc_free(sh.dockerc);
	judged_free(sh.judged);
	close(sh.rootfd);
	close(fd);
	if (bound)
		unlink(o->socket);
	if (sh.audit) {
		unsigned long long fl, rec;

		audit_sync_stats(sh.audit, &fl, &rec);
		if (fl > 0)
			log_info("audit: %llu flushes covered %llu records", fl, rec);
		(void)audit_event(sh.audit, "stop", NULL, NULL);
		audit_close(sh.audit);
	}
	if (inotify_fd >= 0)
		close(inotify_fd);
	log_info("stopped after %lu requests (%lu denied, %lu audit failures, %lu failed "
	    "reloads)", atomic_load(&sh.requests), atomic_load(&sh.denies),
	    atomic_load(&sh.audit_failures), rl.failures);
	policy_release(sh.policy);
	pthread_mutex_destroy(&sh.policy_lock);
	metrics_free(); /* every thread that counted has stopped */
	return 0;
}
