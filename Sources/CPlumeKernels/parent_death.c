#include "CPlumeKernels.h"

#include <stdlib.h>
#include <unistd.h>
#if defined(__linux__)
#include <signal.h>
#include <sys/prctl.h>
#endif

/* A stage command started by `plume run` (PLUME_PIPELINE_PARENT holds the engine's pid)
   dies with the engine: a SIGKILLed engine must not leave a child writing into the run
   folder that the next `plume run` resumes. Returns 0, or 1 when the engine is already gone. */
int plume_follow_pipeline_parent(void) {
  const char *text = getenv("PLUME_PIPELINE_PARENT");
  if (!text || !*text) return 0;
  long parent = strtol(text, NULL, 10);
#if defined(__linux__)
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  return (parent > 0 && (long)getppid() != parent) ? 1 : 0;
}
