/*
 * libFuzzer target: the standard validator on arbitrary bytes, against a
 * tiny pool built once from tests/fuzz/pool/ (made on first use).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pool.h"
#include "stdval.h"
#include "vresult.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pool *
fz_pool(void)
{
	static struct pool *p;
	char dir[] = "/tmp/fuzz-pool.XXXXXX", path[128], err[256];
	struct vresult res;
	FILE *fp;

	if (p != NULL)
		return p;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/coco.json", dir);
	fp = fopen(path, "w");
	fputs("[{\"id\":\"coco_0\"},{\"id\":\"coco_1\"},{\"id\":\"coco_12\"}]", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/gqa.json", dir);
	fp = fopen(path, "w");
	fputs("[{\"id\":\"gqa_05145757\"}]", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/pool.idx", dir);
	vresult_init(&res);
	if (pool_build(dir, path, &res, err, sizeof(err)) != 0 ||
	    (p = pool_open(path, 0, err, sizeof(err))) == NULL)
		abort();
	vresult_clear(&res);
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vresult res;
	char path[64], err[256];
	uint32_t *ids = NULL;
	uint64_t n;
	int fd = memfd_create("fuzz", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	vresult_init(&res);
	(void)stdval_file(fz_pool(), path, 3, &res, &ids, &n, err, sizeof(err));
	free(ids);
	vresult_clear(&res);
	close(fd);
	return 0;
}
