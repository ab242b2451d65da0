/* policycmd.h - `cisgate policy sign|verify`: detached signatures of policy files. */
#ifndef CISGATE_POLICYCMD_H
#define CISGATE_POLICYCMD_H

/* Runs `cisgate policy sign --key KEY FILE` or `cisgate policy verify --key PUB|DIR
 * [--key ...] FILE` (argv[0] is "policy"). Returns the exit code: 0 signed or verified,
 * 1 when the signature does not verify, 2 on usage or I/O error. */
int policycmd_main(int argc, char **argv);

#endif
