#include "CPlumeKernels.h"

#include <malloc.h>
#include <stdlib.h>

void plume_tune_malloc(void) {
  const char *keep = getenv("PLUME_MALLOC_DEFAULTS");
  if (keep && *keep && *keep != '0') return;
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
}
