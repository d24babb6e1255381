#ifndef PLUME_CECCODES_SHIM_H
#define PLUME_CECCODES_SHIM_H
#include <eccodes.h>
#endif
