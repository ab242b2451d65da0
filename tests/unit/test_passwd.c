/* test_passwd: the bounded tar and passwd readers, the image answer, a container's
 * inspect as a join sees it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cisgate/docker.h"
#include "cisgate/passwd.h"

/* A ustar header at t for an entry named name of n bytes and type, its data (n bytes
 * of data) after it; returns the header and data blocks' length. */
static size_t
tar_entry(char *t, const char *name, char type, const char *data, size_t n)
{
	unsigned sum = 0;
	size_t i;

	memset(t, 0, 512 + ((n + 511) / 512) * 512);
	memcpy(t, name, strlen(name));
	snprintf(t + 100, 8, "%07o", 0644);
	snprintf(t + 124, 12, "%011o", (unsigned)(n & 07777777777));
	t[156] = type;
	memcpy(t + 257, "ustar", 6);
	memset(t + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (unsigned char)t[i];
	snprintf(t + 148, 8, "%06o", sum);
	memcpy(t + 512, data, n);
	return 512 + ((n + 511) / 512) * 512;
}

/* One file holding text, and the two zero blocks that end an archive, in t (tsz bytes,
 * at least 1536 + the text). */
static size_t
tar_of(char *t, size_t tsz, const char *text, char type)
{
	memset(t, 0, tsz);
	return tar_entry(t, "etc/passwd", type, text, strlen(text)) + 1024;
}

/* A pax extended header holding records (as Go's archive/tar writes one before a file
 * whose uid does not fit ustar), in t; returns its length (header and data blocks). */
static size_t
pax_of(char *t, const char *records)
{
	return tar_entry(t, "PaxHeaders.0/passwd", 'x', records, strlen(records));
}

static void
test_tar(void **state)
{
	char t[4096];
	const char *f;
	size_t len, flen, px;

	(void)state;
	len = tar_of(t, sizeof t, "root:x:0:0::/:/bin/sh\n", '0');
	assert_int_equal(passwd_tar_file(t, len, &f, &flen), 0);
	assert_int_equal(flen, 22);
	assert_memory_equal(f, "root:x:0:0", 10);
	/* Too short, a bad checksum, a size past the end: refused. */
	assert_int_equal(passwd_tar_file(t, 511, &f, &flen), -1);
	len = tar_of(t, sizeof t, "root:x:0:0::/:/bin/sh\n", '0');
	t[0] = 'E';
	assert_int_equal(passwd_tar_file(t, len, &f, &flen), -1);
	len = tar_of(t, sizeof t, "root:x:0:0::/:/bin/sh\n", '0');
	assert_int_equal(passwd_tar_file(t, 512 + 10, &f, &flen), -1);
	/* A symbolic or hard link: said apart (dockerd follows it). A directory: refused. */
	len = tar_of(t, sizeof t, "x", '2');
	assert_int_equal(passwd_tar_file(t, len, &f, &flen), -2);
	len = tar_of(t, sizeof t, "x", '1');
	assert_int_equal(passwd_tar_file(t, len, &f, &flen), -2);
	len = tar_of(t, sizeof t, "x", '5');
	assert_int_equal(passwd_tar_file(t, len, &f, &flen), -1);
	/* A pax header first (an owner uid of 2^21 or more): skipped; one that sets the
	 * size: refused. */
	px = pax_of(t, "16 uid=3000000\n");
	len = tar_of(t + px, sizeof t - px, "app:x:1000:1000::/:\n", '0');
	assert_int_equal(passwd_tar_file(t, px + len, &f, &flen), 0);
	assert_int_equal(flen, 20);
	assert_memory_equal(f, "app:x:1000:1000", 15);
	px = pax_of(t, "12 size=20\n");
	len = tar_of(t + px, sizeof t - px, "app:x:1000:1000::/:\n", '0');
	assert_int_equal(passwd_tar_file(t, px + len, &f, &flen), -1);
	assert_int_equal(passwd_tar_file(t, px, &f, &flen), -1);
}

static void
test_find(void **state)
{
	static const char pw[] = "# comment\nroot:x:0:0::/root:/bin/sh\nbad:x:notnum:1::/:\n"
	    "app:x:1000:1000::/home/app:/bin/sh\nshort:x:5\napp:x:2000:2000::/:\nzero:x:1001:0::/:";
	int64_t u = -1, g = -1;

	(void)state;
	assert_int_equal(passwd_find(pw, strlen(pw), "app", false, 0, &u, &g), 1);
	assert_int_equal(u, 1000); /* the first entry wins, as in runc */
	assert_int_equal(g, 1000);
	assert_int_equal(passwd_find(pw, strlen(pw), "", true, 1001, &u, &g), 1);
	assert_int_equal(g, 0); /* last line without a newline */
	/* runc reads an unreadable number as 0, and a missing field as 0. */
	assert_int_equal(passwd_find(pw, strlen(pw), "bad", false, 0, &u, &g), 1);
	assert_int_equal(u, 0);
	assert_int_equal(g, 1);
	assert_int_equal(passwd_find(pw, strlen(pw), "short", false, 0, &u, &g), 1);
	assert_int_equal(u, 5);
	assert_int_equal(g, 0);
	assert_int_equal(passwd_find(pw, strlen(pw), "ap", false, 0, &u, &g), 0);
	assert_int_equal(passwd_find(pw, strlen(pw), "", true, 4242, &u, &g), 0);
	/* Bounded by len, not by a NUL. */
	assert_int_equal(passwd_find(pw, 20, "app", false, 0, &u, &g), 0);
}

/* Each passwd a helper made an exec run as root with, read as runc reads it (dockerd
 * 20.10 vendors libcontainer/user, and keeps uint32 of the numbers). */
static void
test_find_runc(void **state)
{
	static const struct {
		const char *pw, *name;
		int64_t uid, want_uid, want_gid;
		int want;
	} t[] = {
		{"app:x:zero:1000\napp:x:1000:1000\n", "app", 0, 0, 1000, 1},
		{" app2:x:0:0\napp2:x:1001:1001\n", "app2", 0, 0, 0, 1},
		{"\tapp2:x:0:0 \t\r\n", "app2", 0, 0, 0, 1},
		{"\xc2\xa0" "app2:x:0:0\xe3\x80\x80\napp2:x:1:1\n", "app2", 0, 0, 0, 1},
		{"app3:x:4294967296:1002\napp3:x:1002:1002\n", "app3", 0, 0, 1002, 1},
		{"grp:x:1000:nogroup\napp:x:1000:1000\n", "", 1000, 1000, 0, 1},
		{"app4\napp4:x:1000:1000\n", "app4", 0, 0, 0, 1},
		{"app5:x:-1:+7\n", "app5", 0, 4294967295, 7, 1},
		{"app6:x:99999999999999999999999:4294968296\n", "app6", 0, 4294967295, 1000, 1},
		{"app7:x:1000:1000\r\n", "app7", 0, 1000, 1000, 1},
		{"app8 :x:0:0\napp8:x:1000:1000\n", "app8", 0, 1000, 1000, 1},
		{"x:x:01000:5\n", "", 1000, 1000, 5, 1},
		{"x:x:0x3e8:5\n", "", 1000, 0, 0, 0},
	};
	static char big[(64 << 10) + 32];
	int64_t u, g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		u = g = -1;
		if (passwd_find(t[i].pw, strlen(t[i].pw), t[i].name, t[i].name[0] == '\0', t[i].uid,
		    &u, &g) != t[i].want)
			fail_msg("case %zu: found is not %d", i, t[i].want);
		if (t[i].want == 1 && (u != t[i].want_uid || g != t[i].want_gid))
			fail_msg("case %zu: uid %lld gid %lld, want %lld %lld", i, (long long)u,
			    (long long)g, (long long)t[i].want_uid, (long long)t[i].want_gid);
	}
	/* A line runc's reader cannot hold: the exec fails there, so nothing is found here. */
	memset(big, 'a', sizeof big - 1);
	memcpy(big + sizeof big - 18, "\napp:x:1000:1000", 17);
	assert_int_equal(passwd_find(big, strlen(big), "app", false, 0, &u, &g), -1);
}

/* /etc/group as runc reads it for the supplementary groups of a user given without a
 * group part, and the name of the entry a uid matched. */
static void
test_group(void **state)
{
	static const char g[] = "root:x:0:daemon, app\nwheel:x:zero:app\nadm:x:4:app,odd\n";
	static const char g2[] = "root:x:0:\n  sudo:x:0:app2,app  \nx:x:0\n";
	static const char pw[] = "root:x:0:0\nfirst:x:1000:1000\nsecond:x:1000:1000\n";
	static char big[(64 << 10) + 32];
	const char *nm;
	size_t nml;
	int64_t u, gd;

	(void)state;
	assert_int_equal(passwd_group_zero(g, strlen(g), "app", 3), 1); /* wheel: gid 0 */
	assert_int_equal(passwd_group_zero(g, strlen(g), "daemon", 6), 1);
	assert_int_equal(passwd_group_zero(g, strlen(g), "odd", 3), 0);
	assert_int_equal(passwd_group_zero(g, 20, "app", 3), 0); /* " app" is not "app" */
	assert_int_equal(passwd_group_zero(g2, strlen(g2), "app", 3), 1);
	assert_int_equal(passwd_group_zero(g2, strlen(g2), "ap", 2), 0);
	assert_int_equal(passwd_group_zero(g2, strlen(g2), "", 0), 0);
	memset(big, 'a', sizeof big - 1);
	assert_int_equal(passwd_group_zero(big, strlen(big), "app", 3), -1);
	assert_int_equal(passwd_find_entry(pw, strlen(pw), "", true, 1000, &u, &gd, &nm, &nml), 1);
	assert_int_equal(nml, 5);
	assert_memory_equal(nm, "first", 5);
	assert_int_equal(passwd_find_entry(pw, strlen(pw), "", true, 7, &u, &gd, &nm, &nml), 0);
}

static void
test_image(void **state)
{
	static const char ok[] = "{\"Id\":\"sha256:ab\",\"RepoTags\":[\"a:1\",\"b:2\"],"
	    "\"RepoDigests\":[\"a@sha256:cd\"],\"Config\":{\"User\":\"1000:1000\"}}";
	static const char nouser[] = "{\"Id\":\"sha256:ab\",\"RepoTags\":null,\"Config\":null}";
	struct image_fact im;
	struct gj_error e;

	(void)state;
	assert_int_equal(docker_image_read(ok, strlen(ok), &im, &e), 0);
	assert_string_equal(im.id, "sha256:ab");
	assert_string_equal(im.user, "1000:1000");
	assert_int_equal(im.ntags, 2);
	assert_int_equal(im.ndigests, 1);
	assert_string_equal(im.digests[0], "a@sha256:cd");
	docker_image_free(&im);
	assert_int_equal(docker_image_read(nouser, strlen(nouser), &im, &e), 0);
	assert_string_equal(im.user, "");
	docker_image_free(&im);
	assert_int_equal(docker_image_read("[1]", 3, &im, &e), -1);
	docker_image_free(&im);
	assert_int_equal(docker_image_read("{\"Config\":{}}", 13, &im, &e), -1);
	docker_image_free(&im);
	assert_int_equal(docker_image_read("{\"Id\":\"x\",\"Config\":{\"User\":5}}", 29, &im, &e),
	    -1);
	docker_image_free(&im);
}

static void
test_container(void **state)
{
	static const char js[] = "{\"Name\":\"/x\",\"Image\":\"sha256:ee\",\"Config\":{\"Image\":"
	    "\"busybox\",\"User\":\"app:0\"},\"HostConfig\":{\"Binds\":[\"/tmp:/t\"],"
	    "\"VolumesFrom\":[\"y:ro\"]},\"Mounts\":[{\"Type\":\"bind\",\"Source\":"
	    "\"/var/run/docker.sock\",\"Destination\":\"/s\",\"RW\":false},{\"Type\":\"volume\","
	    "\"Name\":\"data\",\"Source\":\"/var/lib/docker/volumes/data/_data\","
	    "\"Destination\":\"/d\",\"RW\":true}]}";
	struct docker_view *v = malloc(sizeof *v);
	struct gj_error e;
	json_t *root = json_loads(js, 0, NULL);

	(void)state;
	assert_non_null(v);
	assert_non_null(root);
	docker_view_init(v, NULL);
	assert_int_equal(docker_view_from_container(v, root, &e), 0);
	assert_string_equal(v->image_id, "sha256:ee");
	assert_string_equal(v->user.name, "app");
	assert_string_equal(v->user.group, "0");
	assert_int_equal(v->nvolumes_from, 1);
	assert_string_equal(v->volumes_from[0], "y:ro");
	/* The top-level Mounts replace the create's Binds: what it really has. */
	assert_int_equal(v->nmounts, 2);
	assert_int_equal(v->mounts[0].kind, MOUNT_BIND);
	assert_string_equal(v->mounts[0].source, "/run/docker.sock");
	assert_true(v->mounts[0].read_only);
	assert_int_equal(v->mounts[1].kind, MOUNT_VOLUME);
	assert_string_equal(v->mounts[1].source, "data");
	json_decref(root);
	root = json_loads("{\"Name\":\"/x\",\"Config\":{},\"HostConfig\":{},\"Mounts\":"
	    "[{\"Type\":\"bind\"}]}", 0, NULL);
	docker_view_init(v, NULL);
	assert_int_equal(docker_view_from_container(v, root, &e), -1);
	json_decref(root);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tar),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_runc),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_container),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
