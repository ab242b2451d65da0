/* fakedockerd - a tiny stand-in for dockerd's read-only API on a unix socket, for the
 * proto tests and the bench: GET /[vX.Y/]images/NAME/json answers DIR/image-NAME.json,
 * /containers/NAME/json DIR/container-NAME.json, /containers/NAME/archive?... the tar
 * DIR/passwd-NAME.tar (DIR/group-NAME.tar for a path with "group"; '/' and ':' in NAME
 * read as '_'); anything else is a 404. Each
 * request is one line on stdout (so tests can count lookups). Keep-alive, many
 * connections, one thread. Usage: fakedockerd SOCKET DIR */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXC 256

static const char *dir;

struct conn {
	int fd;
	size_t len;
	char buf[8192];
};

static void
answer(int fd, const char *path)
{
	char file[1024], name[512], hdr[256], *body = NULL;
	const char *p = path, *kind, *end, *type = "application/json";
	size_t n = 0, i;
	long sz;
	FILE *fp;

	/* An API version prefix (/v1.41); /volumes/... is not one. */
	if (strncmp(p, "/v", 2) == 0 && p[2] >= '0' && p[2] <= '9' &&
	    (end = strchr(p + 1, '/')) != NULL)
		p = end;
	if (strncmp(p, "/images/", 8) == 0)
		kind = "image";
	else if (strncmp(p, "/containers/", 12) == 0)
		kind = "container";
	else if (strncmp(p, "/volumes/", 9) == 0)
		kind = "volume";
	else
		kind = NULL;
	if (kind != NULL) {
		p = strchr(p + 1, '/') + 1;
		/* GET /volumes/NAME has nothing after the name. */
		end = strcmp(kind, "volume") == 0 ? p + strcspn(p, "?") : strchr(p, '/');
		for (i = 0; end != NULL && p < end && i + 1 < sizeof name; p++) {
			if (p[0] == '%' && p + 2 < end) {
				unsigned x;

				if (sscanf(p + 1, "%2x", &x) == 1) {
					name[i++] = (char)x;
					p += 2;
					continue;
				}
			}
			name[i++] = *p;
		}
		name[i] = '\0';
		for (i = 0; name[i]; i++)
			if (name[i] == '/' || name[i] == ':')
				name[i] = '_';
		if (end != NULL && strncmp(end, "/archive", 8) == 0) {
			kind = strstr(end, "group") != NULL ? "group" : "passwd";
			type = "application/x-tar";
		}
		snprintf(file, sizeof file, "%s/%s-%s.%s", dir, kind, name,
		    strcmp(type, "application/x-tar") == 0 ? "tar" : "json");
	} else if (strcmp(p, "/version") == 0) {
		/* GET /version from DIR/version.json (the daemon-cves rules ask for it). */
		snprintf(file, sizeof file, "%s/version.json", dir);
		end = p;
		kind = "version";
	}
	if (kind != NULL) {
		if (end != NULL && (fp = fopen(file, "rb")) != NULL) {
			fseek(fp, 0, SEEK_END);
			sz = ftell(fp);
			fseek(fp, 0, SEEK_SET);
			if (sz >= 0 && (body = malloc((size_t)sz + 1)) != NULL)
				n = fread(body, 1, (size_t)sz, fp);
			fclose(fp);
		}
	}
	printf("GET %s -> %s\n", path, body ? "200" : "404");
	fflush(stdout);
	if (body == NULL) {
		static const char nf[] = "{\"message\":\"No such object\"}";

		snprintf(hdr, sizeof hdr, "HTTP/1.1 404 Not Found\r\nContent-Type: "
		    "application/json\r\nContent-Length: %zu\r\n\r\n", sizeof nf - 1);
		(void)!write(fd, hdr, strlen(hdr));
		(void)!write(fd, nf, sizeof nf - 1);
		return;
	}
	snprintf(hdr, sizeof hdr, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: "
	    "%zu\r\n\r\n", type, n);
	(void)!write(fd, hdr, strlen(hdr));
	(void)!write(fd, body, n);
	free(body);
}

int
main(int argc, char **argv)
{
	static struct conn c[MAXC];
	struct pollfd pf[MAXC + 1];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ls, i, nc = 0;

	if (argc != 3 || strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "usage: fakedockerd SOCKET DIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	dir = argv[2];
	strcpy(sa.sun_path, argv[1]); /* length checked above */
	unlink(argv[1]);
	if ((ls = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 128) != 0) {
		perror("fakedockerd");
		return 1;
	}
	for (;;) {
		pf[0] = (struct pollfd){.fd = ls, .events = POLLIN};
		for (i = 0; i < nc; i++)
			pf[i + 1] = (struct pollfd){.fd = c[i].fd, .events = POLLIN};
		if (poll(pf, (nfds_t)nc + 1, -1) < 0 && errno != EINTR)
			return 1;
		for (i = nc - 1; i >= 0; i--) {
			ssize_t r;
			char *e;

			if (!(pf[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(c[i].fd, c[i].buf + c[i].len, sizeof c[i].buf - 1 - c[i].len);
			if (r <= 0) {
				close(c[i].fd);
				c[i] = c[--nc];
				continue;
			}
			c[i].len += (size_t)r;
			c[i].buf[c[i].len] = '\0';
			while ((e = strstr(c[i].buf, "\r\n\r\n")) != NULL) {
				char path[2048] = "";
				size_t used = (size_t)(e + 4 - c[i].buf);

				(void)sscanf(c[i].buf, "GET %2047s", path);
				answer(c[i].fd, path);
				memmove(c[i].buf, c[i].buf + used, c[i].len - used + 1);
				c[i].len -= used;
			}
		}
		if ((pf[0].revents & POLLIN) && nc < MAXC) {
			int fd = accept(ls, NULL, NULL);

			if (fd >= 0) {
				c[nc].fd = fd;
				c[nc].len = 0;
				nc++;
			}
		}
	}
}
