/* Links the installed C interface (libsattn_rt): loading a manifest that
 * does not exist fails with a message, and no GPU is needed for that. */
#include "sattn/sattn_c.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  char err[512] = {0};
  sattn_module *m =
      sattn_module_load("/nonexistent/x.manifest.json", err, sizeof err);
  if (m || strstr(err, "x.manifest.json") == NULL) {
    printf("unexpected: %s\n", m ? "loaded" : err);
    return 1;
  }
  printf("c interface: %s\n", err);
  return 0;
}
