#ifndef PLUME_CNETCDF_SHIM_H
#define PLUME_CNETCDF_SHIM_H
#include <netcdf.h>
#endif
