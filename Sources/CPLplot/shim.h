// PLplot's C API (Debian libplplot-dev), for PNG plots through its cairo driver.
#include <plplot/plplot.h>
