/*
 * libFuzzer target: the BYOD validator (and through it jsonlex) on
 * arbitrary bytes.  Built and run by `make fuzz`.  Any crash, sanitizer
 * report, leak or hang is a bug; an invalid file is just an answer.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "byod.h"
#include "vresult.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const roots[] = { "coco/", "visual_genome/", NULL };
	struct byod_limits lim;
	struct vresult res;
	char path[64], err[256];
	int fd = memfd_create("fuzz", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&lim, 0, sizeof(lim));
	lim.max_items = 50;
	lim.max_string = 4096;
	lim.image_roots = roots;
	vresult_init(&res);
	(void)byod_file(NULL, path, &lim, &res, err, sizeof(err));
	vresult_clear(&res);
	close(fd);
	return 0;
}
