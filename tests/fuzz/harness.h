/* One harness per decoder stage; libFuzzer and the replay driver both call these. */
#ifndef CISGATE_FUZZ_HARNESS_H
#define CISGATE_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

int fuzz_envelope(const uint8_t *data, size_t size);
int fuzz_uri(const uint8_t *data, size_t size);
int fuzz_policy(const uint8_t *data, size_t size);
int fuzz_decide(const uint8_t *data, size_t size);
int fuzz_compose(const uint8_t *data, size_t size);

#endif
