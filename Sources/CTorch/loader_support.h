// Lazy loading of the libtorch backend (libCTorchBackend.so) for the generated stubs.
#ifndef PLUME_CTORCH_LOADER_SUPPORT_H
#define PLUME_CTORCH_LOADER_SUPPORT_H

#include "ctorch.h"

/* The backend's implementation of `name`, loading the backend on first use; NULL when
 * the backend cannot be loaded or lacks the symbol (ct_loader_error() says why). */
void *ct_loader_symbol(const char *name);

/* Why the backend could not be loaded, or "" when it was. */
const char *ct_loader_error(void);

#endif
