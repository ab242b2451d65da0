/* current.h - a container's limits as they are before an update, so that the update
 * rules can judge the container the update leaves behind. Filled by a lookup (I/O,
 * elsewhere); read by the pure rules. */
#ifndef CISGATE_CURRENT_H
#define CISGATE_CURRENT_H

#include <stdbool.h>
#include <stdint.h>

/* One limit: its value in the units of the Engine API (bytes, 1e-9 CPUs, CFS weight,
 * microseconds, tasks); known false when the lookup could not tell. */
struct current_limit {
	bool known;
	int64_t value;
};

/* HostConfig of `docker inspect` before the update: 0 means "none" for every field
 * (cpu_quota -1 too, as dockerd reports a removed quota). */
struct current_limits {
	struct current_limit memory, memory_swap, nano_cpus, cpu_shares, cpu_quota, pids;
};

#endif
