// Finds and opens libCTorchBackend.so once per process (dlopen), and resolves symbols in it.
//
// Search order: $PLUME_TORCH_BACKEND (a path to the library); the folder of the running
// executable and its ../lib; the folder of the image holding this loader; then the
// dynamic linker's own search (LD_LIBRARY_PATH, rpath, system folders).
#define _GNU_SOURCE
#include "loader_support.h"

#include <dlfcn.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BACKEND "libCTorchBackend.so"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *backend = NULL;
static char failure[4096] = "";

static void append(const char *text) {
  size_t used = strlen(failure);
  if (used + 1 < sizeof failure) snprintf(failure + used, sizeof failure - used, "%s", text);
}

static int try_open(const char *path) {
  backend = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (backend) return 1;
  const char *why = dlerror();
  append("\n  ");
  append(path);
  append(": ");
  append(why ? why : "cannot be opened");
  return 0;
}

static int try_folder(const char *folder, const char *suffix) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s%s/" BACKEND, folder, suffix) >= (int)sizeof path) return 0;
  if (access(path, F_OK) != 0) return 0;
  return try_open(path);
}

static void folder_of(const char *file, char *out, size_t capacity) {
  snprintf(out, capacity, "%s", file);
  char *slash = strrchr(out, '/');
  if (slash) *slash = '\0'; else snprintf(out, capacity, ".");
}

/* Tensor workloads allocate and free the same large buffers every step. glibc's defaults
 * give blocks above a dynamic threshold back to the kernel (munmap, heap trimming) and
 * fault them in again next step: ~10 ms per step of a transformer block here. Keep them
 * in the heap (mmap threshold at glibc's maximum, 32 MiB; trim above 256 MiB of free heap)
 * in processes that use tensors; PLUME_MALLOC_DEFAULTS=1 keeps glibc's defaults. */
static void tune_malloc(void) {
  const char *keep = getenv("PLUME_MALLOC_DEFAULTS");
  if (keep && *keep && *keep != '0') return;
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
}

static void load(void) {
  append("cannot load the libtorch backend " BACKEND " (build it with `swift build --product CTorchBackend`, or set PLUME_TORCH_BACKEND):");
  const char *explicit_path = getenv("PLUME_TORCH_BACKEND");
  if (explicit_path && *explicit_path) {
    if (try_open(explicit_path)) goto loaded;
    return;
  }
  char exe[PATH_MAX], folder[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    folder_of(exe, folder, sizeof folder);
    if (try_folder(folder, "") || try_folder(folder, "/../lib")) goto loaded;
  }
  Dl_info info;
  if (dladdr((void *)&ct_loader_symbol, &info) && info.dli_fname) {
    folder_of(info.dli_fname, folder, sizeof folder);
    if (try_folder(folder, "")) goto loaded;
  }
  if (try_open(BACKEND)) goto loaded;
  return;
loaded:
  failure[0] = '\0';
  tune_malloc();
}

void *ct_loader_symbol(const char *name) {
  pthread_once(&once, load);
  if (!backend) return NULL;
  void *symbol = dlsym(backend, name);
  if (!symbol) {
    static char missing[512];
    snprintf(missing, sizeof missing, "the libtorch backend has no symbol %s (rebuild it)", name);
    snprintf(failure, sizeof failure, "%s", missing);
  }
  return symbol;
}

const char *ct_loader_error(void) {
  pthread_once(&once, load);
  return failure;
}
