/* main.c
 * compress-compare: the entry point of the headless commands (and, later, the GUI).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "compress-compare"

#include <locale.h>
#include <malloc.h>
#include <signal.h>

#include "cnc-cli.h"

int
main (int    argc,
      char **argv)
{
  /* Keep libtorch's per-batch buffers instead of returning them to the kernel after every
   * batch (0.54-0.81x of Python's speed without; see HACKING.md). */
  mallopt (M_MMAP_THRESHOLD, 256 << 20);
  mallopt (M_TRIM_THRESHOLD, 512 << 20);
  setlocale (LC_ALL, "");
  /* Past a file size limit (ulimit -f) a write fails with EFBIG, which is reported like a full disk
   * (what was being written, nothing half-written), instead of SIGXFSZ killing the process with
   * no message. */
  signal (SIGXFSZ, SIG_IGN);

  return cnc_cli_main (argc, argv);
}
