/* libFuzzer entry point; HARNESS names the harness (set by the Makefile). */
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return HARNESS(data, size);
}
